// The loop every self-polling helper actor (generator, sink) runs for one `poll` message:
// several bursts to spread CAF's per-message cost, busy/idle time accounting, then either an
// immediate next poll or a pause that frees the thread for other actors.
#pragma once

#include <chrono>

#include "actors/messages.hpp"
#include "actors/stage_counters.hpp"
#include "caf/all.hpp"

namespace actorwire::actors {

inline constexpr int kBurstsPerPoll = 8;

// Scheduler threads are registered with the EAL by the gateway's thread hook, so nothing to do
// here for mempool caches. Runs `burst()` (true when it moved packets) up to kBurstsPerPoll times,
// stopping at the first idle one, and books the time. Returns whether any burst moved packets.
template <class Burst>
bool run_bursts(StageCounters& counters, Burst&& burst) {
  const auto start = std::chrono::steady_clock::now();
  bool busy = false;
  for (int i = 0; i < kBurstsPerPoll && burst(); ++i) busy = true;
  const auto elapsed = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count());
  (busy ? counters.busy_ns : counters.idle_ns).add(elapsed);
  return busy;
}

// Polls again at once after useful work, else after `pause`.
inline void schedule_next_poll(caf::event_based_actor* self, bool busy,
                               std::chrono::microseconds pause) {
  if (busy) {
    self->send(self, poll_atom::value);
  } else {
    self->delayed_send(self, pause, poll_atom::value);
  }
}

}  // namespace actorwire::actors
