// The one poll loop of every self-polling actor (single, workers, pipeline rx, generator, sink)
// and the one clock they book busy and idle time with (the TSC: a clock read per burst must
// cost nanoseconds, not a system call). One `poll` message runs several bursts, so CAF's
// per-message cost is spread over them while exit and control messages still get a turn.
#pragma once

#include <rte_cycles.h>

#include <chrono>
#include <cstdint>

#include "actors/common/stage_counters.hpp"
#include "actors/runtime/messages.hpp"
#include "caf/all.hpp"

namespace actorwire::actors {

inline std::uint64_t cycles_to_ns(std::uint64_t cycles) {
  static const double ns_per_cycle = 1e9 / static_cast<double>(rte_get_tsc_hz());
  return static_cast<std::uint64_t>(static_cast<double>(cycles) * ns_per_cycle);
}

struct PollLimits {
  int bursts = 1;              // at most this many bursts per poll message
  int empty_before_yield = 1;  // stop after this many empty bursts in a row
};

// Runs `burst()` (true when it moved packets) within `limits` and books each burst's time as
// busy or idle on `counters`. Returns whether any burst moved packets.
template <class Burst>
bool run_poll(StageCounters& counters, PollLimits limits, Burst&& burst) {
  std::uint64_t busy_cycles = 0;
  std::uint64_t idle_cycles = 0;
  std::uint64_t start = rte_rdtsc();
  int empty_in_a_row = 0;
  bool moved = false;
  for (int i = 0; i < limits.bursts; ++i) {
    const bool moved_now = burst();
    counters.test_delay(moved_now);  // test-only hook, booked with the burst
    const std::uint64_t now = rte_rdtsc();
    (moved_now ? busy_cycles : idle_cycles) += now - start;
    start = now;
    if (moved_now) {
      moved = true;
      empty_in_a_row = 0;
    } else if (++empty_in_a_row >= limits.empty_before_yield) {
      break;
    }
  }
  counters.busy_ns.add(cycles_to_ns(busy_cycles));
  counters.idle_ns.add(cycles_to_ns(idle_cycles));
  counters.heartbeat.add();  // liveness: this actor still polls (the systemd watchdog)
  return moved;
}

// The next poll: at once after useful work (or always, for a detached actor whose thread is its
// own), else after `pause`, which frees a scheduler thread for other actors meanwhile.
inline void schedule_next_poll(caf::event_based_actor* self, bool at_once,
                               std::chrono::microseconds pause) {
  if (at_once) {
    self->send(self, poll_atom::value);
  } else {
    self->delayed_send(self, pause, poll_atom::value);
  }
}

// Time a message handler ran, booked as busy: scheduled stages are idle whenever they are not
// running.
class BusyTimer {
 public:
  explicit BusyTimer(StageCounters& counters) : counters_(counters), start_(rte_rdtsc()) {
    counters_.test_delay();  // test-only hook, booked as busy
  }
  ~BusyTimer() { counters_.busy_ns.add(cycles_to_ns(rte_rdtsc() - start_)); }
  BusyTimer(const BusyTimer&) = delete;
  BusyTimer& operator=(const BusyTimer&) = delete;

 private:
  StageCounters& counters_;
  std::uint64_t start_;
};

}  // namespace actorwire::actors
