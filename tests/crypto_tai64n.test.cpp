// TAI64N handshake timestamps: byte layout, nanosecond blurring, ordering.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>

#include "crypto/tai64n.hpp"

namespace actorwire::crypto {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

system_clock::time_point unix_time(std::int64_t whole_seconds, std::int64_t extra_nanoseconds = 0) {
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(
      seconds(whole_seconds) + nanoseconds(extra_nanoseconds)));
}

TEST(Tai64nTest, UnixEpoch) {
  const Tai64n expected = {0x40, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0};
  EXPECT_EQ(to_tai64n(unix_time(0)), expected);
}

TEST(Tai64nTest, KnownValueIsBigEndianAndBlurred) {
  // 1700000000 = 0x6553f100; 123456789 ns = 0x075bcd15, blurred to 0x07000000.
  const Tai64n expected = {0x40, 0, 0, 0, 0x65, 0x53, 0xf1, 0x0a, 0x07, 0x00, 0x00, 0x00};
  EXPECT_EQ(to_tai64n(unix_time(1700000000, 123456789)), expected);
}

TEST(Tai64nTest, NanosecondsRoundDownToMultiplesOfTwoToThe24) {
  constexpr std::int64_t kStep = kTai64nNanosecondGranularity;
  static_assert(kStep == 16777216);
  const std::int64_t base = 1700000000;
  // Every value in one 2^24 ns bucket encodes the same; the next bucket encodes differently.
  // (Bucket 59, the last one, is cut short by the end of the second; checked below.)
  for (std::int64_t bucket : {0, 1, 7, 58}) {
    const Tai64n first = to_tai64n(unix_time(base, bucket * kStep));
    EXPECT_EQ(to_tai64n(unix_time(base, bucket * kStep + 1)), first);
    EXPECT_EQ(to_tai64n(unix_time(base, bucket * kStep + kStep - 1)), first);
    EXPECT_NE(to_tai64n(unix_time(base, (bucket + 1) * kStep)), first);
    EXPECT_TRUE(tai64n_is_after(to_tai64n(unix_time(base, (bucket + 1) * kStep)), first));
  }
  // The last bucket of a second: 999999999 ns -> 59 * 2^24 = 989855744 = 0x3b000000.
  const Tai64n last = to_tai64n(unix_time(0, 999999999));
  EXPECT_EQ(last[8], 0x3b);
  EXPECT_EQ(last[9], 0);
  EXPECT_EQ(last[10], 0);
  EXPECT_EQ(last[11], 0);
  // Within one bucket nothing is "after": a second initiation within ~16.8 ms looks replayed.
  EXPECT_FALSE(tai64n_is_after(to_tai64n(unix_time(base, 5'000'000)),
                               to_tai64n(unix_time(base, 1'000'000))));
}

TEST(Tai64nTest, OrderAcrossSecondBoundaries) {
  const Tai64n late_in_second = to_tai64n(unix_time(1700000000, 999999999));
  const Tai64n next_second = to_tai64n(unix_time(1700000001));
  EXPECT_TRUE(tai64n_is_after(next_second, late_in_second));
  EXPECT_FALSE(tai64n_is_after(late_in_second, next_second));
  EXPECT_FALSE(tai64n_is_after(next_second, next_second));
  // A carry through the low bytes of the seconds: 0x...ff -> 0x...100.
  EXPECT_TRUE(tai64n_is_after(to_tai64n(unix_time(0x100)), to_tai64n(unix_time(0xff, 999999999))));
}

TEST(Tai64nTest, BeforeTheEpochStaysMonotonic) {
  const Tai64n just_before = to_tai64n(unix_time(0, -1));
  const Tai64n expected = {0x40, 0, 0, 0, 0, 0, 0, 0x09, 0x3b, 0, 0, 0};
  EXPECT_EQ(just_before, expected);
  EXPECT_TRUE(tai64n_is_after(to_tai64n(unix_time(0)), just_before));
}

TEST(Tai64nTest, IsAfterIsByteWiseLexicographic) {
  Tai64n older{};
  Tai64n newer{};
  older[11] = 0xff;
  newer[0] = 0x01;  // the first differing byte decides, whatever follows
  EXPECT_TRUE(tai64n_is_after(newer, older));
  EXPECT_FALSE(tai64n_is_after(older, newer));
  EXPECT_FALSE(tai64n_is_after(older, older));
}

// Random pairs: the byte order agrees with the order of the blurred time points.
TEST(Tai64nTest, OrderMatchesTimeOrder) {
  std::mt19937_64 random(20240229);
  std::uniform_int_distribution<std::int64_t> nanoseconds_since_epoch(
      0, 4'000'000'000LL * 1'000'000'000LL);
  auto blurred = [](std::int64_t t) {
    const std::int64_t second = t / 1'000'000'000;
    const std::int64_t fraction = t % 1'000'000'000;
    return second * 1'000'000'000 + (fraction & ~std::int64_t{kTai64nNanosecondGranularity - 1});
  };
  for (int i = 0; i < 100000; ++i) {
    std::int64_t a = nanoseconds_since_epoch(random);
    // Half the pairs lie close together, across second and bucket boundaries.
    std::int64_t b =
        (i % 2) ? a + std::uniform_int_distribution<std::int64_t>(-50'000'000, 50'000'000)(random)
                : nanoseconds_since_epoch(random);
    const Tai64n stamp_a = to_tai64n(unix_time(0, a));
    const Tai64n stamp_b = to_tai64n(unix_time(0, b));
    ASSERT_EQ(tai64n_is_after(stamp_a, stamp_b), blurred(a) > blurred(b)) << a << " " << b;
  }
}

TEST(Tai64nTest, NowIsBetweenTwoClockReads) {
  const Tai64n before = to_tai64n(system_clock::now());
  const Tai64n now = tai64n_now();
  const Tai64n after = to_tai64n(system_clock::now());
  EXPECT_FALSE(tai64n_is_after(before, now));
  EXPECT_FALSE(tai64n_is_after(now, after));
}

}  // namespace
}  // namespace actorwire::crypto
