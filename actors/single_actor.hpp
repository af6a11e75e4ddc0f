// Topology `single` (the paper's Variant 1): one actor does everything on the data plane, both
// directions. Outbound: LAN rx, allowed-IPs lookup, counter, seal, outer headers, WAN tx.
// Inbound: WAN rx, receiver-index lookup, open, replay window, allowed-IPs source check, LAN tx.
// Handshake messages go to the control actor, whose answers (datagrams, keypairs, keepalives)
// come back as messages. It also answers ARP on both ports.
#pragma once

#include <memory>

#include "actors/data_path_context.hpp"
#include "actors/stage_counters.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"
#include "config/gateway_config.hpp"
#include "io/port.hpp"

struct rte_mempool;

namespace actorwire::actors {

using SingleActorContext = DataPathContext<NoLock>;

// Spawned detached: it busy-polls its ports on a thread of its own.
caf::actor spawn_single_actor(caf::actor_system& system,
                              std::shared_ptr<SingleActorContext> context);

}  // namespace actorwire::actors
