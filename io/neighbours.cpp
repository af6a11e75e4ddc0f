#include "io/neighbours.hpp"

namespace actorwire::io {

void NeighbourTable::add_static(std::uint32_t ip, const config::MacAddress& mac) {
  for (auto& entry : entries_) {
    if (entry.ip == ip) {
      entry = {ip, mac, true};
      return;
    }
  }
  entries_.push_back({ip, mac, true});
}

bool NeighbourTable::learn(std::uint32_t ip, const config::MacAddress& mac) {
  for (auto& entry : entries_) {
    if (entry.ip != ip) continue;
    if (entry.is_static || entry.mac == mac) return false;
    entry.mac = mac;
    return true;
  }
  entries_.push_back({ip, mac, false});
  return true;
}

const config::MacAddress* NeighbourTable::find(std::uint32_t ip) const {
  for (const auto& entry : entries_) {
    if (entry.ip == ip) return &entry.mac;
  }
  return nullptr;
}

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
