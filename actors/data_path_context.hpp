// What a data-path actor (`single`, or one of the `workers-*`) is given: ports, its queue
// pair, and the peer state, either its own or shared behind a lock.
#pragma once

#include <rte_spinlock.h>

#include <cstdint>
#include <memory>
#include <mutex>

#include "actors/peer_plane.hpp"
#include "actors/stage_counters.hpp"
#include "caf/actor.hpp"
#include "config/gateway_config.hpp"
#include "io/port.hpp"

struct rte_mempool;

namespace actorwire::actors {

// `single`: the peer state belongs to one actor, nothing to lock.
struct NoLock {
  void lock() {}
  void unlock() {}
};

// DPDK's spin lock (the paper's "spin lock variant"): never sleeps, burns the wait.
class SpinLock {
 public:
  SpinLock() { rte_spinlock_init(&lock_); }
  void lock() { rte_spinlock_lock(&lock_); }
  void unlock() { rte_spinlock_unlock(&lock_); }

 private:
  rte_spinlock_t lock_;
};

// std::mutex is a pthread mutex (futex underneath): the paper's "mutex variant".
using MutexLock = std::mutex;

template <class Lock>
struct SharedPlane {
  Lock lock;
  std::unique_ptr<PeerPlane> plane;
};

template <class Lock>
struct DataPathContext {
  io::Port* lan = nullptr;  // ports, config and pool outlive the actors
  io::Port* wan = nullptr;
  const config::GatewayConfig* config = nullptr;
  rte_mempool* pool = nullptr;
  std::shared_ptr<SharedPlane<Lock>> shared;
  std::uint16_t queue = 0;  // the rx/tx queue pair of this actor
  std::shared_ptr<StageCounters> counters;
  caf::actor control;
};

}  // namespace actorwire::actors
