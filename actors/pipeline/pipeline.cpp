#include "actors/pipeline/pipeline.hpp"

#include "actors/pipeline/pipeline_stages.hpp"
#include "actors/runtime/messages.hpp"

namespace actorwire::actors {

PipelineSettings pipeline_settings(const config::TopologyConfig& topology) {
  PipelineSettings settings;
  settings.batch_size = topology.batch_size;
  settings.mailbox_capacity = topology.mailbox_capacity;
  settings.backoff_max = std::chrono::microseconds(topology.backoff_max_us);
  settings.ordered = topology.ordered;
  return settings;
}

std::size_t batch_pool_size(const PipelineSettings& settings, std::size_t workers) {
  // rx -> lookup, lookup's queue for the workers, each worker's mailbox and outbox, tx's
  // reorder buffer, and lookup's own batches to tx: at most a window each.
  return (2 * workers + 4) * std::size_t{settings.mailbox_capacity};
}

std::vector<caf::actor> PipelineActors::all() const {
  std::vector<caf::actor> actors{rx, lookup};
  actors.insert(actors.end(), crypto.begin(), crypto.end());
  actors.push_back(tx);
  return actors;
}

PipelineActors spawn_pipeline(caf::actor_system& system, std::shared_ptr<PipelineContext> context) {
  PipelineActors actors;
  actors.tx = spawn_tx_stage(system, context);
  for (std::uint32_t i = 0; i < context->crypto_counters.size(); ++i) {
    actors.crypto.push_back(spawn_crypto_stage(system, context, i));
  }
  actors.lookup = spawn_lookup_stage(system, context);
  actors.rx = spawn_rx_stage(system, context);
  // Downstream first: by the time rx sends its first batch, everyone knows everyone.
  const PipelineWiring wiring{actors.rx, actors.lookup, actors.crypto, actors.tx};
  caf::anon_send(actors.tx, wiring);
  for (const auto& worker : actors.crypto) caf::anon_send(worker, wiring);
  caf::anon_send(actors.lookup, wiring);
  caf::anon_send(actors.rx, wiring);
  return actors;
}

}  // namespace actorwire::actors
