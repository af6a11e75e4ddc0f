#!/usr/bin/env python3
# Regenerates tests/data/ndp_vectors.txt, the known-answer vectors of tests/io_ndp.test.cpp and
# of the neighbour-discovery tests in tests/actors_port_side.test.cpp (io/ndp, PortSide).
#
# Scapy is the independent implementation: it builds every frame, computes every ICMPv6
# checksum itself (cksum left unset), derives solicited-node addresses and their multicast MACs
# (in6_getnsma, in6_getnsmac) and the EUI-64 link-local address (in6_mactoifaceid). The frames
# the gateway must send follow RFC 4861 as io/ndp.hpp documents: hop limit 255, traffic class
# and flow label 0, exactly one link-layer address option (our MAC); a neighbour solicitation
# goes to the target's solicited-node group; an advertisement has the router and override flags,
# plus the solicited flag when it answers a host, or goes to all nodes (ff02::1) when it answers
# duplicate address detection.
#
# Every vector is a whole Ethernet frame (the IPv6 packet starts at byte 14).
#
# CI does not have scapy: the generated .txt is committed and is what the tests read; this
# script is kept only to regenerate it. Run from anywhere:
#   apt-get install -y --no-install-recommends python3-scapy
#   /usr/bin/python3 tests/data/make_ndp_vectors.py
# The constants below are repeated in tests/io_ndp.test.cpp and tests/actors_port_side.test.cpp;
# change them together.
import os
import socket
import sys

from scapy.all import (UDP, Ether, ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                       ICMPv6ND_RA, ICMPv6ND_Redirect, ICMPv6ND_RS, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptSrcLLAddr, IPv6, Raw, in6_chksum, in6_getnsma, in6_getnsmac,
                       in6_mactoifaceid)

OUR_MAC = "02:00:00:00:00:01"
OUR_IP = "fd0a::1"
HOST_MAC = "02:00:00:00:00:02"
HOST_IP = "fd0a::2"
HOST_LINK_LOCAL = "fe80::2"
PROXY_MAC = "02:00:00:00:00:22"  # a target link-layer option that differs from the sender's MAC
OTHER_IP = "fd0a::99"            # on the link, not ours
UNKNOWN_IP = "fd0a::77"          # advertised without being asked for
ROUTER_MAC = "02:00:00:00:00:fe"
ROUTER_LINK_LOCAL = "fe80::fe"
ALL_NODES = "ff02::1"
ALL_NODES_MAC = "33:33:00:00:00:01"
ALL_ROUTERS = "ff02::2"


def pton(text):
    return socket.inet_pton(socket.AF_INET6, text)


def ntop(raw):
    return socket.inet_ntop(socket.AF_INET6, raw)


def solicited_node(address):
    return ntop(in6_getnsma(pton(address)))


def group_mac(group):
    return in6_getnsmac(pton(group))


# The EUI-64 link-local address of OUR_MAC (RFC 4291 App. A: the U/L bit flipped, ff:fe in the
# middle), by scapy and by hand.
OUR_LINK_LOCAL = "fe80::" + in6_mactoifaceid(OUR_MAC).lower()
assert pton(OUR_LINK_LOCAL) == pton("fe80::ff:fe00:1"), OUR_LINK_LOCAL
OUR_LINK_LOCAL = "fe80::ff:fe00:1"

assert solicited_node(HOST_IP) == "ff02::1:ff00:2"
assert group_mac(solicited_node(HOST_IP)) == "33:33:ff:00:00:02"
assert solicited_node(OUR_IP) == "ff02::1:ff00:1"
assert solicited_node(OUR_LINK_LOCAL) == "ff02::1:ff00:1"
assert group_mac(ALL_NODES) == ALL_NODES_MAC

vectors = []


def add(name, packet):
    data = bytes(packet)
    vectors.append((name, data))
    return data


def ns(src_mac, src_ip, target, dst_ip=None, dst_mac=None, hlim=255, option=True, **icmp):
    dst_ip = dst_ip or solicited_node(target)
    dst_mac = dst_mac or group_mac(dst_ip)
    packet = (Ether(dst=dst_mac, src=src_mac) / IPv6(src=src_ip, dst=dst_ip, hlim=hlim) /
              ICMPv6ND_NS(tgt=target, **icmp))
    if option:
        packet = packet / ICMPv6NDOptSrcLLAddr(lladdr=src_mac)
    return packet


def na(src_mac, src_ip, dst_mac, dst_ip, target, R, S, O, lladdr=None, hlim=255):
    packet = (Ether(dst=dst_mac, src=src_mac) / IPv6(src=src_ip, dst=dst_ip, hlim=hlim) /
              ICMPv6ND_NA(tgt=target, R=R, S=S, O=O))
    if lladdr is not None:
        packet = packet / ICMPv6NDOptDstLLAddr(lladdr=lladdr)
    return packet


# --- What the gateway sends ---------------------------------------------------------------------
# Our solicitation for HOST_IP: Ether 33:33:ff:00:00:02, IPv6 ff02::1:ff00:2, source LL option.
out = add("ns_out", ns(OUR_MAC, OUR_IP, HOST_IP))
assert len(out) == 86 and out[:6] == bytes.fromhex("3333ff000002")
assert out[14 + 7] == 255 and out[14 + 24:14 + 40] == pton("ff02::1:ff00:2")
# The same from a port without a configured IPv6 address: from its link-local address.
add("ns_out_from_link_local", ns(OUR_MAC, OUR_LINK_LOCAL, HOST_LINK_LOCAL))
# Our answer to ns_in_host: solicited, router, override, target LL option = our MAC.
out = add("na_solicited_out", na(OUR_MAC, OUR_IP, HOST_MAC, HOST_IP, OUR_IP, 1, 1, 1, OUR_MAC))
assert len(out) == 86 and out[14 + 40 + 4] == 0xE0
# Our answer to ns_in_link_local (an NS for our EUI-64 link-local address).
add("na_link_local_out",
    na(OUR_MAC, OUR_LINK_LOCAL, HOST_MAC, HOST_LINK_LOCAL, OUR_LINK_LOCAL, 1, 1, 1, OUR_MAC))
# Our answer to ns_in_unicast_no_option: to the Ethernet source, as there is no option.
add("na_unicast_out", na(OUR_MAC, OUR_IP, HOST_MAC, HOST_IP, OUR_IP, 1, 1, 1, OUR_MAC))
# Our answer to ns_in_host_proxy_ll: to the MAC of its source LL option.
add("na_to_proxy_out", na(OUR_MAC, OUR_IP, PROXY_MAC, HOST_IP, OUR_IP, 1, 1, 1, OUR_MAC))
# Our answer to duplicate address detection (ns_in_dad): to all nodes, router + override.
out = add("na_dad_out",
          na(OUR_MAC, OUR_IP, ALL_NODES_MAC, ALL_NODES, OUR_IP, 1, 0, 1, OUR_MAC))
assert len(out) == 86 and out[14 + 40 + 4] == 0xA0

# --- Valid input --------------------------------------------------------------------------------
# A host resolving our address (multicast, source LL option).
add("ns_in_host", ns(HOST_MAC, HOST_IP, OUR_IP))
# The same with a source LL option that differs from the Ethernet source: the option wins.
add("ns_in_host_proxy_ll",
    Ether(dst=group_mac(solicited_node(OUR_IP)), src=HOST_MAC) /
    IPv6(src=HOST_IP, dst=solicited_node(OUR_IP), hlim=255) / ICMPv6ND_NS(tgt=OUR_IP) /
    ICMPv6NDOptSrcLLAddr(lladdr=PROXY_MAC))
# A host resolving our link-local address, from its own link-local address.
add("ns_in_link_local", ns(HOST_MAC, HOST_LINK_LOCAL, OUR_LINK_LOCAL))
# Neighbour unreachability detection: unicast to us, no option (RFC 4861 7.2.2 allows it).
add("ns_in_unicast_no_option",
    ns(HOST_MAC, HOST_IP, OUR_IP, dst_ip=OUR_IP, dst_mac=OUR_MAC, option=False))
# Duplicate address detection for our address: from ::, no option.
add("ns_in_dad", ns(HOST_MAC, "::", OUR_IP, option=False))
# A host resolving somebody else.
add("ns_in_other", ns(HOST_MAC, HOST_IP, OTHER_IP))
# Unknown options (nonce, type 14, RFC 3971) around the source LL option: skipped.
add("ns_in_with_nonce",
    Ether(dst=group_mac(solicited_node(OUR_IP)), src=HOST_MAC) /
    IPv6(src=HOST_IP, dst=solicited_node(OUR_IP), hlim=255) / ICMPv6ND_NS(tgt=OUR_IP) /
    Raw(bytes([14, 1, 1, 2, 3, 4, 5, 6])) / ICMPv6NDOptSrcLLAddr(lladdr=HOST_MAC) /
    Raw(bytes([14, 2, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4])))
# The host's answer to ns_out: solicited, override, its MAC in the target LL option.
add("na_in", na(HOST_MAC, HOST_IP, OUR_MAC, OUR_IP, HOST_IP, 0, 1, 1, HOST_MAC))
# The same with a target LL option that differs from the Ethernet source: the option wins.
add("na_in_proxy", na(HOST_MAC, HOST_IP, OUR_MAC, OUR_IP, HOST_IP, 0, 1, 1, PROXY_MAC))
# The same without the option (allowed for a solicited NA to a unicast address).
add("na_in_no_option", na(HOST_MAC, HOST_IP, OUR_MAC, OUR_IP, HOST_IP, 1, 1, 0))
# Solicited but without the override flag, with a different link-layer address (as an anycast
# or proxy answer): completes a resolution, but must not change a known entry (RFC 4861 7.2.5).
add("na_in_no_override", na(HOST_MAC, HOST_IP, OUR_MAC, OUR_IP, HOST_IP, 0, 1, 0, PROXY_MAC))
# Solicited, but answering another host (fd0a::3), not us.
add("na_in_for_other", na(HOST_MAC, HOST_IP, "02:00:00:00:00:03", "fd0a::3", HOST_IP, 0, 1, 1,
                          HOST_MAC))
# Unsolicited, to all nodes, for an address nobody asked about.
add("na_in_unsolicited", na(HOST_MAC, UNKNOWN_IP, ALL_NODES_MAC, ALL_NODES, UNKNOWN_IP, 0, 0, 1,
                            HOST_MAC))
# Other ICMPv6 and non-ICMPv6 packets, for nd_type.
add("rs_in", Ether(dst=group_mac(ALL_ROUTERS), src=HOST_MAC) /
    IPv6(src=HOST_LINK_LOCAL, dst=ALL_ROUTERS, hlim=255) / ICMPv6ND_RS() /
    ICMPv6NDOptSrcLLAddr(lladdr=HOST_MAC))
add("ra_in", Ether(dst=ALL_NODES_MAC, src=ROUTER_MAC) /
    IPv6(src=ROUTER_LINK_LOCAL, dst=ALL_NODES, hlim=255) /
    ICMPv6ND_RA(chlim=64, routerlifetime=1800) / ICMPv6NDOptSrcLLAddr(lladdr=ROUTER_MAC))
add("redirect_in", Ether(dst=OUR_MAC, src=ROUTER_MAC) /
    IPv6(src=ROUTER_LINK_LOCAL, dst=OUR_LINK_LOCAL, hlim=255) /
    ICMPv6ND_Redirect(tgt="fe80::5", dst="2001:db8::5"))
add("echo_in", Ether(dst=OUR_MAC, src=HOST_MAC) / IPv6(src=HOST_IP, dst=OUR_IP, hlim=64) /
    ICMPv6EchoRequest(id=7, seq=1, data=b"ping"))
# The first byte after the IPv6 header is 135 (the source port), as an NS type byte would be.
add("udp_in", Ether(dst=OUR_MAC, src=HOST_MAC) / IPv6(src=HOST_IP, dst=OUR_IP, hlim=64) /
    UDP(sport=0x8788, dport=5001) / Raw(bytes([135] * 32)))

# --- Invalid neighbour solicitations and advertisements (RFC 4861 7.1.1, 7.1.2) ------------------
# Each differs from a valid one in one respect; scapy recomputes the checksum unless noted.
add("bad_ns_hop_limit_64", ns(HOST_MAC, HOST_IP, OUR_IP, hlim=64))
add("bad_na_hop_limit_64", na(HOST_MAC, HOST_IP, OUR_MAC, OUR_IP, HOST_IP, 0, 1, 1, HOST_MAC,
                              hlim=64))
good = ns(HOST_MAC, HOST_IP, OUR_IP)
right = IPv6(bytes(good[IPv6]))[ICMPv6ND_NS].cksum
add("bad_ns_checksum", ns(HOST_MAC, HOST_IP, OUR_IP, cksum=(right + 1) & 0xFFFF))
add("bad_ns_code_1", ns(HOST_MAC, HOST_IP, OUR_IP, code=1))
add("bad_ns_option_length_0",
    Ether(dst=group_mac(solicited_node(OUR_IP)), src=HOST_MAC) /
    IPv6(src=HOST_IP, dst=solicited_node(OUR_IP), hlim=255) / ICMPv6ND_NS(tgt=OUR_IP) /
    ICMPv6NDOptSrcLLAddr(len=0, lladdr=HOST_MAC))
add("bad_na_option_length_0",
    Ether(dst=OUR_MAC, src=HOST_MAC) / IPv6(src=HOST_IP, dst=OUR_IP, hlim=255) /
    ICMPv6ND_NA(tgt=HOST_IP, S=1, O=1) / ICMPv6NDOptDstLLAddr(len=0, lladdr=HOST_MAC))
# The option claims 16 bytes; 8 are there.
add("bad_ns_option_overrun",
    Ether(dst=group_mac(solicited_node(OUR_IP)), src=HOST_MAC) /
    IPv6(src=HOST_IP, dst=solicited_node(OUR_IP), hlim=255) / ICMPv6ND_NS(tgt=OUR_IP) /
    ICMPv6NDOptSrcLLAddr(len=2, lladdr=HOST_MAC))
# From the unspecified address with a source LL option.
add("bad_ns_dad_with_ll", ns(HOST_MAC, "::", OUR_IP))
# From the unspecified address to a unicast address (not a solicited-node group).
add("bad_ns_dad_unicast", ns(HOST_MAC, "::", OUR_IP, dst_ip=OUR_IP, dst_mac=OUR_MAC,
                             option=False))
# A multicast target.
add("bad_ns_target_multicast", ns(HOST_MAC, HOST_IP, "ff02::1:ff00:1",
                                  dst_ip=solicited_node(OUR_IP)))
add("bad_na_target_multicast", na(HOST_MAC, HOST_IP, OUR_MAC, OUR_IP, ALL_NODES, 0, 1, 1,
                                  HOST_MAC))
# Solicited flag on an advertisement to a multicast address.
add("bad_na_solicited_multicast", na(HOST_MAC, HOST_IP, ALL_NODES_MAC, ALL_NODES, HOST_IP, 0, 1,
                                     1, HOST_MAC))
# An NS cut to 20 ICMPv6 bytes (24 is the minimum), with a correct checksum over those 20.
header = IPv6(src=HOST_IP, dst=solicited_node(OUR_IP), hlim=255, nh=58)
message = bytearray(bytes(ICMPv6ND_NS(tgt=OUR_IP, cksum=0))[:20])
message[2:4] = b"\0\0"
checksum = in6_chksum(58, header / Raw(bytes(message)), bytes(message))
message[2:4] = checksum.to_bytes(2, "big")
out = add("bad_ns_too_short", Ether(dst=group_mac(solicited_node(OUR_IP)), src=HOST_MAC) /
          header / Raw(bytes(message)))
assert len(out) == 14 + 40 + 20 and out[14 + 4:14 + 6] == b"\x00\x14"

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ndp_vectors.txt")
with open(path, "w") as f:
    f.write("# Generated by tests/data/make_ndp_vectors.py (scapy); do not edit.\n")
    f.write("# One vector a line: name, then the Ethernet frame in hex.\n")
    for name, data in vectors:
        f.write(f"{name} {data.hex()}\n")
print(f"wrote {len(vectors)} vectors to {path}", file=sys.stderr)
