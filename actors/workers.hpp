// Topologies `workers-mutex` and `workers-spinlock` (the paper's Variant 2): crypto_workers
// identical actors, each polling its own rx/tx queue pair (RSS spreads flows over the queues:
// hardware RSS on NICs, software Toeplitz RSS on in-process ports), each doing the whole data
// path, all sharing one peer table (keypairs, counters, replay windows) behind a lock taken per
// packet: a std::mutex (pthread) or a DPDK spin lock. Worker 0 also applies the control actor's
// decisions. Workers tell each other about neighbours learned from ARP.
#pragma once

#include <memory>
#include <vector>

#include "actors/data_path_context.hpp"
#include "caf/fwd.hpp"

namespace actorwire::actors {

// `base` holds everything but the queue and counters; one counters entry per worker. Workers
// are detached (busy-polling) when `detached`, else scheduled and pausing when idle.
std::vector<caf::actor> spawn_workers_mutex(
    caf::actor_system& system, const DataPathContext<MutexLock>& base,
    const std::vector<std::shared_ptr<StageCounters>>& counters, bool detached);
std::vector<caf::actor> spawn_workers_spinlock(
    caf::actor_system& system, const DataPathContext<SpinLock>& base,
    const std::vector<std::shared_ptr<StageCounters>>& counters, bool detached);

}  // namespace actorwire::actors
