// IPv4 fragmentation of inner packets above the tunnel MTU that allow it (DF clear), done the
// way a router does before it forwards: DPDK's rte_ip_frag splits the packet, each fragment
// becomes a complete Ethernet frame of its own and is then forwarded like any other packet.
// Reassembly is the destination host's job (RFC 791), so the gateway never reassembles.
#pragma once

#include <cstddef>
#include <cstdint>

struct rte_mbuf;
struct rte_mempool;

namespace actorwire::io {

// More fragments than this for one packet are refused (a 9000-byte jumbo frame at the IPv6
// minimum MTU needs 8).
inline constexpr std::size_t kMaxFragments = 16;

// Whether the validated IPv4 packet may be fragmented (DF clear).
bool ipv4_may_fragment(const std::uint8_t* ip);

// Splits the frame `frame` (an IPv4 packet at `l3_offset`, `l3_length` bytes, DF clear) into
// frames whose IP packets fit `mtu`, allocated from `pool`, each single-segment and with a copy
// of the original L2 header, the `l3_offset` bytes in front of the IP packet (14 for plain
// Ethernet, more with VLAN tags): rte_ipv4_fragment_copy_nonseg_packet, copies rather than
// chained indirect mbufs because sealing works on contiguous frames. Returns how many it put in
// `out` (in order, at most kMaxFragments), or 0 when it cannot (no mbufs, too many fragments);
// `frame` stays the caller's either way (its data start may have moved).
std::size_t fragment_ipv4_frame(rte_mbuf* frame, std::size_t l3_offset, std::size_t l3_length,
                                std::uint16_t mtu, rte_mempool* pool, rte_mbuf** out);

}  // namespace actorwire::io
