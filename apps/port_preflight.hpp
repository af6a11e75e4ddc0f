// Before the EAL starts: can this host give each configured port what it needs (the device or
// interface exists and is up, bound to the right driver, the privileges its driver needs)? A
// problem is reported like a config error, at the port's `device` key with its file:line:col,
// rather than as the driver's own message after the EAL has started (issue 15: "a port that
// does not exist printed DPDK's raw driver message").
#pragma once

#include <optional>
#include <vector>

#include "config/gateway_config.hpp"
#include "config/load_config.hpp"
#include "io/host_tree.hpp"

namespace actorwire::apps {

struct PortPreflight {
  // The first problem that would stop the start, of the first port that has one; nullopt when
  // every port looks usable (DPDK may still refuse one, with its own reason).
  std::optional<config::ConfigError> error;
  // Problems the gateway starts anyway with, e.g. a link that is down (it may come up later).
  std::vector<config::ConfigError> warnings;
};

PortPreflight port_preflight(const config::GatewayConfig& config, const io::HostTree& host);

}  // namespace actorwire::apps
