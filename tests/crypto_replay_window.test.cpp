// ReplayWindow: the Linux kernel's counter self-test cases and sweeps (selftest/counter.c),
// re-expressed here, plus a randomized comparison with a std::set model of the same rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "crypto/replay_window.hpp"

namespace actorwire::crypto {
namespace {

constexpr std::uint64_t kWindow = wg::kReplayWindowSize;
constexpr std::uint64_t kReject = wg::kRejectAfterMessages;
// The kernel's T_LIM: one past the window, i.e. the smallest counter whose arrival pushes
// counter 0 out of the window.
constexpr std::uint64_t kLimit = kWindow + 1;

struct Step {
  std::uint64_t counter;
  bool accepted;
};

TEST(ReplayWindowTest, KernelTableCases) {
  const Step steps[] = {
      /*  1 */ {0, true},
      /*  2 */ {1, true},
      /*  3 */ {1, false},
      /*  4 */ {9, true},
      /*  5 */ {8, true},
      /*  6 */ {7, true},
      /*  7 */ {7, false},
      /*  8 */ {kLimit, true},
      /*  9 */ {kLimit - 1, true},
      /* 10 */ {kLimit - 1, false},
      /* 11 */ {kLimit - 2, true},
      /* 12 */ {2, true},
      /* 13 */ {2, false},
      /* 14 */ {kLimit + 16, true},
      /* 15 */ {3, false},
      /* 16 */ {kLimit + 16, false},
      /* 17 */ {kLimit * 4, true},
      /* 18 */ {kLimit * 4 - (kLimit - 1), true},  // exactly kWindow behind: still inside
      /* 19 */ {10, false},
      /* 20 */ {kLimit * 4 - kLimit, false},  // kWindow + 1 behind: too old
      /* 21 */ {kLimit * 4 - (kLimit + 1), false},
      /* 22 */ {kLimit * 4 - (kLimit - 2), true},
      /* 23 */ {kLimit * 4 + 1 - kLimit, false},
      /* 24 */ {0, false},
      /* 25 */ {kReject, false},
      /* 26 */ {kReject - 1, true},
      /* 27 */ {kReject, false},
      /* 28 */ {kReject - 1, false},
      /* 29 */ {kReject - 2, true},
      /* 30 */ {kReject + 1, false},
      /* 31 */ {kReject + 2, false},
      /* 32 */ {kReject - 2, false},
      /* 33 */ {kReject - 3, true},
      /* 34 */ {0, false},
  };
  static_assert(std::size(steps) == 34);
  ReplayWindow window;
  for (std::size_t i = 0; i < std::size(steps); ++i) {
    EXPECT_EQ(window.accept(steps[i].counter), steps[i].accepted)
        << "case " << i + 1 << ", counter " << steps[i].counter;
  }
}

// Kernel sweeps: fill the whole window in one direction, then probe its edges.
TEST(ReplayWindowTest, ForwardSweepFromOneKeepsZero) {
  ReplayWindow window;
  for (std::uint64_t i = 1; i <= kWindow; ++i) ASSERT_TRUE(window.accept(i)) << i;
  EXPECT_TRUE(window.accept(0));  // exactly kWindow behind the greatest
  EXPECT_FALSE(window.accept(0));
}

TEST(ReplayWindowTest, ForwardSweepFromTwoDropsZero) {
  ReplayWindow window;
  for (std::uint64_t i = 2; i <= kWindow + 1; ++i) ASSERT_TRUE(window.accept(i)) << i;
  EXPECT_TRUE(window.accept(1));
  EXPECT_FALSE(window.accept(0));
}

TEST(ReplayWindowTest, BackwardSweepDownToZero) {
  ReplayWindow window;
  for (std::uint64_t i = kWindow + 1; i-- > 0;) ASSERT_TRUE(window.accept(i)) << i;
}

TEST(ReplayWindowTest, BackwardSweepDownToOneDropsZero) {
  ReplayWindow window;
  for (std::uint64_t i = kWindow + 2; i-- > 1;) ASSERT_TRUE(window.accept(i)) << i;
  EXPECT_FALSE(window.accept(0));
}

TEST(ReplayWindowTest, BackwardSweepThenAdvanceByOneDropsZero) {
  ReplayWindow window;
  for (std::uint64_t i = kWindow + 1; i-- > 1;) ASSERT_TRUE(window.accept(i)) << i;
  EXPECT_TRUE(window.accept(kWindow + 1));
  EXPECT_FALSE(window.accept(0));
}

TEST(ReplayWindowTest, BackwardSweepThenZeroThenAdvance) {
  ReplayWindow window;
  for (std::uint64_t i = kWindow + 1; i-- > 1;) ASSERT_TRUE(window.accept(i)) << i;
  EXPECT_TRUE(window.accept(0));
  EXPECT_TRUE(window.accept(kWindow + 1));
}

TEST(ReplayWindowTest, ResetForgetsEverything) {
  ReplayWindow window;
  ASSERT_TRUE(window.accept(0));
  ASSERT_TRUE(window.accept(100000));
  ASSERT_FALSE(window.accept(5));
  window.reset();
  EXPECT_TRUE(window.accept(0));
  EXPECT_TRUE(window.accept(5));
  EXPECT_TRUE(window.accept(100000));
  EXPECT_FALSE(window.accept(100000));
}

// Each refusal says why: seen inside the window, behind it, or beyond REJECT_AFTER_MESSAGES
// (the data plane counts each under its own drop reason). A refusal records nothing.
TEST(ReplayWindowTest, RefusalsSayWhy) {
  using actorwire::crypto::ReplayVerdict;
  ReplayWindow window;
  ASSERT_EQ(window.admit(kWindow + 100), ReplayVerdict::kAccepted);
  EXPECT_EQ(window.admit(kWindow + 100), ReplayVerdict::kSeen);
  EXPECT_EQ(window.admit(99), ReplayVerdict::kTooOld);
  EXPECT_EQ(window.admit(wg::kRejectAfterMessages), ReplayVerdict::kBeyondLimit);
  EXPECT_EQ(window.admit(~std::uint64_t{0}), ReplayVerdict::kBeyondLimit);
  // The refused ones moved nothing: 100 is exactly the window behind, and still new.
  EXPECT_EQ(window.admit(100), ReplayVerdict::kAccepted);
  EXPECT_EQ(window.admit(wg::kRejectAfterMessages - 1), ReplayVerdict::kAccepted);
  EXPECT_EQ(window.admit(wg::kRejectAfterMessages - 1), ReplayVerdict::kSeen);
}

// A counter that lands on a recycled bit (same ring position, one ring later) is new.
TEST(ReplayWindowTest, RingWrapDoesNotLeakOldBits) {
  ReplayWindow window;
  for (std::uint64_t i = 0; i < ReplayWindow::kBitsTotal; ++i) ASSERT_TRUE(window.accept(i));
  for (std::uint64_t i = ReplayWindow::kBitsTotal; i < 3 * ReplayWindow::kBitsTotal; ++i) {
    ASSERT_TRUE(window.accept(i)) << i;
    ASSERT_FALSE(window.accept(i)) << i;
    ASSERT_FALSE(window.accept(i - kWindow - 1)) << i;
  }
  // A jump of many rings clears everything but the new counter.
  const std::uint64_t far = 1000 * ReplayWindow::kBitsTotal + 17;
  ASSERT_TRUE(window.accept(far));
  for (std::uint64_t i = far - kWindow; i < far; ++i) ASSERT_TRUE(window.accept(i)) << i;
  EXPECT_FALSE(window.accept(far - kWindow - 1));
}

// The rules, written out with no bitmap: accept a counter below kRejectAfterMessages, at most
// kWindow behind the greatest accepted one, and not accepted before.
class ModelWindow {
 public:
  bool accept(std::uint64_t counter) {
    if (counter >= kReject) return false;
    if (greatest_ && counter + kWindow < *greatest_) return false;
    if (!seen_.insert(counter).second) return false;
    greatest_ = std::max(greatest_.value_or(0), counter);
    // Anything below the window is rejected by the rule above; keep the set small.
    if (*greatest_ > kWindow) seen_.erase(seen_.begin(), seen_.lower_bound(*greatest_ - kWindow));
    return true;
  }
  void reset() {
    seen_.clear();
    greatest_.reset();
  }
  std::uint64_t greatest() const { return greatest_.value_or(0); }

 private:
  std::set<std::uint64_t> seen_;
  std::optional<std::uint64_t> greatest_;
};

TEST(ReplayWindowTest, MatchesSetModelOnRandomTraffic) {
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  std::mt19937_64 random(seed);
  ReplayWindow window;
  ModelWindow model;
  std::vector<std::uint64_t> recent;  // counters offered lately, for replays
  auto pick = [&](std::uint64_t low, std::uint64_t high) {
    return std::uniform_int_distribution<std::uint64_t>(low, high)(random);
  };
  std::uint64_t accepted = 0, rejected = 0;
  for (int step = 0; step < 400000; ++step) {
    const std::uint64_t greatest = model.greatest();
    std::uint64_t counter = 0;
    const auto kind = pick(0, 99);
    if (kind < 35) {  // around the front of the window, reordered
      counter = greatest + 200 - std::min<std::uint64_t>(greatest + 200, pick(0, kWindow + 300));
    } else if (kind < 55 && !recent.empty()) {  // a replay
      counter = recent[pick(0, recent.size() - 1)];
    } else if (kind < 70) {  // the back edge of the window
      counter = greatest - std::min<std::uint64_t>(greatest, kWindow - 2 + pick(0, 4));
    } else if (kind < 80) {  // block boundaries ahead
      counter = (greatest / 64 + pick(0, 3)) * 64 + pick(0, 2) - 1;
    } else if (kind < 90) {  // a forward jump, up to a few rings
      counter = greatest + pick(1, 3 * ReplayWindow::kBitsTotal);
    } else if (kind < 97) {  // in order
      counter = greatest + 1;
    } else if (kind < 98) {  // the end of the counter space
      counter = kReject - 4 + pick(0, 8);
    } else if (kind < 99) {
      counter = random();
    } else {
      window.reset();
      model.reset();
      recent.clear();
      continue;
    }
    const bool expected = model.accept(counter);
    ASSERT_EQ(window.accept(counter), expected)
        << "step " << step << ", counter " << counter << ", greatest " << greatest;
    (expected ? accepted : rejected) += 1;
    if (recent.size() < 256) {
      recent.push_back(counter);
    } else {
      recent[pick(0, recent.size() - 1)] = counter;
    }
  }
  // Both outcomes must be well exercised for the comparison to mean anything.
  EXPECT_GT(accepted, 50000u);
  EXPECT_GT(rejected, 50000u);
}

}  // namespace
}  // namespace actorwire::crypto
