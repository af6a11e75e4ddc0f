#!/usr/bin/env python3
"""Writes a gateway config with many peers, for load-time and lookup benchmarks.

    bench/make-peers-config.py --peers 10000 -o /tmp/peers-10000.toml
    actorwire bench -c /tmp/peers-10000.toml -f 65536 --warmup 2   # load time, then Mpps

The file is the embedded default's shape (in-process net_ring ports, built-in generator, no
NIC needed) with PEERS peers, each with a fixed transport session (no handshake, like the
default's peer) and 10 allowed-IPs prefixes in a realistic mix:

    5 x IPv4 /32   tunnel addresses   100.64.0.1 + i + k*PEERS      (k = 0..4)
    2 x IPv4 /24   site subnets       10.128.0.0/9, the (2i + k)-th /24
    2 x IPv6 /64   site subnets       fd00::/48, the (2i + k)-th /64
    1 x IPv6 /128  tunnel address     fd01::(i + 1)

Peer 0 (the hub) also routes the tunnel range, listed first: 100.64.0.0/L, the largest
prefix whose hosts (2^(32-L) - 2, the network address skipped) are all tunnel /32s. The
built-in generator sends to the first peer's first IPv4 prefix, flow f to host 1 + f mod
hosts, so its flows land on the /32s of every peer (tunnel address j belongs to peer j mod
PEERS), not on one. `actorwire bench --peers N` builds the same plan in memory
(bench/peer_population.cpp); keep the two in step.

No prefix is listed twice, endpoints (198.18.0.0/15, port 51820) and receive indices are
unique. Keys are random 32-byte strings in base64 (any 32 bytes are a valid X25519 key);
--seed makes the file reproducible. Standard library only.
"""

import argparse
import base64
import ipaddress
import os
import random
import sys

MAX_PEERS = 16384  # 2 /24s each in 10.128.0.0/9
TUNNEL_V4 = int(ipaddress.IPv4Address("100.64.0.0"))
SITES_V4 = int(ipaddress.IPv4Address("10.128.0.0"))
ENDPOINTS_V4 = int(ipaddress.IPv4Address("198.18.0.0"))
SITES_V6 = int(ipaddress.IPv6Address("fd00::"))
TUNNEL_V6 = int(ipaddress.IPv6Address("fd01::"))
TUNNEL_PER_PEER = 5
SEND_INDEX_BASE = 0x10000000
RECEIVE_INDEX_BASE = 0x20000000


def hub_prefix_length(peers):
    """The tunnel range routed to peer 0: its hosts are all tunnel /32s."""
    tunnel_addresses = TUNNEL_PER_PEER * peers
    host_bits = (tunnel_addresses + 2).bit_length() - 1  # 2^bits - 2 <= tunnel addresses
    return 32 - host_bits


def v4(value):
    return str(ipaddress.IPv4Address(value))


def v6(value):
    return str(ipaddress.IPv6Address(value))


def allowed_ips(i, peers):
    prefixes = []
    if i == 0:
        prefixes.append(f"{v4(TUNNEL_V4)}/{hub_prefix_length(peers)}")
    prefixes += [f"{v4(TUNNEL_V4 + 1 + i + k * peers)}/32" for k in range(TUNNEL_PER_PEER)]
    prefixes += [f"{v4(SITES_V4 + ((2 * i + k) << 8))}/24" for k in range(2)]
    prefixes += [f"{v6(SITES_V6 + ((2 * i + k) << 64))}/64" for k in range(2)]
    prefixes.append(f"{v6(TUNNEL_V6 + i + 1)}/128")
    return prefixes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peers", type=int, default=10000, help=f"1..{MAX_PEERS}")
    parser.add_argument("--seed", type=int, help="reproducible keys")
    parser.add_argument("--no-static-sessions", action="store_true",
                        help="leave out [peer.static_session] (peers then need handshakes)")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args()
    if not 1 <= args.peers <= MAX_PEERS:
        parser.error(f"--peers must be 1..{MAX_PEERS}")
    rng = random.Random(args.seed)

    def key():
        return base64.b64encode(rng.randbytes(32)).decode()

    hub_hosts = 2 ** (32 - hub_prefix_length(args.peers)) - 2
    out = [
        f"# {args.peers} peers, 10 allowed-IPs prefixes each: written by bench/make-peers-config.py",
        "[interface]",
        f'private_key = "{key()}"',
        "listen_port = 51820",
        "mtu = 1420",
        "",
        "[[port]]",
        'role = "lan"',
        'device = "net_ring0"',
        'addresses = ["10.10.0.1/24"]',
        "",
        "[[port]]",
        'role = "wan"',
        'device = "net_ring1"',
        'addresses = ["192.0.2.1/24"]',
        'next_hop = "192.0.2.2"',
        'neighbours = [{ ip = "192.0.2.2", mac = "02:00:00:00:02:02" }]',
        "",
        "[generator]",
        "# One flow per tunnel address routed to peer 0's first prefix: every peer gets traffic.",
        f"flows = {min(hub_hosts, 65536)}",
        "packet_sizes = [64]",
        "",
    ]
    for i in range(args.peers):
        out += [
            "[[peer]]",
            f'public_key = "{key()}"',
            f'endpoint = "{v4(ENDPOINTS_V4 + 1 + i)}:51820"',
            "allowed_ips = [" + ", ".join(f'"{p}"' for p in allowed_ips(i, args.peers)) + "]",
        ]
        if not args.no_static_sessions:
            out += [
                "[peer.static_session]",
                f'send_key = "{key()}"',
                f'receive_key = "{key()}"',
                f"send_index = {SEND_INDEX_BASE + i}",
                f"receive_index = {RECEIVE_INDEX_BASE + i}",
            ]
        out.append("")
    text = "\n".join(out)
    if args.output:
        # Private: the file holds keys (and actorwire warns about group/other-readable ones).
        with open(os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w",
                  encoding="ascii") as file:
            file.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
