// Allowed-IPs table: longest-prefix match from an inner IP address to a peer index. Outbound it
// picks the peer for a destination; inbound it checks that a decrypted packet's source belongs
// to its peer. Built once from all routes, with DPDK's longest-prefix-match libraries:
// - IPv4: rte_fib (DIR-24-8). Unlike rte_lpm, whose rte_lpm_add scans every rule of the same
//   length (50,000 /32s took a second), it keeps its rules in a tree (rte_rib) and takes a /0;
//   its second-level groups are sized from the routes, not a fixed guess.
// - IPv6: rte_lpm6, sized the same way. Not rte_fib6: its trie reserves second-level groups per
//   route, one per byte beyond /24 (13 for a /128), so 10,000 peers' /128s would need 130 MiB.
// A family without routes gets no table (an IPv4 first level is 64 MiB of DPDK memory).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"

struct rte_fib;
struct rte_lpm6;

namespace actorwire::io {

class AllowedIps {
 public:
  static constexpr std::uint32_t kNoPeer = UINT32_MAX;
  // Bounded by the peer indices we let the tables hold, far above any config we load.
  static constexpr std::uint32_t kMaxPeers =
      (1u << 21) - 1;  // rte_lpm6: 21-bit next hops, peer + 1

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

  // A reload's routes, changed in place: `removed` deleted, then `added` added (cheap: only
  // those routes are touched, the tables stay). False when it cannot be done in place (a family
  // without a table yet, a table full, an IPv6 /0, a route refused): the table may then be
  // half-changed, and the caller must replace it with one built from all routes before anything
  // looks it up again. Not safe against concurrent lookups: the owner calls it between batches.
  bool update(const std::vector<Route>& removed, const std::vector<Route>& added);

  std::uint32_t lookup_v4(std::uint32_t address_host_order) const;
  std::uint32_t lookup_v6(const std::uint8_t* address) const;
  std::uint32_t lookup(const config::IpAddress& address) const {
    return address.is_v6 ? lookup_v6(address.bytes.data()) : lookup_v4(address.v4_host_order());
  }
  // A batch of IPv4 lookups at once (what the FIB library is built for: it prefetches ahead).
  // `peers` must be at least as long as `addresses_host_order`.
  void lookup_v4_bulk(std::span<std::uint32_t> addresses_host_order,
                      std::span<std::uint32_t> peers) const;

 private:
  bool build_v4(const std::string& name, const std::vector<Route>& routes);
  bool build_v6(const std::string& name, const std::vector<Route>& routes);

  rte_fib* v4_ = nullptr;
  rte_lpm6* v6_ = nullptr;
  bool valid_ = true;
};

}  // namespace actorwire::io
