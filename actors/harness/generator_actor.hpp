// The built-in traffic generator: feeds an in-process (net_ring) port with frames from an
// io::TrafficGenerator, at a fixed rate or as fast as the port accepts, optionally stopping
// after max_packets. A port with several rx queues gets each frame on the queue a NIC's RSS
// would pick for its flow (io::TrafficInjector). Like a NIC, a full queue at a fixed rate
// means dropped frames (counted as tx_full here: the gateway was too slow); as fast as the
// port accepts means as fast as the fullest queue accepts, since frames go out in order.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "actors/common/stage_counters.hpp"
#include "caf/fwd.hpp"
#include "io/traffic_generator.hpp"

struct rte_mempool;
struct rte_ring;

namespace actorwire::actors {

struct GeneratorContext {
  std::vector<rte_ring*> rings;  // the LAN port's inject rings, one per rx queue, in order
  rte_mempool* pool = nullptr;
  std::shared_ptr<const io::TrafficGenerator> traffic;
  // 0 = as fast as the port accepts. May change while running (benchmarks, overload tests).
  std::atomic<std::uint64_t> rate_pps{0};
  std::atomic<bool> paused{false};
  std::uint64_t max_packets = 0;  // 0 = unbounded
  std::shared_ptr<StageCounters> counters;
  std::chrono::microseconds idle_backoff_max{0};  // like the gateway's pollers
  std::atomic<bool> finished{false};              // set once max_packets have been offered
  // Stamp every frame with its send time (io/send_stamp.hpp) for the sink's latency histogram.
  bool stamp_send_time = false;
  // A thread of its own that sleeps its pauses, or CAF's scheduler (delayed poll messages).
  bool own_thread = true;
};

caf::actor spawn_generator_actor(caf::actor_system& system,
                                 std::shared_ptr<GeneratorContext> context);

}  // namespace actorwire::actors
