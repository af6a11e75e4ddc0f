// How long a polling actor pauses after a poll, growing while its ports stay empty, after DPDK's
// power-aware l3fwd (examples/l3fwd-power): full speed while packets come, and with none, a
// pause that doubles with each empty poll up to a maximum ([dpdk] idle_backoff_max_us). The
// first poll that moves packets returns to full speed. So an idle gateway sleeps instead of
// spinning a core per poller, and the first packet after a quiet spell waits at most one
// maximum pause (plus the wake-up) to be picked up. CAF-free: the caller sleeps or schedules.
#pragma once

#include <algorithm>
#include <chrono>

#include "actors/common/tuning.hpp"

namespace actorwire::actors {

class IdleBackoff {
 public:
  using Pause = std::chrono::microseconds;

  // `patience` empty polls at full speed, then `first`, doubling up to `max`. max 0: never pause.
  IdleBackoff(Pause first, Pause max, unsigned patience)
      : first_(max.count() == 0 ? Pause(0) : std::min(first, max)),
        max_(max),
        patience_(patience) {}

  // A poller on a thread of its own: it spins a little, then sleeps from 1 us up (0: busy-poll).
  static IdleBackoff own_thread(Pause max) {
    return IdleBackoff(tuning::kFirstIdleSleep, max, tuning::kEmptyPollsBeforeSleep);
  }
  // A poller on CAF's shared scheduler: it must give the thread back after every empty poll, so
  // it pauses at once, `first` first (a shorter delayed message is no faster), doubling up to
  // `max`. max below `first` (0 included) keeps the fixed pause of a busy-polling gateway.
  static IdleBackoff scheduled(Pause max, Pause first = tuning::kIdlePause) {
    return IdleBackoff(first, std::max(max, first), 0);
  }

  // The pause before the next poll, given whether this one moved packets (0: poll at once).
  Pause after_poll(bool moved) {
    if (moved || max_.count() == 0) {
      empty_polls_ = 0;
      pause_ = Pause(0);
      return pause_;
    }
    if (empty_polls_ < patience_) {
      ++empty_polls_;
      return Pause(0);
    }
    pause_ = pause_.count() == 0 ? first_ : std::min(pause_ * 2, max_);
    return pause_;
  }

  Pause max() const { return max_; }

 private:
  Pause first_;
  Pause max_;
  unsigned patience_;
  unsigned empty_polls_ = 0;
  Pause pause_{0};
};

}  // namespace actorwire::actors
