// HandshakeRateLimiter with injected time: the kernel self-test's schedule (burst, refill),
// sustained rate, independent sources, garbage collection, full-table refusal, and a randomized
// comparison of the open-addressing table with a std::map model.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>

#include "crypto/handshake_rate_limiter.hpp"

namespace actorwire::crypto {
namespace {

using namespace std::chrono_literals;
using Clock = HandshakeRateLimiter::Clock;
using Source = HandshakeRateLimiter::Source;

// An arbitrary start, far from the clock's epoch.
const Clock::time_point kStart = Clock::time_point(1000h);

Source ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return rate_limit_source_ipv4({a, b, c, d});
}

TEST(HandshakeRateLimiterTest, SourceKeys) {
  const Source mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  EXPECT_EQ(ipv4(192, 0, 2, 1), mapped);
  const std::array<std::uint8_t, 16> host_a = {0x20, 0x01, 0x0d, 0xb8, 1, 2,  3,  4,
                                               5,    6,    7,    8,    9, 10, 11, 12};
  std::array<std::uint8_t, 16> host_b = host_a;
  host_b[15] = 99;
  const Source prefix = {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(rate_limit_source_ipv6(host_a), prefix);
  EXPECT_EQ(rate_limit_source_ipv6(host_b), prefix);  // one bucket per /64
}

TEST(HandshakeRateLimiterTest, BurstOfFiveThenRefusal) {
  HandshakeRateLimiter limiter;
  const Source source = ipv4(192, 0, 2, 1);
  for (int i = 0; i < HandshakeRateLimiter::kPacketsBurstable; ++i) {
    EXPECT_TRUE(limiter.allow(source, kStart)) << i;
  }
  EXPECT_FALSE(limiter.allow(source, kStart));
  EXPECT_FALSE(limiter.allow(source, kStart + 49ms));
  EXPECT_EQ(limiter.refused_rate_limited(), 2u);
  EXPECT_EQ(limiter.size(), 1u);
}

// The kernel self-test's schedule (selftest/ratelimiter.c), with exact times.
TEST(HandshakeRateLimiterTest, KernelSchedule) {
  HandshakeRateLimiter limiter;
  const Source source = ipv4(198, 51, 100, 7);
  Clock::time_point now = kStart;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.allow(source, now)) << i;
  EXPECT_FALSE(limiter.allow(source, now));
  now += 50ms;  // one packet's worth
  EXPECT_TRUE(limiter.allow(source, now));
  EXPECT_FALSE(limiter.allow(source, now));
  now += 100ms;  // two packets' worth
  EXPECT_TRUE(limiter.allow(source, now));
  EXPECT_TRUE(limiter.allow(source, now));
  EXPECT_FALSE(limiter.allow(source, now));
}

TEST(HandshakeRateLimiterTest, RefillIsExactlyTwentyPerSecond) {
  HandshakeRateLimiter limiter;
  const Source source = ipv4(203, 0, 113, 9);
  // Tries every millisecond for ten seconds: the burst, then one every 50 ms.
  int allowed = 0;
  for (int ms = 0; ms <= 10000; ++ms) {
    const bool ok = limiter.allow(source, kStart + std::chrono::milliseconds(ms));
    if (ms >= 5) {
      EXPECT_EQ(ok, ms % 50 == 0) << ms;
    }
    allowed += ok;
  }
  EXPECT_EQ(allowed, 5 + 20 * 10);
  // One nanosecond short of a token is not enough.
  HandshakeRateLimiter exact;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(exact.allow(source, kStart));
  EXPECT_FALSE(exact.allow(source, kStart + HandshakeRateLimiter::kPacketCost - 1ns));
  EXPECT_TRUE(exact.allow(source, kStart + HandshakeRateLimiter::kPacketCost));
}

TEST(HandshakeRateLimiterTest, BucketHoldsAtMostTheBurst) {
  HandshakeRateLimiter limiter;
  const Source source = ipv4(192, 0, 2, 2);
  ASSERT_TRUE(limiter.allow(source, kStart));
  // Half a second idle (under the GC timeout) refills only up to five.
  const Clock::time_point later = kStart + 500ms;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.allow(source, later)) << i;
  EXPECT_FALSE(limiter.allow(source, later));
}

TEST(HandshakeRateLimiterTest, TimeGoingBackwardsAddsNothing) {
  HandshakeRateLimiter limiter;
  const Source source = ipv4(192, 0, 2, 3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.allow(source, kStart + 100ms));
  EXPECT_FALSE(limiter.allow(source, kStart));
  EXPECT_FALSE(limiter.allow(source, kStart + 140ms));  // 40 ms after the latest time seen
  EXPECT_TRUE(limiter.allow(source, kStart + 150ms));
}

TEST(HandshakeRateLimiterTest, SourcesAreIndependent) {
  HandshakeRateLimiter limiter;
  const Source a = ipv4(192, 0, 2, 10);
  const Source b = ipv4(192, 0, 2, 11);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.allow(a, kStart));
  EXPECT_FALSE(limiter.allow(a, kStart));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.allow(b, kStart)) << i;
  EXPECT_FALSE(limiter.allow(b, kStart));
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(HandshakeRateLimiterTest, IdleSourcesAreCollected) {
  HandshakeRateLimiter limiter;
  for (std::uint8_t i = 0; i < 100; ++i) ASSERT_TRUE(limiter.allow(ipv4(10, 0, 0, i), kStart));
  const Source active = ipv4(10, 0, 1, 1);
  ASSERT_TRUE(limiter.allow(active, kStart + 600ms));
  EXPECT_EQ(limiter.size(), 101u);
  // The first sweep is due a second after the first call; at exactly 1 s idle nothing goes.
  ASSERT_TRUE(limiter.allow(active, kStart + 1s));
  EXPECT_EQ(limiter.size(), 101u);
  // The next sweep (at most one per second) removes the hundred idle sources, keeps `active`.
  ASSERT_TRUE(limiter.allow(active, kStart + 1500ms));
  EXPECT_EQ(limiter.size(), 101u);
  ASSERT_TRUE(limiter.allow(active, kStart + 2s));
  EXPECT_EQ(limiter.size(), 1u);
  // A collected source comes back with a full bucket.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.allow(ipv4(10, 0, 0, 7), kStart + 2s)) << i;
  EXPECT_FALSE(limiter.allow(ipv4(10, 0, 0, 7), kStart + 2s));
  // Everything idle: a late call sweeps the table down to its own source.
  EXPECT_TRUE(limiter.allow(ipv4(10, 0, 0, 8), kStart + 10s));
  EXPECT_EQ(limiter.size(), 1u);
}

TEST(HandshakeRateLimiterTest, FullTableFailsClosed) {
  HandshakeRateLimiter limiter(3);
  const Source a = ipv4(10, 0, 0, 1), b = ipv4(10, 0, 0, 2), c = ipv4(10, 0, 0, 3);
  const Source newcomer = ipv4(10, 0, 0, 4);
  for (const Source& source : {a, b, c}) ASSERT_TRUE(limiter.allow(source, kStart));
  EXPECT_FALSE(limiter.allow(newcomer, kStart));
  EXPECT_FALSE(limiter.allow(newcomer, kStart + 100ms));
  EXPECT_EQ(limiter.refused_table_full(), 2u);
  EXPECT_EQ(limiter.refused_rate_limited(), 0u);
  EXPECT_EQ(limiter.size(), 3u);
  // Tracked sources keep working while the table is full.
  EXPECT_TRUE(limiter.allow(a, kStart + 100ms));
  // Nothing idle for over a second at the next sweeps: still refused.
  for (auto t : {700ms, 1200ms, 1700ms}) {
    for (const Source& source : {a, b, c}) ASSERT_TRUE(limiter.allow(source, kStart + t));
  }
  EXPECT_FALSE(limiter.allow(newcomer, kStart + 2200ms));
  EXPECT_EQ(limiter.refused_table_full(), 3u);
  // a, b and c are idle past the timeout at 3 s, but the sweep at 2.2 s makes the next one due
  // only at 3.2 s: sweeps are at most once per second.
  EXPECT_FALSE(limiter.allow(newcomer, kStart + 3s));
  EXPECT_EQ(limiter.refused_table_full(), 4u);
  EXPECT_TRUE(limiter.allow(newcomer, kStart + 3200ms));
  EXPECT_EQ(limiter.size(), 1u);
}

TEST(HandshakeRateLimiterTest, ZeroEntriesRefusesEverything) {
  HandshakeRateLimiter limiter(0);
  EXPECT_FALSE(limiter.allow(ipv4(10, 0, 0, 1), kStart));
  EXPECT_EQ(limiter.refused_table_full(), 1u);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(HandshakeRateLimiterTest, RejectsHugeTables) {
  EXPECT_THROW(HandshakeRateLimiter(HandshakeRateLimiter::kMaxEntriesLimit + 1),
               std::invalid_argument);
}

// The same rules over a std::map: lookups, refusals and sweeps must agree call by call, which
// exercises the hash table's probing and backward-shift deletion under churn.
class ModelLimiter {
 public:
  explicit ModelLimiter(std::size_t max_entries) : max_entries_(max_entries) {}

  bool allow(const Source& source, Clock::time_point now) {
    if (!next_sweep_) {
      next_sweep_ = now + 1s;
    } else if (now >= *next_sweep_) {
      next_sweep_ = now + 1s;
      std::erase_if(entries_, [&](const auto& item) { return now - item.second.last > 1s; });
    }
    auto found = entries_.find(source);
    if (found == entries_.end()) {
      if (entries_.size() >= max_entries_) return false;
      entries_[source] = Entry{4 * kCost, now};
      return true;
    }
    Entry& entry = found->second;
    if (now > entry.last) {
      entry.tokens =
          std::min<std::chrono::nanoseconds>(entry.tokens + (now - entry.last), 5 * kCost);
      entry.last = now;
    }
    if (entry.tokens < kCost) return false;
    entry.tokens -= kCost;
    return true;
  }
  std::size_t size() const { return entries_.size(); }

 private:
  static constexpr std::chrono::nanoseconds kCost = 50ms;
  struct Entry {
    std::chrono::nanoseconds tokens;
    Clock::time_point last;
  };
  std::size_t max_entries_;
  std::map<Source, Entry> entries_;
  std::optional<Clock::time_point> next_sweep_;
};

TEST(HandshakeRateLimiterTest, MatchesMapModelUnderChurn) {
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  std::mt19937_64 random(seed);
  for (std::size_t max_entries : {1u, 7u, 64u, 300u}) {
    HandshakeRateLimiter limiter(max_entries);
    ModelLimiter model(max_entries);
    Clock::time_point now = kStart;
    // Twice as many sources as fit, some much busier than others.
    const std::size_t source_count = 2 * max_entries + 1;
    for (int step = 0; step < 200000; ++step) {
      now += std::chrono::microseconds(
          std::uniform_int_distribution<int>(0, step % 1000 < 900 ? 2000 : 200000)(random));
      const std::size_t pick =
          std::uniform_int_distribution<std::size_t>(0, source_count - 1)(random);
      const std::size_t index = (step % 3 == 0) ? pick % (max_entries / 4 + 1) : pick;
      const Source source =
          ipv4(10, static_cast<std::uint8_t>(index >> 16), static_cast<std::uint8_t>(index >> 8),
               static_cast<std::uint8_t>(index));
      ASSERT_EQ(limiter.allow(source, now), model.allow(source, now))
          << "max_entries " << max_entries << ", step " << step << ", source " << index;
      ASSERT_EQ(limiter.size(), model.size()) << "max_entries " << max_entries << ", step " << step;
    }
  }
}

}  // namespace
}  // namespace actorwire::crypto
