#include "io/neighbours.hpp"

#include <algorithm>

namespace actorwire::io {

bool PortIdentity::owns(std::uint32_t ipv4) const {
  for (const auto& prefix : addresses) {
    if (!prefix.address.is_v6 && prefix.address.v4_host_order() == ipv4) return true;
  }
  return false;
}

std::uint32_t PortIdentity::primary_ipv4() const {
  for (const auto& prefix : addresses) {
    if (!prefix.address.is_v6) return prefix.address.v4_host_order();
  }
  return 0;
}

std::optional<std::uint32_t> PortIdentity::next_hop_for(std::uint32_t destination) const {
  for (const auto& prefix : addresses) {
    if (prefix.address.is_v6) continue;
    const std::uint32_t mask = prefix.length == 0 ? 0 : ~0u << (32 - prefix.length);
    if ((prefix.address.v4_host_order() & mask) == (destination & mask)) return destination;
  }
  if (next_hop && !next_hop->is_v6) return next_hop->v4_host_order();
  return std::nullopt;
}

bool PortIdentity::owns_v6(const Ipv6Address& address) const {
  if (address == link_local_address(mac)) return true;
  for (const auto& prefix : addresses) {
    if (prefix.address.is_v6 && prefix.address.bytes == address) return true;
  }
  return false;
}

Ipv6Address PortIdentity::primary_ipv6() const {
  for (const auto& prefix : addresses) {
    if (prefix.address.is_v6) return prefix.address.bytes;
  }
  return link_local_address(mac);
}

std::optional<Ipv6Address> PortIdentity::next_hop_for_v6(const Ipv6Address& destination) const {
  const bool link_local = destination[0] == 0xFE && (destination[1] & 0xC0) == 0x80;
  if (link_local) return destination;
  for (const auto& prefix : addresses) {
    if (!prefix.address.is_v6) continue;
    bool on_link = true;
    for (std::size_t bit = 0; bit < prefix.length && on_link; bit += 8) {
      const std::size_t bits = std::min<std::size_t>(8, prefix.length - bit);
      const auto mask = static_cast<std::uint8_t>(0xFF << (8 - bits));
      on_link = ((prefix.address.bytes[bit / 8] ^ destination[bit / 8]) & mask) == 0;
    }
    if (on_link) return destination;
  }
  if (next_hop_v6 && next_hop_v6->is_v6) return next_hop_v6->bytes;
  if (next_hop && next_hop->is_v6) return next_hop->bytes;  // a config built in code
  return std::nullopt;
}

ArpAction process_arp(const ArpPacket& arp, const PortIdentity& port, NeighbourTable& table,
                      ArpPacket& reply) {
  if (!port.owns(arp.target_ip)) return ArpAction::kIgnore;
  // RFC 826: the sender of a packet addressed to us is worth remembering (it is about to talk).
  if (arp.sender_ip != 0) table.learn(arp.sender_ip, arp.sender_mac);
  if (arp.operation != kArpRequest) return ArpAction::kLearned;
  reply.operation = kArpReply;
  reply.sender_mac = port.mac;
  reply.sender_ip = arp.target_ip;
  reply.target_mac = arp.sender_mac;
  reply.target_ip = arp.sender_ip;
  return ArpAction::kReply;
}

ArpPacket make_arp_request(const PortIdentity& port, std::uint32_t target) {
  ArpPacket request;
  request.operation = kArpRequest;
  request.sender_mac = port.mac;
  request.sender_ip = port.primary_ipv4();
  request.target_ip = target;
  return request;
}

}  // namespace actorwire::io
