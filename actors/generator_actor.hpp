// The built-in traffic generator: feeds an in-process (net_ring) port with frames from an
// io::TrafficGenerator, at a fixed rate or as fast as the port accepts, optionally stopping
// after max_packets. Like a NIC, a full port at a fixed rate means dropped frames (counted
// as tx_full here: the gateway was too slow).
#pragma once

#include <atomic>
#include <memory>

#include "actors/stage_counters.hpp"
#include "caf/fwd.hpp"
#include "io/traffic_generator.hpp"

struct rte_mempool;
struct rte_ring;

namespace actorwire::actors {

struct GeneratorContext {
  rte_ring* ring = nullptr;  // the LAN port's inject ring
  rte_mempool* pool = nullptr;
  std::shared_ptr<const io::TrafficGenerator> traffic;
  std::uint64_t rate_pps = 0;     // 0 = as fast as the port accepts
  std::uint64_t max_packets = 0;  // 0 = unbounded
  std::shared_ptr<StageCounters> counters;
  std::atomic<bool> finished{false};  // set once max_packets have been offered
};

caf::actor spawn_generator_actor(caf::actor_system& system,
                                 std::shared_ptr<GeneratorContext> context);

}  // namespace actorwire::actors
