// What a data-path actor (`single`, or one of the `workers-*`) is given: ports, its queue
// pair, and the peer state, either its own or shared behind a lock.
#pragma once

#include <rte_spinlock.h>

#include <cstdint>
#include <memory>
#include <mutex>

#include "actors/common/stage_counters.hpp"
#include "actors/dataplane/data_plane_env.hpp"
#include "actors/dataplane/peer_plane.hpp"
#include "caf/actor.hpp"

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
  const DataPlaneEnv* env = nullptr;  // ports, pool, AEAD, outer source, MTU: outlive the actor
  std::size_t batch_size = 32;        // packets per rx burst
  std::shared_ptr<SharedPlane<Lock>> shared;
  std::uint16_t queue = 0;  // the rx/tx queue pair of this actor
  std::shared_ptr<StageCounters> counters;
  caf::actor control;
};

}  // namespace actorwire::actors
