// The outbound data path for one packet, without any actor around it: an Ethernet frame with an
// inner IP packet becomes Ethernet / IPv4 or IPv6 / UDP / WireGuard transport, sealed in place in
// its mbuf. Shared by every topology.
#pragma once

#include <cstdint>

#include "crypto/aead.hpp"
#include "io/headers.hpp"

struct rte_mbuf;

namespace actorwire::io {

enum class EncapsulateResult : std::uint8_t {
  kOk,
  kMultiSegment,  // chained mbufs are not sealed in place
  kInnerTooBig,   // inner packet longer than the tunnel MTU
  kNoRoom,        // not enough head- or tailroom for outer headers, padding and tag
};

struct SealParams {
  const crypto::SecretKey* key = nullptr;
  std::uint32_t receiver_index = 0;
  std::uint64_t counter = 0;
};

// `frame` describes the inner packet inside `mbuf` (from parse_frame). On kOk the mbuf holds the
// complete outer frame; on failure the mbuf is unchanged or partly trimmed and must be dropped.
EncapsulateResult encapsulate(rte_mbuf* mbuf, const ParsedFrame& frame, crypto::Aead& aead,
                              const SealParams& seal, const OuterUdp& outer, std::uint16_t mtu,
                              std::uint16_t ip_id);

// encapsulate in two steps, for sealing a burst at once. prepare_encapsulation checks the room,
// lays the frame out, writes the transport header and padding and describes the seal in `job`
// (its key pointer is seal.key); on kOk `message_length` is the WireGuard message's length.
// Once Aead::seal_batch has run the job, finish_encapsulation writes the outer headers (their
// UDP checksum covers the sealed message).
EncapsulateResult prepare_encapsulation(rte_mbuf* mbuf, const ParsedFrame& frame,
                                        const SealParams& seal, const OuterUdp& outer,
                                        std::uint16_t mtu, crypto::AeadJob& job,
                                        std::size_t& message_length);
void finish_encapsulation(rte_mbuf* mbuf, std::size_t message_length, const OuterUdp& outer,
                          std::uint16_t ip_id);

}  // namespace actorwire::io
