// The built-in sink: drains what in-process (net_ring) ports transmitted, counts it and frees
// the mbufs — the "wire" behind the gateway on the embedded default. With a latency histogram it
// also records each stamped frame's time since the generator sent it (io/send_stamp.hpp).
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "actors/common/stage_counters.hpp"
#include "actors/harness/latency_histogram.hpp"
#include "caf/fwd.hpp"

struct rte_ring;

namespace actorwire::actors {

struct SinkContext {
  std::vector<rte_ring*> rings;  // capture rings to drain: every queue's, of every port
  std::shared_ptr<StageCounters> counters;
  std::chrono::microseconds idle_backoff_max{0};  // like the gateway's pollers
  std::shared_ptr<LatencyHistogram> latency;      // null: latency not measured
  // A thread of its own that sleeps its pauses, or CAF's scheduler (delayed poll messages).
  bool own_thread = true;
};

caf::actor spawn_sink_actor(caf::actor_system& system, std::shared_ptr<SinkContext> context);

}  // namespace actorwire::actors
