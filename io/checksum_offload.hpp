// The outer headers of a frame in an mbuf, with each checksum where it is cheapest: computed by
// the port where it offers the offload (the mbuf then carries the request: ol_flags, l2_len,
// l3_len, and the UDP field holds the pseudo-header sum the NIC starts from), in software
// otherwise. net_ring and af_packet ports offer none; most NICs offer both.
#pragma once

#include <cstddef>
#include <cstdint>

#include "io/headers.hpp"

struct rte_mbuf;

namespace actorwire::io {

// Writes Ethernet / IP / UDP at the start of `mbuf`'s data for the UDP payload of
// `payload_length` bytes already at data + outer.overhead(), as write_outer_udp(frame, ...) does,
// but leaves the checksums `outer.offloads` names to the port.
void write_outer_udp(rte_mbuf* mbuf, std::size_t payload_length, const OuterUdp& outer,
                     std::uint16_t ip_id);

// The ports' offloads that write_outer_udp uses, out of what a device offers (tx_offload_capa):
// what Port::open enables in txmode.offloads.
std::uint64_t wanted_tx_checksum_offloads(std::uint64_t tx_offload_capa);
ChecksumOffloads checksum_offloads_of(std::uint64_t enabled_tx_offloads);

}  // namespace actorwire::io
