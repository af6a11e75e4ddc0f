// Configs with many peers for `actorwire bench --peers N`: the address plan of
// bench/make-peers-config.py (keep the two in step), written as TOML text so that loading it
// costs what loading such a file costs. Each peer has a static session (no handshake), a unique
// endpoint and 10 allowed-IPs prefixes: 5 IPv4 /32 tunnel addresses, 2 IPv4 /24 and 2 IPv6 /64
// site subnets, 1 IPv6 /128 tunnel address. Peer 0 also routes the tunnel range, listed first:
// the built-in generator sends to the first peer's first IPv4 prefix, flow f to its host
// 1 + f mod hosts, and every one of those hosts is the /32 of some peer (tunnel address j
// belongs to peer j mod N), so the flows spread over all peers.
#pragma once

#include <cstdint>
#include <string>

#include "config/gateway_config.hpp"

namespace actorwire::bench {

inline constexpr std::uint32_t kMaxPopulationPeers = 16384;  // 2 /24s each in 10.128.0.0/9
inline constexpr std::uint32_t kPrefixesPerPeer = 10;

// The tunnel range routed to peer 0 for `peers` peers: the largest prefix of 100.64.0.0 whose
// hosts are all tunnel /32s.
config::IpPrefix hub_prefix(std::uint32_t peers);

// A complete gateway config (net_ring ports like the embedded default, fresh random keys) with
// `peers` peers, 1..kMaxPopulationPeers.
std::string peer_population_toml(std::uint32_t peers);

}  // namespace actorwire::bench
