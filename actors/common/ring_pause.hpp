// How long the built-in generator and sink pause between polls while traffic flows. Each pause
// of a scheduled actor is a delayed message: CAF's timer thread and a scheduler thread pay a few
// system calls and context switches for it. A fixed 20-50 us pause meant one such wake-up per
// 20-50 frames at 1 Mpps. This pause adapts to the rate instead: after each one, the caller says
// what share of its ring the other side moved meanwhile (the generator: the room that opened in
// its full inject ring; the sink: how full its empty capture ring got). Below kLow the pause
// doubles, above kHigh it halves, within [min, max]. So a wake-up moves a quarter to a half of a
// ring, and the ring neither runs dry (the gateway would wait for the generator) nor fills (the
// gateway would hold back for the sink). CAF-free: the caller schedules.
#pragma once

#include <algorithm>
#include <chrono>

namespace actorwire::actors {

class RingPause {
 public:
  using Pause = std::chrono::microseconds;
  static constexpr double kLow = 0.25;
  static constexpr double kHigh = 0.5;

  RingPause(Pause min, Pause max) : min_(min), max_(std::max(min, max)), pause_(min) {}

  Pause current() const { return pause_; }

  // After a pause: the share of the ring (0..1) the other side moved during it. Returns the
  // next pause.
  Pause after(double moved_share) {
    if (moved_share > kHigh) {
      pause_ = std::max(pause_ / 2, min_);
    } else if (moved_share < kLow) {
      pause_ = std::min(pause_ * 2, max_);
    }
    return pause_;
  }

 private:
  Pause min_;
  Pause max_;
  Pause pause_;
};

}  // namespace actorwire::actors
