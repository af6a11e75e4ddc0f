// One snapshot of a running gateway's counters as JSON: what the control socket answers to
// "stats" and `actorwire stats --json` prints. Read from the per-actor and per-peer counters
// (atomics with one writer each), never by messaging the actors, so reading costs the data
// plane nothing. Public keys only: never a private, preshared or session key.
#pragma once

#include <chrono>

#include <nlohmann/json.hpp>

#include "actors/gateway.hpp"
#include "apps/control_request.hpp"  // kControlProtocolVersion

namespace actorwire::apps {

nlohmann::json stats_snapshot(const actors::Gateway& gateway,
                              std::chrono::steady_clock::time_point started);

// One entry of "peers": traffic, and what the data plane published of its state (endpoint,
// latest handshake as Unix seconds, keypair ages in seconds; null where there is none). `now`
// and `wall_now` are the same moment on both clocks (tests choose them).
nlohmann::json peer_json(const actors::PeerCounters& peer, actors::Clock::time_point now,
                         std::chrono::system_clock::time_point wall_now);

}  // namespace actorwire::apps
