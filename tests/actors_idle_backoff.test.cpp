// The idle back-off's shape (common/idle_backoff.hpp): full speed while packets move, a few
// empty polls of patience, then pauses doubling up to the maximum; 0 = never pause.
#include "actors/common/idle_backoff.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace actorwire::actors;
using std::chrono::microseconds;

namespace {

std::vector<long> pauses(IdleBackoff& backoff, int empty_polls) {
  std::vector<long> out;
  for (int i = 0; i < empty_polls; ++i) out.push_back(backoff.after_poll(false).count());
  return out;
}

}  // namespace

TEST(IdleBackoff, OwnThreadSpinsThenDoublesUpToTheMaximum) {
  IdleBackoff backoff = IdleBackoff::own_thread(microseconds(100));
  const unsigned patience = tuning::kEmptyPollsBeforeSleep;
  for (unsigned i = 0; i < patience; ++i) {
    ASSERT_EQ(backoff.after_poll(false).count(), 0) << "empty poll " << i << " of the patience";
  }
  EXPECT_EQ(pauses(backoff, 10), (std::vector<long>{1, 2, 4, 8, 16, 32, 64, 100, 100, 100}));
}

TEST(IdleBackoff, TrafficReturnsToFullSpeedAtOnce) {
  IdleBackoff backoff = IdleBackoff::own_thread(microseconds(100));
  pauses(backoff, 100);
  EXPECT_EQ(backoff.after_poll(true).count(), 0);
  // The patience starts over: a gap between bursts costs no sleep.
  for (unsigned i = 0; i < tuning::kEmptyPollsBeforeSleep; ++i) {
    ASSERT_EQ(backoff.after_poll(false).count(), 0);
  }
  EXPECT_EQ(backoff.after_poll(false).count(), 1);
}

TEST(IdleBackoff, AWakeUpStartsOverPatienceIncluded) {
  // An rx interrupt woke the poller: its frame may reach rx_burst only a little later (net_tap),
  // so the next empty polls spin again instead of going back to the longest pause.
  IdleBackoff backoff = IdleBackoff::own_thread(microseconds(2000));
  pauses(backoff, tuning::kEmptyPollsBeforeSleep + 20);
  ASSERT_EQ(backoff.after_poll(false).count(), 2000);
  backoff.reset();
  for (unsigned i = 0; i < tuning::kEmptyPollsBeforeSleep; ++i) {
    ASSERT_EQ(backoff.after_poll(false).count(), 0) << "empty poll " << i << " after the wake-up";
  }
  EXPECT_EQ(backoff.after_poll(false).count(), 1);
}

TEST(IdleBackoff, ZeroNeverPauses) {
  IdleBackoff backoff = IdleBackoff::own_thread(microseconds(0));
  for (long pause : pauses(backoff, 1000)) ASSERT_EQ(pause, 0);
}

TEST(IdleBackoff, ScheduledPausesItsFirstPauseAWhileThenDoubles) {
  const unsigned patience = tuning::kScheduledPausesBeforeBackoff;
  IdleBackoff backoff = IdleBackoff::scheduled(microseconds(100));
  for (unsigned i = 0; i < patience; ++i) ASSERT_EQ(backoff.after_poll(false).count(), 20);
  EXPECT_EQ(pauses(backoff, 5), (std::vector<long>{20, 40, 80, 100, 100}));
  // Busy-poll setting: the fixed pause a scheduled poller always had.
  IdleBackoff fixed = IdleBackoff::scheduled(microseconds(0));
  for (long pause : pauses(fixed, patience + 10)) ASSERT_EQ(pause, 20);
  IdleBackoff sink = IdleBackoff::scheduled(microseconds(1000), microseconds(50));
  pauses(sink, patience);
  EXPECT_EQ(pauses(sink, 6), (std::vector<long>{50, 100, 200, 400, 800, 1000}));
}
