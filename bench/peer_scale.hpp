// The peers dimension of `actorwire bench`: what a config of N peers costs before any packet
// moves (TOML load and validation, the data plane's peer table with its allowed-IPs tables, the
// control plane's per-peer handshake state), what reaching a peer costs per packet, and how much
// memory an idle peer takes, measured in this process. Memory counts the malloc heap (mallinfo2)
// and DPDK's heap (rte_malloc, where the allowed-IPs tables live): per peer is (bytes with N
// peers - bytes with the first peer alone) / (N - 1), so the fixed tables (64 MiB of DIR-24-8
// first level per family) cancel out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "config/gateway_config.hpp"

namespace actorwire::bench {

struct PeerScale {
  std::uint32_t peers = 0;
  std::size_t prefixes = 0;  // allowed-IPs prefixes of all peers
  double load_ms = 0;        // TOML parse + validation (config::load_config_string)
  double table_ms = 0;       // actors::PeerTable: peers, static sessions, allowed-IPs tables
  double control_ms = 0;     // actors::ControlPlane: per-peer handshake state (X25519 each)
  // PeerPlane::prepare_outbound per packet, thread CPU time, over 65536 flows that reach every
  // peer (lookup_cost.hpp).
  double outbound_lookup_ns = 0;
  // Bytes per idle peer (N > 1 only), malloc heap and DPDK heap.
  double data_plane_heap_per_peer = 0;  // PeerPlane: Peer, keypairs, counters, index map
  double data_plane_dpdk_per_peer = 0;  // PeerPlane: IPv6 rules, second-level groups
  double control_plane_per_peer = 0;    // ControlPlane: handshake, cookies, timers
};

// `base` with its peers replaced by `peers` generated ones (bench/peer_population.hpp), the
// costs above measured on the way. Starts the EAL (the peer table needs DPDK's heap). False and
// `error` set if the generated config does not load or a table cannot be built.
bool populate(const config::GatewayConfig& base, std::uint32_t peers, config::GatewayConfig& out,
              PeerScale& scale, std::string& error);

// One human-readable line.
std::string describe(const PeerScale& scale);

// The config each bench point runs on: `base`, or for point.peers != 0 `base` with that many
// generated peers, built once per peer count and kept (a few MB for 10,000 peers).
class PointConfigs {
 public:
  explicit PointConfigs(const config::GatewayConfig& base) : base_(base) {}
  // nullptr and `error` set when populate() fails; `built` is set when a config was built now.
  const config::GatewayConfig* for_peers(std::uint32_t peers, std::optional<PeerScale>& built,
                                         std::string& error);

 private:
  const config::GatewayConfig& base_;
  std::map<std::uint32_t, config::GatewayConfig> populated_;  // by peer count
};

}  // namespace actorwire::bench
