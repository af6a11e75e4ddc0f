// Topology `pipeline` (the paper's Variant 3): rx -> lookup -> N crypto workers -> tx, message
// passing only. rx polls both ports and sends batches; lookup (sole owner of the peer table,
// counters and keypairs) attaches cloned CryptoArgs and picks a worker round-robin per batch;
// workers seal/open with nothing but the CryptoArgs; inbound batches return to lookup for the
// replay window and the allowed-IPs source check; tx transmits, restoring each port's input
// order when `ordered = true`. Every edge is bounded by credits (CreditWindow); without credit
// rx backs off exponentially, so overload is dropped by the NIC, never inside the gateway.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "actors/common/stage_counters.hpp"
#include "actors/dataplane/data_plane_env.hpp"
#include "actors/dataplane/peer_plane.hpp"
#include "actors/pipeline/packet_batch.hpp"
#include "caf/actor.hpp"
#include "caf/fwd.hpp"
#include "config/gateway_config.hpp"

namespace actorwire::actors {

// What the pipeline reads from [topology], once, when it is made.
struct PipelineSettings {
  std::size_t batch_size = 32;         // packets per rx batch
  std::uint32_t mailbox_capacity = 8;  // credits per edge: batches in flight
  // rx waiting for credit polls this often, for its heartbeat; the credit wakes it (rx_stage).
  // ([topology] backoff_min_us no longer matters: it was the first of a doubling series of polls.)
  std::chrono::microseconds backoff_max{1000};
  bool ordered = false;      // tx restores each port's input order
  bool detached_io = false;  // rx (busy-polling) and tx on threads of their own
};
PipelineSettings pipeline_settings(const config::TopologyConfig& topology);

struct PipelineContext {
  const DataPlaneEnv* env = nullptr;  // ports, pool, AEAD, outer source, MTU: outlive the actors
  PipelineSettings settings;
  std::unique_ptr<PeerPlane> plane;  // lookup's, from spawn on
  caf::actor control;
  std::shared_ptr<StageCounters> rx_counters;
  std::shared_ptr<StageCounters> lookup_counters;
  std::vector<std::shared_ptr<StageCounters>> crypto_counters;
  std::shared_ptr<StageCounters> tx_counters;
  // Where rx and lookup take their batches; null: each batch is allocated.
  std::shared_ptr<BatchPool> batches;
};
// Free batches for a pipeline with `workers` crypto workers: what its credits let be in flight
// (each edge's window, the queues in front of the workers and tx), with room to spare.
std::size_t batch_pool_size(const PipelineSettings& settings, std::size_t workers);

struct PipelineActors {
  caf::actor rx;
  caf::actor lookup;  // receives ControlOutput: the data-plane actor for the control actor
  std::vector<caf::actor> crypto;
  caf::actor tx;
  std::vector<caf::actor> all() const;
};

PipelineActors spawn_pipeline(caf::actor_system& system, std::shared_ptr<PipelineContext> context);

}  // namespace actorwire::actors
