#include "io/decapsulation.hpp"

#include <rte_mbuf.h>

#include <cstring>

#include "crypto/messages.hpp"
#include "io/byte_order.hpp"
#include "io/checksum_offload.hpp"

namespace actorwire::io {

namespace {

// UDP directly after a validated IPv6 header: WireGuard's datagrams carry no extension headers.
InboundError classify_ipv6(const std::uint8_t* ip, const ParsedFrame& frame,
                           const Ipv6Address* our_ipv6, std::uint16_t listen_port, UdpView& udp,
                           FrameError& frame_error) {
  if (our_ipv6 == nullptr || std::memcmp(ip + 24, our_ipv6->data(), 16) != 0) {
    return InboundError::kNotForUs;
  }
  if (ip[6] != kIpProtoUdp) {
    // Hop-by-hop, routing, fragment or destination options before whatever follows: not parsed.
    const bool extension = ip[6] == 0 || ip[6] == 43 || ip[6] == 44 || ip[6] == 60;
    return extension ? InboundError::kUnsupported : InboundError::kNotForUs;
  }
  if (frame.l3_length < kIpv6HeaderSize + kUdpHeaderSize) {
    frame_error = FrameError::kTruncatedUdp;
    return InboundError::kFrame;
  }
  const std::uint8_t* header = ip + kIpv6HeaderSize;
  const std::size_t udp_length = load_be16(header + 4);
  if (udp_length < kUdpHeaderSize || udp_length != frame.l3_length - kIpv6HeaderSize) {
    frame_error = FrameError::kMalformedUdp;
    return InboundError::kFrame;
  }
  udp.source.is_v6 = true;
  std::memcpy(udp.source.bytes.data(), ip + 8, 16);
  udp.source_port = load_be16(header);
  udp.destination_port = load_be16(header + 2);
  udp.payload_offset = kIpv6HeaderSize + kUdpHeaderSize;
  udp.payload_length = udp_length - kUdpHeaderSize;
  return udp.destination_port == listen_port ? InboundError::kNone : InboundError::kNotForUs;
}

}  // namespace

InboundError classify_inbound(const std::uint8_t* data, const ParsedFrame& frame,
                              std::uint32_t our_ipv4, const Ipv6Address* our_ipv6,
                              std::uint16_t listen_port, InboundUdp& out, FrameError& frame_error) {
  const std::uint8_t* ip = data + frame.l3_offset;
  UdpView udp;
  if (frame.kind == FrameKind::kIpv6) {
    if (const auto error = classify_ipv6(ip, frame, our_ipv6, listen_port, udp, frame_error);
        error != InboundError::kNone) {
      return error;
    }
  } else {
    if (frame.kind != FrameKind::kIpv4 || ip[9] != kIpProtoUdp) return InboundError::kNotForUs;
    frame_error = parse_ipv4_udp(ip, frame.l3_length, udp);
    if (frame_error != FrameError::kNone) return InboundError::kFrame;
    if (udp.destination.v4_host_order() != our_ipv4 || udp.destination_port != listen_port) {
      return InboundError::kNotForUs;
    }
  }
  out.is_v6 = frame.kind == FrameKind::kIpv6;
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

bool build_udp_frame(rte_mbuf* mbuf, const OuterUdp& outer, const std::uint8_t* payload,
                     std::size_t payload_length, std::uint16_t ip_id) {
  const std::size_t overhead = outer.overhead();
  auto* frame = reinterpret_cast<std::uint8_t*>(
      rte_pktmbuf_append(mbuf, static_cast<std::uint16_t>(overhead + payload_length)));
  if (frame == nullptr) return false;
  if (payload != nullptr) std::memcpy(frame + overhead, payload, payload_length);
  write_outer_udp(mbuf, payload_length, outer, ip_id);
  return true;
}

}  // namespace actorwire::io
