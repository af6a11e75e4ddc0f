#include "io/decapsulation.hpp"

#include <rte_mbuf.h>

#include <cstring>

#include "crypto/messages.hpp"
#include "io/byte_order.hpp"

namespace actorwire::io {

InboundError classify_inbound(const std::uint8_t* data, const ParsedFrame& frame,
                              std::uint32_t our_ipv4, std::uint16_t listen_port, InboundUdp& out,
                              FrameError& frame_error) {
  if (frame.kind == FrameKind::kIpv6) return InboundError::kUnsupported;
  if (frame.kind != FrameKind::kIpv4) return InboundError::kNotForUs;
  const std::uint8_t* ip = data + frame.l3_offset;
  if (ip[9] != kIpProtoUdp) return InboundError::kNotForUs;
  UdpView udp;
  frame_error = parse_ipv4_udp(ip, frame.l3_length, udp);
  if (frame_error != FrameError::kNone) return InboundError::kFrame;
  if (udp.destination.v4_host_order() != our_ipv4 || udp.destination_port != listen_port) {
    return InboundError::kNotForUs;
  }
  out.source = config::Endpoint{udp.source, udp.source_port};
  out.ip_offset = frame.l3_offset;
  out.message_offset = frame.l3_offset + udp.payload_offset;
  out.message_length = udp.payload_length;
  const std::uint8_t type = out.message_length > 0 ? data[out.message_offset] : 0;
  out.kind = type == static_cast<std::uint8_t>(wg::MessageType::kTransport)
                 ? InboundKind::kTransport
             : type >= 1 && type <= 3 ? InboundKind::kHandshake
                                      : InboundKind::kOther;
  return InboundError::kNone;
}

bool decapsulate(rte_mbuf* mbuf, std::size_t plaintext_offset, std::size_t inner_length,
                 const config::MacAddress& destination, const config::MacAddress& source,
                 bool inner_is_v6) {
  if (mbuf->nb_segs != 1 || plaintext_offset < kEthernetHeaderSize) return false;
  // Cut everything before the new Ethernet header and everything after the inner packet
  // (padding, tag, Ethernet padding of the outer frame).
  rte_pktmbuf_adj(mbuf, static_cast<std::uint16_t>(plaintext_offset - kEthernetHeaderSize));
  rte_pktmbuf_trim(mbuf,
                   static_cast<std::uint16_t>(mbuf->data_len - kEthernetHeaderSize - inner_length));
  write_ethernet_header(rte_pktmbuf_mtod(mbuf, std::uint8_t*), destination, source,
                        inner_is_v6 ? kEtherTypeIpv6 : kEtherTypeIpv4);
  return true;
}

bool build_udp_frame(rte_mbuf* mbuf, const OuterIpv4Udp& outer, const std::uint8_t* payload,
                     std::size_t payload_length, std::uint16_t ip_id) {
  auto* frame = reinterpret_cast<std::uint8_t*>(
      rte_pktmbuf_append(mbuf, static_cast<std::uint16_t>(kOuterIpv4Overhead + payload_length)));
  if (frame == nullptr) return false;
  if (payload != nullptr) std::memcpy(frame + kOuterIpv4Overhead, payload, payload_length);
  write_outer_ipv4_udp(frame, payload_length, outer, ip_id);
  return true;
}

}  // namespace actorwire::io
