// CAF's work-stealing scheduler policy with one change: a scheduler thread that has just been busy
// does not go to sleep between two jobs. CAF's own policy spins ~100 attempts (microseconds), then
// naps or waits on a condition variable, so under load every gap between two batches costs a
// futex or nanosleep and a wake-up (the pipeline made ~40,000 system calls per million packets).
// Here a thread whose last two jobs came less than kSchedulerBusyGap apart keeps looking (its own
// queue, and every few tries the other threads') for up to kSchedulerBusySpin before it falls
// back to CAF's strategies. An idle gateway's jobs (pollers backing off to milliseconds, the
// control actor's tick) come far apart, so idle threads still sleep at once.
#pragma once

#include <rte_pause.h>

#include <chrono>

#include "actors/common/tuning.hpp"
#include "caf/policy/work_stealing.hpp"
#include "caf/resumable.hpp"

namespace actorwire::actors {

class BusyStealing : public caf::policy::work_stealing {
 public:
  using Clock = std::chrono::steady_clock;

  struct worker_data : caf::policy::work_stealing::worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator* parent)
        : caf::policy::work_stealing::worker_data(parent) {}
    worker_data(const worker_data&) = default;
    Clock::time_point last_job{};
    Clock::time_point spin_until{};
  };

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    worker_data& data = self->data();
    if (Clock::now() < data.spin_until) {
      for (unsigned attempt = 1;; ++attempt) {
        if (caf::resumable* job = data.queue.take_head()) return found(data, job);
        if (attempt % kStealEvery == 0) {
          if (caf::resumable* job = try_steal(self)) return found(data, job);
          if (Clock::now() >= data.spin_until) break;
        }
        rte_pause();
      }
    }
    return found(data, caf::policy::work_stealing::dequeue(self));
  }

 private:
  // Own queue this many times per look at the others' (CAF's aggressive strategy: 10).
  static constexpr unsigned kStealEvery = 8;

  static caf::resumable* found(worker_data& data, caf::resumable* job) {
    const Clock::time_point now = Clock::now();
    if (now - data.last_job < tuning::kSchedulerBusyGap) {
      data.spin_until = now + tuning::kSchedulerBusySpin;
    }
    data.last_job = now;
    return job;
  }
};

}  // namespace actorwire::actors
