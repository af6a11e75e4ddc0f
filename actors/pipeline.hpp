// Topology `pipeline` (the paper's Variant 3): rx -> lookup -> N crypto workers -> tx, message
// passing only. rx polls both ports and sends batches; lookup (sole owner of the peer table,
// counters and keypairs) attaches cloned CryptoArgs and picks a worker round-robin per batch;
// workers seal/open with nothing but the CryptoArgs; inbound batches return to lookup for the
// replay window and the allowed-IPs source check; tx transmits, restoring each port's input
// order when `ordered = true`. Every edge is bounded by credits (CreditWindow); without credit
// rx backs off exponentially, so overload is dropped by the NIC, never inside the gateway.
#pragma once

#include <memory>
#include <vector>

#include "actors/peer_plane.hpp"
#include "actors/stage_counters.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"
#include "config/gateway_config.hpp"
#include "io/port.hpp"

struct rte_mempool;

namespace actorwire::actors {

struct PipelineContext {
  io::Port* lan = nullptr;  // ports, config and pool outlive the actors
  io::Port* wan = nullptr;
  const config::GatewayConfig* config = nullptr;
  rte_mempool* pool = nullptr;
  std::unique_ptr<PeerPlane> plane;  // lookup's, from spawn on
  caf::actor control;
  bool detached_io = false;  // rx (busy-polling) and tx on threads of their own
  std::shared_ptr<StageCounters> rx_counters;
  std::shared_ptr<StageCounters> lookup_counters;
  std::vector<std::shared_ptr<StageCounters>> crypto_counters;
  std::shared_ptr<StageCounters> tx_counters;
};

struct PipelineActors {
  caf::actor rx;
  caf::actor lookup;  // receives ControlOutput: the data-plane actor for the control actor
  std::vector<caf::actor> crypto;
  caf::actor tx;
  std::vector<caf::actor> all() const;
};

PipelineActors spawn_pipeline(caf::actor_system& system, std::shared_ptr<PipelineContext> context);

}  // namespace actorwire::actors
