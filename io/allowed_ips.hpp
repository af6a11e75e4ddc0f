// Allowed-IPs table: longest-prefix match from an inner IP address to a peer index, DPDK
// rte_lpm (DIR-24-8) for IPv4 and rte_lpm6 for IPv6. Outbound it picks the peer for a
// destination; inbound it checks that a decrypted packet's source belongs to its peer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/gateway_config.hpp"

struct rte_lpm;
struct rte_lpm6;

namespace actorwire::io {

class AllowedIps {
 public:
  static constexpr std::uint32_t kNoPeer = UINT32_MAX;

  // `name` must be unique in the process (DPDK names its memory zones).
  AllowedIps(const std::string& name, std::uint32_t max_rules);
  ~AllowedIps();
  AllowedIps(const AllowedIps&) = delete;
  AllowedIps& operator=(const AllowedIps&) = delete;

  bool valid() const { return v4_ != nullptr && v6_ != nullptr; }
  // False when the table is full or the prefix is invalid.
  bool insert(const config::IpPrefix& prefix, std::uint32_t peer_index);

  std::uint32_t lookup_v4(std::uint32_t address_host_order) const;
  std::uint32_t lookup_v6(const std::uint8_t* address) const;
  std::uint32_t lookup(const config::IpAddress& address) const;

 private:
  rte_lpm* v4_ = nullptr;
  rte_lpm6* v6_ = nullptr;
};

}  // namespace actorwire::io
