// The inbound data path for one frame, without any actor around it: recognise WireGuard UDP
// addressed to us on the WAN port, and turn an opened transport message back into an Ethernet
// frame for the LAN, in place in its mbuf. Also builds the frames the gateway originates
// (handshake datagrams, keepalives). Shared by every topology.
#pragma once

#include <cstddef>
#include <cstdint>

#include "config/gateway_config.hpp"
#include "io/headers.hpp"
#include "io/ndp.hpp"

struct rte_mbuf;

namespace actorwire::io {

enum class InboundKind : std::uint8_t {
  kTransport,  // type 4
  kHandshake,  // types 1, 2, 3 (size checked by the control plane)
  kOther,      // anything else on our port
};

struct InboundUdp {
  InboundKind kind = InboundKind::kOther;
  bool is_v6 = false;  // the outer header's family
  config::Endpoint source;
  std::size_t message_offset = 0;  // WireGuard message, from the start of the frame
  std::size_t message_length = 0;
  std::size_t ip_offset = 0;
};

enum class InboundError : std::uint8_t {
  kNone,
  kFrame,        // see `frame_error`
  kNotForUs,     // not UDP, not our address, not our port
  kUnsupported,  // IPv6 with an extension header before the transport header
};

// Classifies a WAN frame already parsed by parse_frame. `frame_error` is set for kFrame.
// `our_ipv6` is null when the WAN port has no IPv6 address (IPv6 is then never for us).
InboundError classify_inbound(const std::uint8_t* data, const ParsedFrame& frame,
                              std::uint32_t our_ipv4, const Ipv6Address* our_ipv6,
                              std::uint16_t listen_port, InboundUdp& out, FrameError& frame_error);

// After the transport message at `message_offset` was opened in place: the decrypted inner IP
// packet (`inner_length` bytes, padding excluded) becomes an Ethernet frame. Returns false if the
// mbuf is chained.
bool decapsulate(rte_mbuf* mbuf, std::size_t plaintext_offset, std::size_t inner_length,
                 const config::MacAddress& destination, const config::MacAddress& source,
                 bool inner_is_v6);

// Fills an empty mbuf with Ethernet/IP/UDP around `payload`; false if it does not fit.
bool build_udp_frame(rte_mbuf* mbuf, const OuterUdp& outer, const std::uint8_t* payload,
                     std::size_t payload_length, std::uint16_t ip_id);
inline bool build_udp_frame(rte_mbuf* mbuf, const OuterIpv4Udp& outer, const std::uint8_t* payload,
                            std::size_t payload_length, std::uint16_t ip_id) {
  return build_udp_frame(mbuf, to_outer_udp(outer), payload, payload_length, ip_id);
}

}  // namespace actorwire::io
