// Receive-side scaling in software: the Toeplitz hash a NIC computes over a packet's addresses
// (and TCP/UDP ports), and the queue its redirection table maps that hash to. In-process
// (net_ring) ports have no hardware to do this, so whoever feeds their rx queues uses these
// functions and spreads flows over queues the way a multi-queue NIC would: one flow always on
// one queue, few flows on few queues.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace actorwire::io {

inline constexpr std::size_t kRssKeySize = 40;
// The Microsoft/Intel RSS verification key: the default key of many NIC drivers, and the one
// the published RSS verification suite (and so our known-answer tests) is computed with.
alignas(4) inline constexpr std::array<std::uint8_t, kRssKeySize> kDefaultRssKey{
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

// Entries of the redirection table that maps a hash to a queue (what most NICs have).
inline constexpr std::size_t kRssRedirectionTableSize = 128;

using Ipv6Bytes = std::array<std::uint8_t, 16>;  // network order

// Toeplitz hashes with kDefaultRssKey. IPv4 addresses and ports are in host order. The
// two-argument forms hash the addresses only (what a NIC does for non-TCP/UDP packets and for
// fragments); the four-argument forms add the TCP/UDP ports.
std::uint32_t rss_hash_ipv4(std::uint32_t source, std::uint32_t destination);
std::uint32_t rss_hash_ipv4(std::uint32_t source, std::uint32_t destination,
                            std::uint16_t source_port, std::uint16_t destination_port);
std::uint32_t rss_hash_ipv6(const Ipv6Bytes& source, const Ipv6Bytes& destination);
std::uint32_t rss_hash_ipv6(const Ipv6Bytes& source, const Ipv6Bytes& destination,
                            std::uint16_t source_port, std::uint16_t destination_port);

// The queue (0..queues-1) a NIC sends a packet with `hash` to when its redirection table is
// filled round-robin (entry i holds queue i % queues): queue = table[hash % table size]. With
// queues that do not divide the table size, the first queues get one entry more, as on a NIC.
std::uint16_t rss_queue(std::uint32_t hash, std::uint16_t queues);

// The queue a NIC with `queues` rx queues and RSS over IPv4/IPv6 TCP/UDP delivers this
// Ethernet frame to. IP packets hash their addresses, plus the ports for unfragmented TCP/UDP
// (IPv6: only when TCP/UDP directly follows the fixed header). Frames that are not valid IP
// (ARP, malformed) go to queue 0, like a NIC's default queue.
std::uint16_t rss_queue_for_frame(const std::uint8_t* frame, std::size_t length,
                                  std::uint16_t queues);

}  // namespace actorwire::io
