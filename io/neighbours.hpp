// The neighbours of one port, IPv4 (ARP) and IPv6 (neighbour discovery): static entries from
// the config win over learned ones; the ARP responder answers for the port's own addresses.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "config/gateway_config.hpp"
#include "io/headers.hpp"
#include "io/ndp.hpp"

namespace actorwire::io {

// Keyed by a host-order IPv4 address (ARP) or an IPv6 address (neighbour discovery).
template <class Address>
class BasicNeighbourTable {
 public:
  void add_static(const Address& ip, const config::MacAddress& mac) {
    for (auto& entry : entries_) {
      if (entry.ip == ip) {
        entry = {ip, mac, true};
        return;
      }
    }
    entries_.push_back({ip, mac, true});
  }
  // Learns from ARP or ND; never overrides a static entry. Returns true when an entry changed.
  bool learn(const Address& ip, const config::MacAddress& mac) {
    for (auto& entry : entries_) {
      if (entry.ip != ip) continue;
      if (entry.is_static || entry.mac == mac) return false;
      entry.mac = mac;
      return true;
    }
    entries_.push_back({ip, mac, false});
    return true;
  }
  const config::MacAddress* find(const Address& ip) const {
    for (const auto& entry : entries_) {
      if (entry.ip == ip) return &entry.mac;
    }
    return nullptr;
  }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Address ip;
    config::MacAddress mac;
    bool is_static;
  };
  // A gateway port has a handful of neighbours (next hops), so a flat vector beats a hash map.
  std::vector<Entry> entries_;
};
using NeighbourTable = BasicNeighbourTable<std::uint32_t>;
using Ipv6NeighbourTable = BasicNeighbourTable<Ipv6Address>;

// What a port knows about itself for ARP and next-hop decisions.
struct PortIdentity {
  config::MacAddress mac;
  std::vector<config::IpPrefix> addresses;       // IPv4 and IPv6 interface addresses
  std::optional<config::IpAddress> next_hop;     // IPv4
  std::optional<config::IpAddress> next_hop_v6;  // IPv6

  bool owns(std::uint32_t ipv4) const;
  // First IPv4 address of the port (host order), 0 if none.
  std::uint32_t primary_ipv4() const;
  // The neighbour to send to for `destination`: itself when on-link, else the next hop.
  std::optional<std::uint32_t> next_hop_for(std::uint32_t destination) const;

  // IPv6: the port's addresses include its EUI-64 link-local address.
  bool owns_v6(const Ipv6Address& address) const;
  // The address our neighbour solicitations come from: the first configured IPv6 address, else
  // the link-local one.
  Ipv6Address primary_ipv6() const;
  // On-link (a configured prefix, or link-local): the destination itself; else the IPv6 next hop.
  std::optional<Ipv6Address> next_hop_for_v6(const Ipv6Address& destination) const;
};

enum class ArpAction { kIgnore, kReply, kLearned };

// Handles a received ARP packet: learns the sender when it is addressed to us, and fills
// `reply` when it is a request for one of our addresses.
ArpAction process_arp(const ArpPacket& arp, const PortIdentity& port, NeighbourTable& table,
                      ArpPacket& reply);

// The broadcast request that resolves `target` from this port.
ArpPacket make_arp_request(const PortIdentity& port, std::uint32_t target);

}  // namespace actorwire::io
