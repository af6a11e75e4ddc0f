#!/usr/bin/env python3
# Regenerates tests/data/ip_services_vectors.txt, the known-answer vectors of
# tests/io_ip_services.test.cpp (io/icmp, io/tcp_mss, io/ipv4_fragmentation).
#
# Scapy is the independent implementation: it builds every input packet and every expected
# output, and computes every checksum itself (chksum left unset), so the C++ code is checked
# against a full recomputation, not against itself. The expected ICMP errors follow the field
# choices documented in io/icmp.cpp: TOS = (original TOS & 0x1E) | 0xC0, TTL / hop limit 64,
# DF clear, the given IPv4 identification, the quote cut at 576 bytes in all (ICMPv4) or 1280
# (ICMPv6), the gateway's address as source. Echo replies keep the request's TOS, IPv4
# identification and flags (IPv6: traffic class and flow label).
#
# CI does not have scapy: the generated .txt is committed and is what the test reads; this
# script is kept only to regenerate it. Run from anywhere:
#   apt-get install -y --no-install-recommends python3-scapy
#   /usr/bin/python3 tests/data/make_ip_services_vectors.py
# The constants below are repeated in tests/io_ip_services.test.cpp; change both together.
import os
import sys

from scapy.all import (ICMP, IP, TCP, UDP, ICMPv6DestUnreach, ICMPv6EchoReply,
                       ICMPv6EchoRequest, ICMPv6PacketTooBig, IPOption_Router_Alert, IPv6, Raw,
                       fragment)

GATEWAY_V4 = "192.0.2.1"
GATEWAY_V6 = "2001:db8::1"
HOST_V4 = "10.1.0.100"
REMOTE_V4 = "10.20.0.5"
HOST_V6 = "2001:db8:1::100"
REMOTE_V6 = "2001:db8:2::5"
MTU = 1420
MSS_V4 = MTU - 40  # 1380
MSS_V6 = MTU - 60  # 1360
ICMP_ID_TCP = 0x1234    # IPv4 identification of the error about the 1500-byte TCP packet
ICMP_ID_UDP = 0xBEEF    # ... about the small UDP packet
ICMP_ID_NOROUTE = 0x0101  # ... of the net unreachable
ICMPV4_MAX = 576
ICMPV6_MAX = 1280


def pattern(length, seed=0):
    return bytes(((i * 7 + seed * 13 + 3) & 0xFF) for i in range(length))


vectors = []


def add(name, packet):
    data = bytes(packet)
    vectors.append((name, data))
    return data


def icmpv4_error(offending, icmp, ip_id):
    tos = (offending[1] & 0x1E) | 0xC0
    quote = offending[:ICMPV4_MAX - 20 - 8]
    return IP(src=GATEWAY_V4, dst=IP(offending).src, tos=tos, ttl=64, id=ip_id, flags=0,
              proto=1) / icmp / Raw(quote)


def icmpv6_error(offending, icmp):
    quote = offending[:ICMPV6_MAX - 40 - 8]
    return IPv6(src=GATEWAY_V6, dst=IPv6(offending).src, tc=0, fl=0, hlim=64) / icmp / Raw(quote)


# --- ICMPv4 fragmentation needed (3/4) --------------------------------------------------------
# A 1500-byte TCP packet with DF; TOS 0x2B checks the mask (0x2B & 0x1E | 0xC0 = 0xCA).
tcp1500 = add("frag_needed_tcp1500_in",
              IP(src=HOST_V4, dst=REMOTE_V4, tos=0x2B, id=0x7001, flags="DF", ttl=63) /
              TCP(sport=40000, dport=443, flags="A", seq=1000, ack=2000) / Raw(pattern(1460)))
assert len(tcp1500) == 1500
out = add("frag_needed_tcp1500_out",
          icmpv4_error(tcp1500, ICMP(type=3, code=4, nexthopmtu=MTU), ICMP_ID_TCP))
assert len(out) == ICMPV4_MAX and out[28:] == tcp1500[:548]

udp_small = add("frag_needed_udp_small_in",
                IP(src=HOST_V4, dst=REMOTE_V4, tos=0x00, id=0x7002, flags="DF", ttl=64) /
                UDP(sport=5000, dport=53) / Raw(pattern(71, 1)))
assert len(udp_small) == 99
out = add("frag_needed_udp_small_out",
          icmpv4_error(udp_small, ICMP(type=3, code=4, nexthopmtu=MTU), ICMP_ID_UDP))
assert len(out) == 20 + 8 + 99 and out[28:] == udp_small

# --- ICMPv4 net unreachable (3/0) -------------------------------------------------------------
noroute = add("net_unreachable_v4_in",
              IP(src=HOST_V4, dst="198.51.100.7", tos=0xB8, id=0x7003, ttl=64) /
              UDP(sport=6000, dport=7000) / Raw(pattern(600, 2)))
out = add("net_unreachable_v4_out",
          icmpv4_error(noroute, ICMP(type=3, code=0), ICMP_ID_NOROUTE))
assert len(out) == ICMPV4_MAX and out[20:28] == bytes([3, 0]) + out[22:24] + bytes(4)

# --- ICMPv6 packet too big (2/0) and unreachable, no route (1/0) -----------------------------
v6_1500 = add("packet_too_big_v6_1500_in",
              IPv6(src=HOST_V6, dst=REMOTE_V6, tc=0x20, fl=0xABCDE, hlim=64) /
              TCP(sport=40001, dport=443, flags="A", seq=5, ack=6) / Raw(pattern(1440, 3)))
assert len(v6_1500) == 1500
out = add("packet_too_big_v6_1500_out", icmpv6_error(v6_1500, ICMPv6PacketTooBig(mtu=MTU)))
assert len(out) == ICMPV6_MAX and out[48:] == v6_1500[:1232]

v6_small = add("no_route_v6_in",
               IPv6(src=HOST_V6, dst="2001:db8:3::9", hlim=5) /
               UDP(sport=6001, dport=7001) / Raw(pattern(33, 4)))
out = add("no_route_v6_out", icmpv6_error(v6_small, ICMPv6DestUnreach(code=0)))
assert len(out) == 40 + 8 + len(v6_small)

# --- Echo request and reply ------------------------------------------------------------------
# Odd payload lengths: the checksum's last byte is a half word.
payload = pattern(37, 5)
add("echo_v4_request",
    IP(src=HOST_V4, dst=GATEWAY_V4, tos=0x10, id=0x4242, flags="DF", ttl=57) /
    ICMP(type=8, code=0, id=0x0B0B, seq=7) / Raw(payload))
add("echo_v4_reply",
    IP(src=GATEWAY_V4, dst=HOST_V4, tos=0x10, id=0x4242, flags="DF", ttl=64) /
    ICMP(type=0, code=0, id=0x0B0B, seq=7) / Raw(payload))

payload = pattern(57, 6)
add("echo_v6_request",
    IPv6(src=HOST_V6, dst=GATEWAY_V6, tc=0x04, fl=0x12345, hlim=60) /
    ICMPv6EchoRequest(id=0x0C0C, seq=9, data=payload))
add("echo_v6_reply",
    IPv6(src=GATEWAY_V6, dst=HOST_V6, tc=0x04, fl=0x12345, hlim=64) /
    ICMPv6EchoReply(id=0x0C0C, seq=9, data=payload))

# --- TCP MSS clamping --------------------------------------------------------------------------
# The expected packets are rebuilt by scapy with the lower MSS and a checksum computed from
# scratch: the C++ code's incremental update (RFC 1624) must give the same bytes.
EVEN = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (123456, 0)), ("NOP", None),
        ("WScale", 7)]                                    # MSS value at TCP offset 22
ODD = [("NOP", None), ("MSS", 1460), ("WScale", 7)]       # MSS value at TCP offset 23
ODD_V6 = [("NOP", None), ("MSS", 1440), ("NOP", None), ("NOP", None), ("NOP", None),
          ("SAckOK", b"")]                                # MSS value at TCP offset 23


def with_mss(options, mss):
    return [("MSS", mss) if kind == "MSS" else (kind, value) for kind, value in options]


def v4_segment(options, flags="S", seq=0x11223344, ack=0, mss=None, sport=51000):
    if mss is not None:
        options = with_mss(options, mss)
    return IP(src=HOST_V4, dst=REMOTE_V4, id=0x5151, flags="DF", ttl=64) / \
        TCP(sport=sport, dport=443, flags=flags, seq=seq, ack=ack, window=64240, options=options)


def v6_segment(options, flags="S", mss=None):
    if mss is not None:
        options = with_mss(options, mss)
    return IPv6(src=HOST_V6, dst=REMOTE_V6, hlim=64) / \
        TCP(sport=51001, dport=443, flags=flags, seq=0x55667788, window=64800, options=options)


def check_mss_at(data, ip_header, value_offset, mss):
    assert data[ip_header + value_offset - 2:ip_header + value_offset] == b"\x02\x04"
    assert int.from_bytes(data[ip_header + value_offset:ip_header + value_offset + 2], "big") == mss


check_mss_at(add("mss_v4_even_in", v4_segment(EVEN)), 20, 22, 1460)
check_mss_at(add("mss_v4_even_out", v4_segment(EVEN, mss=MSS_V4)), 20, 22, MSS_V4)
check_mss_at(add("mss_v4_odd_in", v4_segment(ODD)), 20, 23, 1460)
check_mss_at(add("mss_v4_odd_out", v4_segment(ODD, mss=MSS_V4)), 20, 23, MSS_V4)
# A SYN-ACK is clamped as well.
add("mss_v4_synack_in", v4_segment(ODD, flags="SA", seq=0x99AABBCC, ack=0x11223345, sport=443))
add("mss_v4_synack_out",
    v4_segment(ODD, flags="SA", seq=0x99AABBCC, ack=0x11223345, sport=443, mss=MSS_V4))
# An IPv4 header with options (router alert, IHL 6): the TCP header starts at 24.
def v4_with_ip_options(mss):
    return IP(src=HOST_V4, dst=REMOTE_V4, id=0x5252, ttl=64, options=[IPOption_Router_Alert()]) / \
        TCP(sport=51002, dport=80, flags="S", seq=0x01020304, window=65535,
            options=with_mss(ODD, mss))


check_mss_at(add("mss_v4_ip_options_in", v4_with_ip_options(1460)), 24, 23, 1460)
check_mss_at(add("mss_v4_ip_options_out", v4_with_ip_options(MSS_V4)), 24, 23, MSS_V4)
check_mss_at(add("mss_v6_odd_in", v6_segment(ODD_V6)), 40, 23, 1440)
check_mss_at(add("mss_v6_odd_out", v6_segment(ODD_V6, mss=MSS_V6)), 40, 23, MSS_V6)


def tcp_checksum(data):
    return int.from_bytes(data[20 + 16:20 + 18], "big")


# The checksum corner cases of the incremental update: a clamped segment whose checksum is
# 0x0000, and a segment whose checksum before clamping is 0x0000. The low half of the sequence
# number is chosen to get there: with it 0, the one's complement sum of everything else is ~c,
# and adding c makes the sum 0xFFFF, the checksum 0.
def seq_for_zero_checksum(options, mss):
    c = tcp_checksum(bytes(v4_segment(options, seq=0x77770000, mss=mss)))
    return 0x77770000 | c


seq = seq_for_zero_checksum(ODD, MSS_V4)
add("mss_v4_zero_after_in", v4_segment(ODD, seq=seq))
out = add("mss_v4_zero_after_out", v4_segment(ODD, seq=seq, mss=MSS_V4))
assert tcp_checksum(out) == 0, hex(tcp_checksum(out))
seq = seq_for_zero_checksum(EVEN, None)
data = add("mss_v4_zero_before_in", v4_segment(EVEN, seq=seq))
assert tcp_checksum(data) == 0, hex(tcp_checksum(data))
add("mss_v4_zero_before_out", v4_segment(EVEN, seq=seq, mss=MSS_V4))

# Left alone: a SYN whose MSS is already below the limit, and a segment without SYN.
check_mss_at(add("mss_v4_below_limit", v4_segment(ODD, mss=1200)), 20, 23, 1200)
check_mss_at(add("mss_v4_not_syn", v4_segment(EVEN, flags="A", ack=1)), 20, 22, 1460)

# --- IPv4 fragmentation -------------------------------------------------------------------------
# A 3000-byte UDP packet without DF, and scapy's fragments of it at MTU 1420 (1400 bytes of
# data each, a multiple of 8): same identification, TTL, TOS; MF on all but the last.
big = add("fragment_udp3000_in",
          IP(src=HOST_V4, dst=REMOTE_V4, tos=0x08, id=0x6060, flags=0, ttl=64) /
          UDP(sport=7777, dport=8888) / Raw(pattern(2972, 7)))
assert len(big) == 3000
fragments = fragment(IP(big), fragsize=MTU - 20)
assert len(fragments) == 3
for i, frag in enumerate(fragments):
    del frag.chksum  # scapy recomputes the header checksum of each fragment
    data = add("fragment_udp3000_out_%d" % i, IP(bytes(frag)))
    assert len(data) <= MTU

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ip_services_vectors.txt")
with open(path, "w") as f:
    f.write("# Generated by tests/data/make_ip_services_vectors.py (scapy); do not edit.\n")
    f.write("# One vector a line: name, then the IP packet in hex.\n")
    for name, data in vectors:
        f.write("%s %s\n" % (name, data.hex()))
print("wrote %d vectors to %s" % (len(vectors), path), file=sys.stderr)
