// The one interface every actor topology implements, so that the gateway wires ports, the
// control actor, the generator and the sink without knowing which topology runs. The paper's
// three architectures are three implementations of it, one file each:
//   single.cpp     Variant 1, one run-to-completion actor (DataPathLoop, no lock)
//   workers.cpp    Variant 2, N run-to-completion actors sharing the peer state behind a lock
//   pipeline.cpp   Variant 3, rx -> lookup -> N crypto workers -> tx, message passing only
// A new topology is one new file defining its factory plus one line in
// config/topology_kinds.def (the table of kind names).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/common/stage_counters.hpp"
#include "actors/dataplane/data_plane_env.hpp"
#include "actors/dataplane/peer_plane.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"
#include "config/gateway_config.hpp"

namespace actorwire::actors {

// What the gateway hands a topology when it spawns it.
struct TopologyEnv {
  caf::actor_system& system;
  const DataPlaneEnv& data_plane;    // outlives the actors
  std::unique_ptr<PeerPlane> plane;  // the peer state: the topology owns it from now on
  caf::actor control;                // the handshake actor
};

// What a spawned topology reports back.
struct SpawnedTopology {
  std::vector<caf::actor> actors;
  caf::actor control_sink;  // receives the control actor's ControlOutput
  // Every actor's counters in display order, and those that receive from / transmit to the
  // ports (the gateway's live in and out).
  std::vector<std::shared_ptr<StageCounters>> counters;
  std::vector<std::shared_ptr<StageCounters>> ingress;
  std::vector<std::shared_ptr<StageCounters>> egress;
};

class Topology {
 public:
  virtual ~Topology() = default;
  // Receive/transmit queue pairs the topology polls per port.
  virtual std::uint16_t queues() const = 0;
  // Threads of its own that its detached (busy-polling) actors take, besides the scheduler's.
  virtual unsigned detached_threads() const = 0;
  virtual SpawnedTopology spawn(TopologyEnv env) = 0;
};

// The implementation for `config.topology.kind`, reading its settings from the config now, so
// the actors never read the config themselves.
std::unique_ptr<Topology> make_topology(const config::GatewayConfig& config);

// Whether the machine has a core for each of `pollers` busy-polling actors (with `io = auto`).
bool cores_for_detached(const config::TopologyConfig& topology, unsigned pollers);

}  // namespace actorwire::actors
