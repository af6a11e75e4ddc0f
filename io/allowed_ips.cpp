#include "io/allowed_ips.hpp"

#include <rte_fib.h>
#include <rte_lpm6.h>
#include <rte_memory.h>

#include <algorithm>
#include <array>

namespace actorwire::io {
namespace {

// The tables hold peer index + 1, so that their default next hop 0 ("no route") comes back as
// kNoPeer (0 - 1 wraps to UINT32_MAX) without a branch.
constexpr std::uint64_t kFibNoRoute = 0;
std::uint64_t fib_next_hop(std::uint32_t peer) {
  return std::uint64_t{peer} + 1;
}
std::uint32_t peer_of(std::uint64_t next_hop) {
  return static_cast<std::uint32_t>(next_hop) - 1;
}

constexpr std::size_t kFirstLevelBytes = 3;  // both tables: the first level is 24 bits

// rte_fib passes max_routes on as its rte_rib's node count, and a binary tree of n routes has up
// to n - 1 branch nodes besides them.
int rib_nodes_for(std::size_t routes) {
  return static_cast<int>(2 * routes + 1);
}

bool acceptable(const AllowedIps::Route& route) {
  return route.peer < AllowedIps::kMaxPeers &&
         route.prefix.length <= (route.prefix.address.is_v6 ? 128 : 32);
}

// Second-level groups (tbl8s) a table with a 24-bit first level and 8 bits per further level
// (rte_fib's DIR-24-8, rte_lpm6) needs for `routes`: one per distinct start of k bytes
// (k = 3 .. address bytes - 1) that a prefix longer than 8k bits has.
std::uint32_t groups_needed(const std::vector<AllowedIps::Route>& routes, std::size_t bytes) {
  std::uint32_t groups = 0;
  std::vector<std::array<std::uint8_t, 16>> starts;
  for (std::size_t k = kFirstLevelBytes; k < bytes; ++k) {
    starts.clear();
    for (const auto& route : routes) {
      if (route.prefix.length <= 8 * k) continue;
      auto start = route.prefix.address.bytes;
      std::fill(start.begin() + static_cast<std::ptrdiff_t>(k), start.end(), 0);
      starts.push_back(start);
    }
    std::sort(starts.begin(), starts.end());
    groups +=
        static_cast<std::uint32_t>(std::unique(starts.begin(), starts.end()) - starts.begin());
  }
  return groups;
}

}  // namespace

AllowedIps::AllowedIps(const std::string& name, const std::vector<Route>& routes) {
  std::vector<Route> v4;
  std::vector<Route> v6;
  for (const Route& route : routes) {
    if (!acceptable(route)) {
      valid_ = false;
      continue;
    }
    (route.prefix.address.is_v6 ? v6 : v4).push_back(route);
  }
  if (!v4.empty() && !build_v4(name, v4)) valid_ = false;
  if (!v6.empty() && !build_v6(name, v6)) valid_ = false;
}

AllowedIps::~AllowedIps() {
  rte_fib_free(v4_);
  rte_lpm6_free(v6_);
}

bool AllowedIps::build_v4(const std::string& name, const std::vector<Route>& routes) {
  rte_fib_conf conf{};
  conf.type = RTE_FIB_DIR24_8;
  conf.default_nh = kFibNoRoute;
  conf.max_routes = rib_nodes_for(routes.size());
  conf.dir24_8.nh_sz = RTE_FIB_DIR24_8_4B;
  conf.dir24_8.num_tbl8 = std::max<std::uint32_t>(groups_needed(routes, 4), 1);
  v4_ = rte_fib_create((name + "4").c_str(), SOCKET_ID_ANY, &conf);
  if (v4_ == nullptr) return false;
  bool all_added = true;
  for (const Route& route : routes) {
    if (rte_fib_add(v4_, route.prefix.address.v4_host_order(), route.prefix.length,
                    fib_next_hop(route.peer)) != 0) {
      all_added = false;
    }
  }
  return all_added;
}

bool AllowedIps::build_v6(const std::string& name, const std::vector<Route>& routes) {
  // rte_lpm6 refuses length 0, yet ::/0 is WireGuard's most common IPv6 allowed_ips: it goes in
  // as its two /1 halves, which match the same addresses. They go in first, so that a real /1
  // (longer than /0) of another peer, added later, replaces its half whatever the route order.
  std::vector<Route> lpm_routes;
  for (const Route& route : routes) {
    if (route.prefix.length != 0) continue;
    Route half = route;
    half.prefix.length = 1;
    lpm_routes.push_back(half);
    half.prefix.address.bytes[0] = 0x80;
    lpm_routes.push_back(half);
  }
  for (const Route& route : routes) {
    if (route.prefix.length != 0) lpm_routes.push_back(route);
  }
  rte_lpm6_config lpm_config{};
  lpm_config.max_rules = static_cast<std::uint32_t>(lpm_routes.size());
  lpm_config.number_tbl8s = std::max<std::uint32_t>(groups_needed(lpm_routes, 16), 1);
  v6_ = rte_lpm6_create((name + "6").c_str(), SOCKET_ID_ANY, &lpm_config);
  if (v6_ == nullptr) return false;
  bool all_added = true;
  for (const Route& route : lpm_routes) {
    if (rte_lpm6_add(v6_, route.prefix.address.bytes.data(), route.prefix.length,
                     fib_next_hop(route.peer)) != 0) {
      all_added = false;
    }
  }
  return all_added;
}

bool AllowedIps::update(const std::vector<Route>& removed, const std::vector<Route>& added) {
  for (const Route& route : removed) {
    const bool v6 = route.prefix.address.is_v6;
    if (v6 && route.prefix.length == 0) return false;  // went in as two /1 halves
    if (!v6 && v4_ != nullptr) {
      rte_fib_delete(v4_, route.prefix.address.v4_host_order(), route.prefix.length);
    } else if (v6 && v6_ != nullptr) {
      rte_lpm6_delete(v6_, route.prefix.address.bytes.data(), route.prefix.length);
    }
  }
  for (const Route& route : added) {
    if (!acceptable(route)) return false;
    const bool v6 = route.prefix.address.is_v6;
    if (v6 ? (v6_ == nullptr || route.prefix.length == 0) : v4_ == nullptr) return false;
    const int result = v6 ? rte_lpm6_add(v6_, route.prefix.address.bytes.data(),
                                         route.prefix.length, fib_next_hop(route.peer))
                          : rte_fib_add(v4_, route.prefix.address.v4_host_order(),
                                        route.prefix.length, fib_next_hop(route.peer));
    if (result != 0) return false;
  }
  return true;
}

std::uint32_t AllowedIps::lookup_v4(std::uint32_t address_host_order) const {
  if (v4_ == nullptr) return kNoPeer;
  std::uint64_t next_hop = kFibNoRoute;
  rte_fib_lookup_bulk(v4_, &address_host_order, &next_hop, 1);
  return peer_of(next_hop);
}

void AllowedIps::lookup_v4_bulk(std::span<std::uint32_t> addresses_host_order,
                                std::span<std::uint32_t> peers) const {
  if (v4_ == nullptr) {
    std::fill_n(peers.begin(), addresses_host_order.size(), kNoPeer);
    return;
  }
  constexpr std::size_t kChunk = 64;
  std::array<std::uint64_t, kChunk> next_hops;
  for (std::size_t done = 0; done < addresses_host_order.size(); done += kChunk) {
    const std::size_t count = std::min(kChunk, addresses_host_order.size() - done);
    rte_fib_lookup_bulk(v4_, addresses_host_order.data() + done, next_hops.data(),
                        static_cast<int>(count));
    for (std::size_t i = 0; i < count; ++i) peers[done + i] = peer_of(next_hops[i]);
  }
}

std::uint32_t AllowedIps::lookup_v6(const std::uint8_t* address) const {
  if (v6_ == nullptr) return kNoPeer;
  std::uint32_t next_hop = kFibNoRoute;
  rte_lpm6_lookup(v6_, address, &next_hop);
  return peer_of(next_hop);
}

}  // namespace actorwire::io
