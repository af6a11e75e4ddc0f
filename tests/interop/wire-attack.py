#!/usr/bin/env python3
"""Adversarial WireGuard traffic for the interop tests (python3 stdlib only; needs root).

Run it inside a namespace (ip netns exec NS python3 wire-attack.py ...):

  capture --iface IF --dst IP:PORT --out FILE [--initiations K] [--transports N]
          [--timeout S] [--ready FILE]
      Records OUTGOING Ethernet frames on IF (AF_PACKET) that are IPv4/UDP to IP:PORT,
      classified by WireGuard message type: the first K handshake initiations (type 1,
      148 bytes) and the first N transport messages (type 4, >= 32 bytes: keepalives
      included). Writes them as a pcap file (inspect with tcpdump -r FILE). Ends when it has
      them all or after the timeout; --ready FILE is created once the socket listens.
      Prints "capture: initiation=I transport=T"; status 0 only when I == K and T == N.

  replay --iface IF --in FILE [--gap-ms MS]
      Sends the frames of a capture out of IF again, unchanged except for the IPv4 header and
      UDP checksums, which are recomputed: with checksum offload on (veth default) the
      kernel hands outgoing frames to packet sockets with partial checksums, which the
      receiver would drop before WireGuard ever sees them. Prints
      "replay: initiation=I transport=T other=O".

  garbage --dst IP:PORT [--gap-ms MS]
      Sends malformed datagrams from an ordinary UDP socket (ephemeral port), one line each:
      "garbage: NAME LENGTH". What each one is meant to trigger in a WireGuard receiver is
      listed in GARBAGE below.
"""

import argparse
import os
import random
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
ETH_HEADER = 14

TYPE_INITIATION = 1
TYPE_RESPONSE = 2
TYPE_COOKIE_REPLY = 3
TYPE_TRANSPORT = 4
INITIATION_SIZE = 148
RESPONSE_SIZE = 92
COOKIE_REPLY_SIZE = 64
TRANSPORT_MIN_SIZE = 32  # header 16 + tag 16: a keepalive


def parse_endpoint(text):
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected IP:PORT, got '{text}'")
    return socket.inet_aton(host), host, int(port)


def udp_payload(frame, dst_ip=None, dst_port=None):
    """The UDP payload of an Ethernet/IPv4/UDP frame (to dst_ip:dst_port when given), or None."""
    if len(frame) < ETH_HEADER + 20 or struct.unpack_from("!H", frame, 12)[0] != ETH_P_IP:
        return None
    ip = ETH_HEADER
    if frame[ip] >> 4 != 4 or frame[ip + 9] != socket.IPPROTO_UDP:
        return None
    ihl = (frame[ip] & 0x0F) * 4
    total = struct.unpack_from("!H", frame, ip + 2)[0]
    if struct.unpack_from("!H", frame, ip + 6)[0] & 0x3FFF:  # a fragment
        return None
    udp = ip + ihl
    if ihl < 20 or len(frame) < udp + 8 or total < ihl + 8:
        return None
    if dst_ip is not None and frame[ip + 16:ip + 20] != dst_ip:
        return None
    if dst_port is not None and struct.unpack_from("!H", frame, udp + 2)[0] != dst_port:
        return None
    length = struct.unpack_from("!H", frame, udp + 4)[0]
    end = min(udp + length, ip + total, len(frame))
    return frame[udp + 8:end]


def message_kind(payload):
    if not payload:
        return "other"
    if payload[0] == TYPE_INITIATION and len(payload) == INITIATION_SIZE:
        return "initiation"
    if payload[0] == TYPE_TRANSPORT and len(payload) >= TRANSPORT_MIN_SIZE:
        return "transport"
    return "other"


def write_pcap(path, frames):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))  # Ethernet
        for stamp, frame in frames:
            seconds = int(stamp)
            out.write(struct.pack("<IIII", seconds, int((stamp - seconds) * 1e6), len(frame),
                                  len(frame)))
            out.write(frame)


def read_pcap(path):
    with open(path, "rb") as source:
        data = source.read()
    if len(data) < 24 or struct.unpack_from("<I", data, 0)[0] != 0xA1B2C3D4:
        raise ValueError(f"{path}: not a little-endian microsecond pcap file")
    frames, offset = [], 24
    while offset + 16 <= len(data):
        length = struct.unpack_from("<IIII", data, offset)[2]
        offset += 16
        frames.append(data[offset:offset + length])
        offset += length
    return frames


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def fix_checksums(frame):
    """Recomputes the IPv4 header and UDP checksums of an Ethernet/IPv4/UDP frame."""
    frame = bytearray(frame)
    if udp_payload(bytes(frame)) is None:
        return bytes(frame)
    ip = ETH_HEADER
    ihl = (frame[ip] & 0x0F) * 4
    frame[ip + 10:ip + 12] = b"\0\0"
    frame[ip + 10:ip + 12] = struct.pack("!H", checksum(bytes(frame[ip:ip + ihl])))
    udp = ip + ihl
    length = struct.unpack_from("!H", frame, udp + 4)[0]
    frame[udp + 6:udp + 8] = b"\0\0"
    pseudo = bytes(frame[ip + 12:ip + 20]) + struct.pack("!BBH", 0, socket.IPPROTO_UDP, length)
    value = checksum(pseudo + bytes(frame[udp:udp + length])) or 0xFFFF
    frame[udp + 6:udp + 8] = struct.pack("!H", value)
    return bytes(frame)


class Stop(Exception):
    pass


def on_stop_signal(_signum, _frame):
    raise Stop()


def cmd_capture(args):
    dst_ip, _, dst_port = args.dst
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((args.iface, ETH_P_ALL))
    if args.ready:
        with open(args.ready, "w", encoding="ascii") as ready:
            ready.write(f"{os.getpid()}\n")
    signal.signal(signal.SIGTERM, on_stop_signal)
    signal.signal(signal.SIGINT, on_stop_signal)
    wanted = {"initiation": args.initiations, "transport": args.transports}
    got = {"initiation": 0, "transport": 0}
    frames = []
    deadline = time.monotonic() + args.timeout
    try:
        while any(got[k] < wanted[k] for k in wanted):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            sock.settimeout(remaining)
            try:
                frame, address = sock.recvfrom(65536)
            except socket.timeout:
                break
            # Frames queued between socket() and bind() may come from other interfaces.
            if address[0] != args.iface or address[2] != PACKET_OUTGOING:
                continue
            kind = message_kind(udp_payload(frame, dst_ip, dst_port))
            if kind in got and got[kind] < wanted[kind]:
                got[kind] += 1
                frames.append((time.time(), frame))
    except Stop:
        pass
    finally:
        sock.close()
        write_pcap(args.out, frames)
    print(f"capture: initiation={got['initiation']} transport={got['transport']}"
          f" ({args.iface}, to {args.dst[1]}:{dst_port}) -> {args.out}")
    return 0 if got == wanted else 1


def cmd_replay(args):
    frames = read_pcap(args.input)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((args.iface, 0))
    sent = {"initiation": 0, "transport": 0, "other": 0}
    for i, frame in enumerate(frames):
        if i:
            time.sleep(args.gap_ms / 1000)
        sock.send(fix_checksums(frame))
        sent[message_kind(udp_payload(frame))] += 1
    sock.close()
    print(f"replay: initiation={sent['initiation']} transport={sent['transport']}"
          f" other={sent['other']} ({len(frames)} frames out of {args.iface})")
    return 0


def header(message_type, reserved=b"\0\0\0"):
    return bytes([message_type]) + reserved


def random_nonzero(length):
    return bytes(random.randint(1, 255) for _ in range(length))


# (name, payload): what a WireGuard receiver should make of it, in the order sent.
def garbage_datagrams():
    rnd = os.urandom
    return [
        ("empty", b""),                                           # no type at all
        ("one-byte-type-1", b"\x01"),                             # handshake type, too short
        ("unknown-type-9", header(9) + rnd(28)),                  # no such message type
        ("transport-16-bytes", header(4) + rnd(12)),              # shorter than 32
        ("initiation-truncated-100", header(1) + rnd(96)),        # wrong size for type 1
        ("initiation-random-bad-mac1", header(1) + rnd(144)),     # right size, mac1 wrong
        ("response-random-bad-mac1", header(2) + rnd(88)),        # right size, mac1 wrong
        ("cookie-reply-random-64", header(3) + rnd(60)),          # unknown receiver index
        ("transport-random-64", header(4) + rnd(60)),             # unknown receiver index
        ("initiation-reserved-nonzero", header(1, random_nonzero(3)) + rnd(144)),
        ("random-1400-type-5-255", bytes([random.randint(5, 255)]) + rnd(1399)),
    ]


def cmd_garbage(args):
    _, host, port = args.dst
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((host, port))
    for i, (name, payload) in enumerate(garbage_datagrams()):
        if i:
            time.sleep(args.gap_ms / 1000)
        sock.send(payload)
        print(f"garbage: {name} {len(payload)}")
    print(f"garbage: sent from port {sock.getsockname()[1]} to {host}:{port}")
    sock.close()
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    capture = sub.add_parser("capture", help="record outgoing WireGuard frames to a pcap file")
    capture.add_argument("--iface", required=True)
    capture.add_argument("--dst", required=True, type=parse_endpoint, help="IP:PORT")
    capture.add_argument("--out", required=True)
    capture.add_argument("--initiations", type=int, default=1)
    capture.add_argument("--transports", type=int, default=3)
    capture.add_argument("--timeout", type=float, default=10.0)
    capture.add_argument("--ready", help="created once the socket listens")
    replay = sub.add_parser("replay", help="send captured frames again")
    replay.add_argument("--iface", required=True)
    replay.add_argument("--in", dest="input", required=True)
    replay.add_argument("--gap-ms", type=float, default=20.0)
    garbage = sub.add_parser("garbage", help="send malformed datagrams")
    garbage.add_argument("--dst", required=True, type=parse_endpoint, help="IP:PORT")
    garbage.add_argument("--gap-ms", type=float, default=5.0)
    args = parser.parse_args()
    try:
        return {"capture": cmd_capture, "replay": cmd_replay, "garbage": cmd_garbage}[
            args.command](args)
    except OSError as error:
        print(f"wire-attack {args.command}: {error}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
