// Allowed-IPs table: longest-prefix match from an inner IP address to a peer index. Outbound it
// picks the peer for a destination; inbound it checks that a decrypted packet's source belongs
// to its peer. Built once from all routes, sized exactly for them:
// - IPv4: DIR-24-8 as in rte_lpm (a 2^24-entry first level, 256-entry second-level groups for
//   prefixes longer than /24), built here rather than with rte_lpm, whose rte_lpm_add scans all
//   rules of the same length (quadratic: 50,000 /32s took a second) and whose second-level
//   groups are a fixed number given up front;
// - IPv6: rte_lpm6, with exactly the second-level groups the routes need.
// A family without routes gets no table (each first level is 64 MiB of DPDK memory).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"

struct rte_lpm6;

namespace actorwire::io {

class AllowedIps {
 public:
  static constexpr std::uint32_t kNoPeer = UINT32_MAX;
  static constexpr std::uint32_t kMaxPeers = 1u << 21;  // rte_lpm6 next hops are 21 bits

  struct Route {
    config::IpPrefix prefix;
    std::uint32_t peer = 0;
  };

  // Any order: the longest matching prefix wins a lookup, whatever came first; of two equal
  // prefixes the later wins. `name` must be unique in the process (DPDK names its memory).
  AllowedIps(const std::string& name, const std::vector<Route>& routes);
  ~AllowedIps();
  AllowedIps(const AllowedIps&) = delete;
  AllowedIps& operator=(const AllowedIps&) = delete;

  // False when a table could not be allocated or a route was refused (bad length, peer index
  // not below kMaxPeers).
  bool valid() const { return valid_; }

  std::uint32_t lookup_v4(std::uint32_t address_host_order) const {
    if (v4_first_ == nullptr) return kNoPeer;
    std::uint32_t entry = v4_first_[address_host_order >> 8];
    if ((entry & kGroup) != 0) {
      entry = v4_groups_[((entry & kValue) << 8) | (address_host_order & 0xff)];
    }
    return (entry & kPeer) != 0 ? entry & kValue : kNoPeer;
  }
  std::uint32_t lookup_v6(const std::uint8_t* address) const;
  std::uint32_t lookup(const config::IpAddress& address) const {
    return address.is_v6 ? lookup_v6(address.bytes.data()) : lookup_v4(address.v4_host_order());
  }

 private:
  // IPv4 entries: kPeer and a peer index, kGroup and a second-level group index, or 0 (none).
  static constexpr std::uint32_t kPeer = 1u << 31;
  static constexpr std::uint32_t kGroup = 1u << 30;
  static constexpr std::uint32_t kValue = kGroup - 1;

  bool build_v4(const std::string& name, std::vector<Route> routes);
  bool build_v6(const std::string& name, const std::vector<Route>& routes);

  std::uint32_t* v4_first_ = nullptr;   // 2^24 entries, by the address's first 24 bits
  std::uint32_t* v4_groups_ = nullptr;  // 256 entries per group, by the last 8 bits
  rte_lpm6* v6_ = nullptr;
  bool valid_ = true;
};

}  // namespace actorwire::io
