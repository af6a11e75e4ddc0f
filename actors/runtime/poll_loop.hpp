// The one poll loop of every self-polling actor (single, workers, pipeline rx, generator, sink),
// its pacing when idle, and the one clock they book busy and idle time with (the TSC: a clock read
// per burst must cost nanoseconds, not a system call). One `poll` message runs several bursts, so
// CAF's per-message cost is spread over them while exit and control messages still get a turn.
#pragma once

#include <rte_cycles.h>
#include <sys/prctl.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "actors/common/idle_backoff.hpp"
#include "actors/common/stage_counters.hpp"
#include "actors/runtime/messages.hpp"
#include "caf/all.hpp"
#include "io/rx_interrupt.hpp"

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

// Paces a self-polling actor: full speed while it moves packets, an idle back-off
// (common/idle_backoff.hpp) while its ports stay empty. A detached actor owns its thread and
// sleeps the pause right there: nanosleep with a 1 us timer slack wakes ~25 us late at the median
// on the development VM, against ~75 us with the default slack and ~150 us for a delayed message,
// which goes through CAF's timer thread and then a scheduler thread (bench/idle_wake). Where
// every queue it polls has an rx interrupt (net_tap, NICs that have them), a detached actor
// waits on those instead (io/rx_interrupt.hpp), with the pause as the timeout: a packet ends the
// wait at once, and a missed interrupt costs at most the pause it would have slept. A
// scheduled actor must give its thread back (it must never block CAF's), so it gets the pause
// as the delay of its next poll message. Time paused is booked as idle, so busy + idle stays the
// poller's whole time and busy% keeps meaning the share that moved packets.
class PollPacer {
 public:
  // `scheduled_first`: a scheduled actor's shortest pause.
  PollPacer(bool own_thread, std::chrono::microseconds idle_backoff_max,
            std::chrono::microseconds scheduled_first = tuning::kIdlePause)
      : own_thread_(own_thread),
        backoff_(own_thread ? IdleBackoff::own_thread(idle_backoff_max)
                            : IdleBackoff::scheduled(idle_backoff_max, scheduled_first)) {}

  // At the start of each poll: books the pause that just ended (scheduled actors) as idle.
  void resumed(StageCounters& counters) {
    if (paused_at_ == 0) return;
    counters.idle_ns.add(cycles_to_ns(rte_rdtsc() - paused_at_));
    paused_at_ = 0;
  }

  // A pause the actor chose itself (the harness's RingPause), booked as idle like the
  // back-off's: slept right here on a thread of its own (then 0), else returned as the delay of
  // the next poll message.
  std::chrono::microseconds pause_for(std::chrono::microseconds pause, StageCounters& counters) {
    if (pause.count() == 0) return pause;
    if (!own_thread_) {
      paused_at_ = rte_rdtsc();
      return pause;
    }
    sleep_on_own_thread(pause, counters);
    return std::chrono::microseconds(0);
  }

  // A detached actor whose every polled queue has an rx interrupt: its pauses of
  // RxInterruptWait::kResolution and more wait on `rx` (shorter ones are still slept). `rx`
  // must outlive the pacer. Ignored for a scheduled actor.
  void wait_on(io::RxInterruptWait* rx) {
    if (own_thread_) rx_ = rx;
  }

  // After a poll that moved packets or not (or holds some still to send, `pending`): the delay
  // of the next poll message (0: at once). A detached actor has already slept its pause here.
  std::chrono::microseconds after_poll(bool moved, StageCounters& counters, bool pending = false) {
    return pause_for(backoff_.after_poll(moved, pending), counters);
  }

 private:
  void sleep_on_own_thread(std::chrono::microseconds pause, StageCounters& counters) {
    thread_local const bool slack_set =
        prctl(PR_SET_TIMERSLACK, tuning::kIdleSleepTimerSlackNs, 0, 0, 0) == 0;
    (void)slack_set;  // without it the sleeps are only later, never wrong
    const std::uint64_t start = rte_rdtsc();
    if (rx_ != nullptr && pause >= io::RxInterruptWait::kResolution) {
      // Woken: the back-off starts over, so the poller spins through its patience before it
      // sleeps again. A frame may reach rx_burst a little after its interrupt: net_tap's
      // rx_burst returns nothing until its SIGIO handler, which may run on another thread,
      // has counted the frame; one empty poll must not send the poller back to a whole pause.
      if (rx_->wait(pause)) backoff_.reset();
    } else {
      std::this_thread::sleep_for(pause);
    }
    counters.idle_ns.add(cycles_to_ns(rte_rdtsc() - start));
  }

  bool own_thread_;
  io::RxInterruptWait* rx_ = nullptr;
  IdleBackoff backoff_;
  std::uint64_t paused_at_ = 0;  // TSC when a scheduled pause began, 0 when none
};

// The next poll: at once, or after `pause` (a scheduled actor's idle back-off), which frees a
// scheduler thread for other actors meanwhile.
inline void schedule_next_poll(caf::event_based_actor* self, std::chrono::microseconds pause) {
  if (pause.count() == 0) {
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
