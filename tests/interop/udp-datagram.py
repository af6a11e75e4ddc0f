#!/usr/bin/env python3
"""One UDP datagram, sent with fragmentation allowed (DF clear) and received whole.

  udp-datagram.py recv --bind IP:PORT --ready FILE [--timeout S]
      waits for one datagram; prints "received N bytes sha256 HEX" (exit 1 on timeout)
  udp-datagram.py send --dst IP:PORT --size N
      sends N deterministic bytes with IP_PMTUDISC_DONT, so the kernel and every router on the
      way may fragment it; prints "sent N bytes sha256 HEX"
Used by interop.sh to check that a gateway fragments (or forwards fragments of) a datagram
above the tunnel MTU and that it arrives whole.
"""
import argparse
import hashlib
import socket
import sys

# Linux <linux/in.h>; Python's socket module does not export them.
IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0


def address(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def payload(size):
    return bytes((i * 7 + 3) & 0xFF for i in range(size))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    recv = sub.add_parser("recv")
    recv.add_argument("--bind", type=address, required=True)
    recv.add_argument("--ready", required=True)
    recv.add_argument("--timeout", type=float, default=8.0)
    send = sub.add_parser("send")
    send.add_argument("--dst", type=address, required=True)
    send.add_argument("--size", type=int, required=True)
    args = parser.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if args.command == "recv":
        sock.bind(args.bind)
        sock.settimeout(args.timeout)
        with open(args.ready, "w") as ready:
            ready.write("ready\n")
        try:
            data, _ = sock.recvfrom(65535)
        except socket.timeout:
            print(f"nothing received within {args.timeout} s")
            return 1
        print(f"received {len(data)} bytes sha256 {hashlib.sha256(data).hexdigest()}")
        return 0
    sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    data = payload(args.size)
    sock.sendto(data, args.dst)
    print(f"sent {len(data)} bytes sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
