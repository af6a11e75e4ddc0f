// What a new configuration changes in a running gateway's peer set, keyed by public key: the
// peers that stay as they are, those added, removed, and changed (allowed_ips, endpoint,
// preshared key, persistent keepalive). Everything else (ports, [dpdk], [topology], [crypto],
// [generator], [metrics], the interface's keys, a peer's static_session) needs a restart: such a
// change is refused, naming the key and, where the new file has it, its file:line:col. Pure: no
// CAF, no DPDK; reload, SIGHUP and the UAPI's set=1 all go through it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "config/load_config.hpp"

namespace actorwire::config {

struct PeerDiff {
  struct Kept {
    std::size_t old_index = 0;  // in the running config's peers
    std::size_t new_index = 0;  // in the new config's peers
  };
  struct Changed : Kept {
    std::vector<std::string> what;  // "allowed_ips", "endpoint", "preshared_key", ...
  };
  std::vector<std::size_t> removed;  // indices in the running config's peers
  std::vector<std::size_t> added;    // indices in the new config's peers
  std::vector<Changed> changed;
  std::vector<Kept> unchanged;
  // Changes that need a restart; when there are any, nothing may be applied.
  std::vector<ConfigError> refused;

  bool ok() const { return refused.empty(); }
  bool empty() const { return removed.empty() && added.empty() && changed.empty(); }
};

PeerDiff diff_peers(const GatewayConfig& running, const GatewayConfig& next);

// One line per change, for logs and `actorwire reload`: "added peer <key> (allowed_ips ...)",
// "removed peer <key>", "changed peer <key>: allowed_ips, endpoint". Public keys only.
std::vector<std::string> describe(const PeerDiff& diff, const GatewayConfig& running,
                                  const GatewayConfig& next);

}  // namespace actorwire::config
