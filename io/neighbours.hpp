// IPv4 neighbours of one port: static entries from the config win over ARP-learned ones; the
// ARP responder answers for the port's own addresses.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "config/gateway_config.hpp"
#include "io/headers.hpp"

namespace actorwire::io {

class NeighbourTable {
 public:
  void add_static(std::uint32_t ip, const config::MacAddress& mac);
  // Learns from ARP; never overrides a static entry. Returns true when an entry changed.
  bool learn(std::uint32_t ip, const config::MacAddress& mac);
  const config::MacAddress* find(std::uint32_t ip) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint32_t ip;
    config::MacAddress mac;
    bool is_static;
  };
  // A gateway port has a handful of neighbours (next hops), so a flat vector beats a hash map.
  std::vector<Entry> entries_;
};

// What a port knows about itself for ARP and next-hop decisions.
struct PortIdentity {
  config::MacAddress mac;
  std::vector<config::IpPrefix> addresses;  // IPv4 and IPv6 interface addresses
  std::optional<config::IpAddress> next_hop;

  bool owns(std::uint32_t ipv4) const;
  // First IPv4 address of the port (host order), 0 if none.
  std::uint32_t primary_ipv4() const;
  // The neighbour to send to for `destination`: itself when on-link, else the next hop.
  std::optional<std::uint32_t> next_hop_for(std::uint32_t destination) const;
};

enum class ArpAction { kIgnore, kReply, kLearned };

// Handles a received ARP packet: learns the sender when it is addressed to us, and fills
// `reply` when it is a request for one of our addresses.
ArpAction process_arp(const ArpPacket& arp, const PortIdentity& port, NeighbourTable& table,
                      ArpPacket& reply);

// The broadcast request that resolves `target` from this port.
ArpPacket make_arp_request(const PortIdentity& port, std::uint32_t target);

}  // namespace actorwire::io
