// The harness's pause while traffic flows (common/ring_pause.hpp): it grows while a pause lets
// the other side move little of the ring, shrinks while it moves more than half, and stays
// within its bounds.
#include "actors/common/ring_pause.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace actorwire::actors;
using std::chrono::microseconds;

namespace {

std::vector<long> after_each(RingPause& pause, const std::vector<double>& moved) {
  std::vector<long> out;
  for (const double share : moved) out.push_back(pause.after(share).count());
  return out;
}

}  // namespace

TEST(RingPause, StartsAtTheMinimum) {
  const RingPause pause(microseconds(20), microseconds(400));
  EXPECT_EQ(pause.current().count(), 20);
}

TEST(RingPause, DoublesWhileLittleMovesUpToTheMaximum) {
  RingPause pause(microseconds(20), microseconds(400));
  EXPECT_EQ(after_each(pause, {0.05, 0.05, 0.1, 0.2, 0.0, 0.1}),
            (std::vector<long>{40, 80, 160, 320, 400, 400}));
}

TEST(RingPause, HalvesWhileMoreThanHalfMovesDownToTheMinimum) {
  RingPause pause(microseconds(20), microseconds(400));
  after_each(pause, {0, 0, 0, 0, 0});  // at 400
  EXPECT_EQ(after_each(pause, {0.9, 1.0, 0.6, 0.7, 0.8, 1.0}),
            (std::vector<long>{200, 100, 50, 25, 20, 20}));
}

TEST(RingPause, KeepsAPauseThatMovesAQuarterToAHalf) {
  RingPause pause(microseconds(20), microseconds(400));
  after_each(pause, {0, 0});  // at 80
  EXPECT_EQ(after_each(pause, {0.25, 0.3, 0.5, 0.4}), (std::vector<long>{80, 80, 80, 80}));
}

TEST(RingPause, AMaximumBelowTheMinimumMeansAFixedPause) {
  RingPause pause(microseconds(50), microseconds(10));
  EXPECT_EQ(after_each(pause, {0, 0, 1, 1}), (std::vector<long>{50, 50, 50, 50}));
}
