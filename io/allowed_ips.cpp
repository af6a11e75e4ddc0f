#include "io/allowed_ips.hpp"

#include <rte_lpm6.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include <algorithm>
#include <array>

namespace actorwire::io {
namespace {

constexpr std::uint32_t kFirstLevelEntries = 1u << 24;
constexpr std::uint32_t kGroupEntries = 256;
constexpr std::size_t kFirstLevelBytes = 3;  // both families: the first level is 24 bits

bool acceptable(const AllowedIps::Route& route) {
  return route.peer < AllowedIps::kMaxPeers &&
         route.prefix.length <= (route.prefix.address.is_v6 ? 128 : 32);
}

// Second-level groups a DIR-24-8 style table (rte_lpm, rte_lpm6) needs for `prefixes`: one per
// distinct start of k bytes (k = 3 .. address bytes - 1) that a prefix longer than 8k bits has.
std::uint32_t groups_needed(const std::vector<config::IpPrefix>& prefixes, std::size_t bytes) {
  std::uint32_t groups = 0;
  std::vector<std::array<std::uint8_t, 16>> starts;
  for (std::size_t k = kFirstLevelBytes; k < bytes; ++k) {
    starts.clear();
    for (const auto& prefix : prefixes) {
      if (prefix.length <= 8 * k) continue;
      auto start = prefix.address.bytes;
      std::fill(start.begin() + static_cast<std::ptrdiff_t>(k), start.end(), 0);
      starts.push_back(start);
    }
    std::sort(starts.begin(), starts.end());
    groups +=
        static_cast<std::uint32_t>(std::unique(starts.begin(), starts.end()) - starts.begin());
  }
  return groups;
}

std::vector<config::IpPrefix> prefixes_of(const std::vector<AllowedIps::Route>& routes) {
  std::vector<config::IpPrefix> prefixes;
  prefixes.reserve(routes.size());
  for (const auto& route : routes) prefixes.push_back(route.prefix);
  return prefixes;
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
  if (!v4.empty() && !build_v4(name, std::move(v4))) valid_ = false;
  if (!v6.empty() && !build_v6(name, v6)) valid_ = false;
}

AllowedIps::~AllowedIps() {
  rte_free(v4_first_);
  rte_free(v4_groups_);
  rte_lpm6_free(v6_);
}

bool AllowedIps::build_v4(const std::string& name, std::vector<Route> routes) {
  const std::uint32_t groups = groups_needed(prefixes_of(routes), 4);
  v4_first_ = static_cast<std::uint32_t*>(
      rte_zmalloc_socket((name + "4").c_str(), kFirstLevelEntries * sizeof(std::uint32_t),
                         RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY));
  if (groups != 0) {
    v4_groups_ = static_cast<std::uint32_t*>(rte_zmalloc_socket(
        (name + "4g").c_str(), std::size_t{groups} * kGroupEntries * sizeof(std::uint32_t),
        RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY));
  }
  if (v4_first_ == nullptr || (groups != 0 && v4_groups_ == nullptr)) return false;
  // Shortest first: each prefix overwrites what the shorter ones wrote inside it, so the
  // longest match is what stays; no per-entry depth and no rule list is needed. All prefixes
  // up to /24 (0.0.0.0/0 included) come before the first group exists, so they only ever
  // write the first level.
  std::stable_sort(routes.begin(), routes.end(), [](const Route& a, const Route& b) {
    return a.prefix.length < b.prefix.length;
  });
  std::uint32_t next_group = 0;
  for (const Route& route : routes) {
    const std::uint32_t address = route.prefix.address.v4_host_order();
    const std::uint32_t entry = kPeer | route.peer;
    if (route.prefix.length <= 24) {
      std::fill_n(v4_first_ + (address >> 8), 1u << (24 - route.prefix.length), entry);
      continue;
    }
    std::uint32_t& parent = v4_first_[address >> 8];
    if ((parent & kGroup) == 0) {
      // A new group starts out as what covered the whole /24 so far.
      std::fill_n(v4_groups_ + std::size_t{next_group} * kGroupEntries, kGroupEntries, parent);
      parent = kGroup | next_group++;
    }
    std::uint32_t* group = v4_groups_ + std::size_t{parent & kValue} * kGroupEntries;
    std::fill_n(group + (address & 0xff), 1u << (32 - route.prefix.length), entry);
  }
  return true;
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
  lpm_config.number_tbl8s = std::max<std::uint32_t>(groups_needed(prefixes_of(lpm_routes), 16), 1);
  v6_ = rte_lpm6_create((name + "6").c_str(), SOCKET_ID_ANY, &lpm_config);
  if (v6_ == nullptr) return false;
  bool all_added = true;
  for (const Route& route : lpm_routes) {
    if (rte_lpm6_add(v6_, route.prefix.address.bytes.data(), route.prefix.length, route.peer) !=
        0) {
      all_added = false;
    }
  }
  return all_added;
}

std::uint32_t AllowedIps::lookup_v6(const std::uint8_t* address) const {
  if (v6_ == nullptr) return kNoPeer;
  std::uint32_t next_hop = 0;
  return rte_lpm6_lookup(v6_, address, &next_hop) == 0 ? next_hop : kNoPeer;
}

}  // namespace actorwire::io
