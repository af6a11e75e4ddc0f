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

  // `patience` empty polls with `patience_pause` (0: full speed), then `first`, doubling up to
  // `max`. max 0: never pause.
  IdleBackoff(Pause first, Pause max, unsigned patience, Pause patience_pause = Pause(0))
      : first_(max.count() == 0 ? Pause(0) : std::min(first, max)),
        max_(max),
        patience_(patience),
        patience_pause_(std::min(patience_pause, max)) {}

  // A poller on a thread of its own: it spins for a while after the last packet (a gap between
  // bursts under load costs no sleep: on a VM even a 1 us sleep takes ~25 us), then sleeps from
  // 1 us up (max 0: busy-poll).
  static IdleBackoff own_thread(Pause max) {
    return IdleBackoff(tuning::kFirstIdleSleep, max, tuning::kEmptyPollsBeforeSleep);
  }
  // A poller on CAF's shared scheduler: it must give the thread back after every empty poll, so
  // it pauses `first` (a shorter delayed message is no faster) for a few empty polls, as it
  // always did, then doubles the pause up to `max`. max below `first` (0 included) keeps the
  // fixed pause of a busy-polling gateway.
  static IdleBackoff scheduled(Pause max, Pause first = tuning::kIdlePause) {
    return IdleBackoff(first, std::max(max, first), tuning::kScheduledPausesBeforeBackoff, first);
  }

  // The pause before the next poll (0: poll at once), given whether this one moved packets, or
  // moved none but still holds some to send (`pending`: not idle, so no growing pause, but a
  // scheduled poller still gives its thread back for its first pause, as it always did).
  Pause after_poll(bool moved, bool pending = false) {
    if (pending && !moved && max_.count() != 0) {
      empty_polls_ = 0;
      pause_ = Pause(0);
      return patience_pause_;
    }
    if (moved || max_.count() == 0) {
      empty_polls_ = 0;
      pause_ = Pause(0);
      return pause_;
    }
    if (empty_polls_ < patience_) {
      ++empty_polls_;
      return patience_pause_;
    }
    pause_ = pause_.count() == 0 ? first_ : std::min(pause_ * 2, max_);
    return pause_;
  }

  // Something woke the poller (an rx interrupt): start over, patience included, as after a
  // poll that moved packets.
  void reset() {
    empty_polls_ = 0;
    pause_ = Pause(0);
  }

  Pause max() const { return max_; }

 private:
  Pause first_;
  Pause max_;
  unsigned patience_;
  Pause patience_pause_;
  unsigned empty_polls_ = 0;
  Pause pause_{0};
};

}  // namespace actorwire::actors
