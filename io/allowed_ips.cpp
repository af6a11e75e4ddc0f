#include "io/allowed_ips.hpp"

#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_memory.h>

namespace actorwire::io {

AllowedIps::AllowedIps(const std::string& name, std::uint32_t max_rules) {
  rte_lpm_config v4_config{};
  v4_config.max_rules = max_rules;
  v4_config.number_tbl8s = 256;
  v4_ = rte_lpm_create((name + "4").c_str(), SOCKET_ID_ANY, &v4_config);
  rte_lpm6_config v6_config{};
  v6_config.max_rules = max_rules;
  v6_config.number_tbl8s = 1 << 12;
  v6_ = rte_lpm6_create((name + "6").c_str(), SOCKET_ID_ANY, &v6_config);
}

AllowedIps::~AllowedIps() {
  rte_lpm_free(v4_);
  rte_lpm6_free(v6_);
}

bool AllowedIps::insert(const config::IpPrefix& prefix, std::uint32_t peer_index) {
  if (!valid() || peer_index >= (1u << 21)) return false;  // rte_lpm next hops are 24 bits
  if (prefix.address.is_v6 ? prefix.length > 128 : prefix.length > 32) return false;
  if (prefix.length == 0) {
    // rte_lpm and rte_lpm6 refuse depth 0, yet 0.0.0.0/0 and ::/0 are WireGuard's most common
    // allowed_ips: stored as their two /1 halves, which match exactly the same addresses and
    // lose to any longer prefix just the same.
    config::IpPrefix half = prefix;
    half.length = 1;
    half.address.bytes = {};
    if (!insert(half, peer_index)) return false;
    half.address.bytes[0] = 0x80;
    return insert(half, peer_index);
  }
  if (prefix.address.is_v6) {
    return rte_lpm6_add(v6_, prefix.address.bytes.data(), prefix.length, peer_index) == 0;
  }
  return rte_lpm_add(v4_, prefix.address.v4_host_order(), prefix.length, peer_index) == 0;
}

std::uint32_t AllowedIps::lookup_v4(std::uint32_t address_host_order) const {
  std::uint32_t next_hop = 0;
  return rte_lpm_lookup(v4_, address_host_order, &next_hop) == 0 ? next_hop : kNoPeer;
}

std::uint32_t AllowedIps::lookup_v6(const std::uint8_t* address) const {
  std::uint32_t next_hop = 0;
  return rte_lpm6_lookup(v6_, address, &next_hop) == 0 ? next_hop : kNoPeer;
}

std::uint32_t AllowedIps::lookup(const config::IpAddress& address) const {
  return address.is_v6 ? lookup_v6(address.bytes.data()) : lookup_v4(address.v4_host_order());
}

}  // namespace actorwire::io
