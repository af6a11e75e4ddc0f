#include "actors/dataplane/packet_crypto.hpp"

#include <rte_mbuf.h>

#include <array>
#include <vector>

#include "crypto/transport.hpp"
#include "io/encapsulation.hpp"

namespace actorwire::actors {

bool outer_headers(const OuterSource& source, const config::IpAddress& destination,
                   std::uint16_t destination_port, io::OuterUdp& out) {
  out.source_mac = source.mac;
  out.destination_mac = config::MacAddress{};  // the transmitting PortSide writes it
  out.destination = destination;
  out.source_port = source.port;
  out.destination_port = destination_port;
  out.offloads = source.offloads;
  if (!destination.is_v6) {
    out.source = config::IpAddress::v4(source.ip);
    return true;
  }
  if (!source.ip6) return false;
  out.source.is_v6 = true;
  out.source.bytes = *source.ip6;
  return true;
}

DropReason seal_frame(rte_mbuf* mbuf, const io::ParsedFrame& frame, const CryptoArgs& args,
                      crypto::Aead& aead, const OuterSource& source, std::uint16_t mtu,
                      std::uint16_t ip_id) {
  io::OuterUdp outer;
  if (!outer_headers(source, args.endpoint_address(), args.endpoint_port, outer)) {
    return DropReason::kNoEndpoint;  // an IPv6 peer, and no IPv6 address on the WAN
  }
  const io::SealParams seal{&args.key, args.receiver_index, args.counter};
  return drop_reason_of(io::encapsulate(mbuf, frame, aead, seal, outer, mtu, ip_id));
}

DropReason drop_reason_of(io::EncapsulateResult result) {
  switch (result) {
    case io::EncapsulateResult::kOk:
      return DropReason::kNone;
    case io::EncapsulateResult::kInnerTooBig:
      return DropReason::kInnerTooBig;
    case io::EncapsulateResult::kMultiSegment:
    case io::EncapsulateResult::kNoRoom:
      break;
  }
  return DropReason::kNoBufferRoom;
}

std::optional<std::size_t> open_frame(rte_mbuf* mbuf, const io::InboundUdp& udp,
                                      const crypto::TransportHeader& header, const CryptoArgs& args,
                                      crypto::Aead& aead) {
  auto* message = rte_pktmbuf_mtod(mbuf, std::uint8_t*) + udp.message_offset;
  return crypto::open_transport(aead, args.key, header, message, udp.message_length);
}

rte_mbuf* make_keepalive_frame(rte_mempool* pool, const CryptoArgs& args, crypto::Aead& aead,
                               const OuterSource& source, std::uint16_t mtu, std::uint16_t ip_id) {
  std::array<std::uint8_t, wg::kKeepaliveSize> message;
  crypto::seal_transport(aead, args.key, args.receiver_index, args.counter, message.data(), 0, mtu);
  const config::Endpoint destination{args.endpoint_address(), args.endpoint_port};
  return make_datagram_frame(
      pool, destination, std::vector<std::uint8_t>(message.begin(), message.end()), source, ip_id);
}

rte_mbuf* make_datagram_frame(rte_mempool* pool, const config::Endpoint& destination,
                              const std::vector<std::uint8_t>& payload, const OuterSource& source,
                              std::uint16_t ip_id) {
  io::OuterUdp outer;
  if (!outer_headers(source, destination.address, destination.port, outer)) return nullptr;
  rte_mbuf* mbuf = rte_pktmbuf_alloc(pool);
  if (mbuf == nullptr) return nullptr;
  if (!io::build_udp_frame(mbuf, outer, payload.data(), payload.size(), ip_id)) {
    rte_pktmbuf_free(mbuf);
    return nullptr;
  }
  return mbuf;
}

}  // namespace actorwire::actors
