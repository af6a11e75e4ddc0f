// Topology `pipeline` (the paper's Variant 3): rx -> lookup -> crypto_workers crypto actors ->
// tx, message passing only, every edge bounded by credits. The stages live in pipeline/; this
// file only sizes and spawns them.
#include "actors/pipeline/pipeline.hpp"
#include "actors/topologies/topology.hpp"

namespace actorwire::actors {
namespace {

class PipelineTopology final : public Topology {
 public:
  explicit PipelineTopology(const config::TopologyConfig& topology)
      : workers_(topology.crypto_workers), settings_(pipeline_settings(topology)) {
    // rx and tx on threads of their own (busy-polling rx) pay off only when there are cores
    // to spare for them beside the crypto workers; on small machines everything is scheduled.
    settings_.detached_io = cores_for_detached(topology, topology.crypto_workers + 3);
  }

  std::uint16_t queues() const override { return 1; }
  unsigned detached_threads() const override { return settings_.detached_io ? 2 : 0; }

  SpawnedTopology spawn(TopologyEnv env) override {
    auto context = std::make_shared<PipelineContext>();
    context->env = &env.data_plane;
    context->settings = settings_;
    context->plane = std::move(env.plane);
    context->control = env.control;
    context->rx_counters = std::make_shared<StageCounters>("rx", kPollingActor);
    context->lookup_counters = std::make_shared<StageCounters>("lookup");
    for (std::uint32_t i = 0; i < workers_; ++i) {
      context->crypto_counters.push_back(
          std::make_shared<StageCounters>("crypto" + std::to_string(i)));
    }
    context->tx_counters = std::make_shared<StageCounters>("tx");
    context->batches = BatchPool::make(batch_pool_size(settings_, workers_));
    SpawnedTopology out;
    out.counters.push_back(context->rx_counters);
    out.counters.push_back(context->lookup_counters);
    for (const auto& counters : context->crypto_counters) out.counters.push_back(counters);
    out.counters.push_back(context->tx_counters);
    out.ingress = {context->rx_counters};
    out.egress = {context->tx_counters};
    const PipelineActors actors = spawn_pipeline(env.system, context);
    out.actors = actors.all();
    out.control_sink = actors.lookup;
    return out;
  }

 private:
  std::uint32_t workers_;
  PipelineSettings settings_;
};

}  // namespace

std::unique_ptr<Topology> make_pipeline_topology(const config::GatewayConfig& config) {
  return std::make_unique<PipelineTopology>(config.topology);
}

}  // namespace actorwire::actors
