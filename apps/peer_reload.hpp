// The three ways to change a running gateway's peers, all through Gateway::change_peers:
// `actorwire reload` and SIGHUP re-read the -c file (reload_peers), the wg(8) socket's set=1
// applies `wg set` / `wg syncconf` (uapi_set_peers). An invalid file or request changes nothing.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/gateway.hpp"
#include "config/gateway_config.hpp"

namespace actorwire::apps {

struct ReloadResult {
  bool applied = false;
  std::vector<std::string> changes;  // one line per added, removed or changed peer
  std::vector<std::string> errors;   // file:line:col errors, refusals, or why it failed
};

// What the daemon does to a freshly loaded config before it compares it with the running one:
// the command-line overrides (--topology, --workers, ...) and the resolved AEAD, so that they
// do not read as changes.
using ConfigAdjust = std::function<void(config::GatewayConfig&)>;

// Loads `path`, adjusts it and applies its peers. Warnings of the loader are not errors.
ReloadResult reload_peers(actors::Gateway& gateway, const std::string& path,
                          const ConfigAdjust& adjust);

// The control socket's answer to "reload": {"version", "applied", "changes": [...],
// "errors": [...]}.
nlohmann::json reload_json(const ReloadResult& result);

// A set=1 request's lines applied to the running peers: 0, or a positive errno (`message` says
// why, for the log).
int uapi_set_peers(actors::Gateway& gateway, const std::vector<std::string>& lines,
                   std::string& message, std::vector<std::string>& changes);

}  // namespace actorwire::apps
