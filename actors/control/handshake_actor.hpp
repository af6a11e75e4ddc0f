// The handshake/control actor: a thin CAF shell around ControlPlane. It owns the static private
// key and all handshake state, runs the timers on a periodic tick, and talks to the data-plane
// actor only through messages (HandshakeIn and PeerActivity in, ControlOutput out).
#pragma once

#include <chrono>
#include <memory>

#include "actors/common/stage_counters.hpp"
#include "actors/common/tuning.hpp"
#include "actors/control/control_plane.hpp"
#include "caf/fwd.hpp"
#include "config/gateway_config.hpp"

namespace actorwire::actors {

struct HandshakeActorContext {
  const config::GatewayConfig* config = nullptr;  // outlives the actor
  std::shared_ptr<StageCounters> counters;
  ControlPlaneOptions options;
};

// Spawned before the data plane; send it `(data_plane_atom, actor)` to connect the two.
caf::actor spawn_handshake_actor(caf::actor_system& system,
                                 std::shared_ptr<HandshakeActorContext> context);

}  // namespace actorwire::actors
