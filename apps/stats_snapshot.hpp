// One snapshot of a running gateway's counters as JSON: what the control socket answers to
// "stats" and `actorwire stats --json` prints. Read from the per-actor and per-peer counters
// (atomics with one writer each), never by messaging the actors, so reading costs the data
// plane nothing. Public keys only: never a private, preshared or session key.
#pragma once

#include <chrono>

#include <nlohmann/json.hpp>

#include "actors/gateway.hpp"

namespace actorwire::apps {

inline constexpr int kControlProtocolVersion = 1;

nlohmann::json stats_snapshot(const actors::Gateway& gateway,
                              std::chrono::steady_clock::time_point started);

}  // namespace actorwire::apps
