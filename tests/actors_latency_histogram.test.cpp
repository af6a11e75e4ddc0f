// The sink's latency histogram (harness/latency_histogram.hpp): every value lands in a bucket
// that contains it, buckets are at most ~3 % of their values wide, and percentiles of a window
// (the difference of two snapshots) come out where the samples put them.
#include "actors/harness/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

using namespace actorwire::actors;

namespace {

// Each value's bucket holds it, and neighbouring buckets touch without overlap.
void expect_bucket_holds(std::uint64_t value) {
  const std::size_t bucket = LatencyHistogram::bucket_of(value);
  ASSERT_LT(bucket, LatencyHistogram::kBuckets) << value;
  EXPECT_LE(LatencyHistogram::lowest_in(bucket), value) << value;
  EXPECT_GE(LatencyHistogram::highest_in(bucket), value) << value;
}

}  // namespace

TEST(LatencyHistogram, SmallValuesGetABucketEach) {
  for (std::uint64_t value = 0; value < 64; ++value) {
    EXPECT_EQ(LatencyHistogram::bucket_of(value), value);
    EXPECT_EQ(LatencyHistogram::lowest_in(value), value);
    EXPECT_EQ(LatencyHistogram::highest_in(value), value);
  }
}

TEST(LatencyHistogram, EveryValueLandsInABucketThatHoldsIt) {
  for (std::uint64_t value = 0; value < 5000; ++value) expect_bucket_holds(value);
  for (std::uint64_t value = 1; value < (std::uint64_t{1} << 39); value = value * 3 + 1) {
    expect_bucket_holds(value);
    expect_bucket_holds(value - 1);
  }
}

TEST(LatencyHistogram, BucketsAreContiguousAndAtMostThreePercentWide) {
  for (std::size_t bucket = 1; bucket < LatencyHistogram::kBuckets; ++bucket) {
    ASSERT_EQ(LatencyHistogram::lowest_in(bucket), LatencyHistogram::highest_in(bucket - 1) + 1)
        << "bucket " << bucket;
    const double width = static_cast<double>(LatencyHistogram::highest_in(bucket) -
                                             LatencyHistogram::lowest_in(bucket) + 1);
    if (bucket < 64) {
      EXPECT_EQ(width, 1) << "bucket " << bucket << ": below 64 ns every value is exact";
    } else {
      EXPECT_LE(width / static_cast<double>(LatencyHistogram::lowest_in(bucket)), 1.0 / 32)
          << "bucket " << bucket;
    }
  }
}

TEST(LatencyHistogram, HugeValuesClampToTheLastBucket) {
  EXPECT_EQ(LatencyHistogram::bucket_of(UINT64_MAX), LatencyHistogram::kBuckets - 1);
  EXPECT_EQ(LatencyHistogram::bucket_of(std::uint64_t{1} << 45), LatencyHistogram::kBuckets - 1);
}

TEST(LatencyHistogram, PercentilesOfAUniformSpread) {
  auto histogram = std::make_unique<LatencyHistogram>();
  for (std::uint64_t ns = 1; ns <= 100000; ++ns) histogram->record(ns);
  const LatencySummary summary = summarize(histogram->snapshot());
  EXPECT_EQ(summary.samples, 100000u);
  // The true values are 50,000, 99,000, 99,900 and 100,000; a bucket is <= 1/32 wide.
  EXPECT_NEAR(static_cast<double>(summary.p50_ns), 50000, 50000 / 32.0);
  EXPECT_NEAR(static_cast<double>(summary.p99_ns), 99000, 99000 / 32.0);
  EXPECT_NEAR(static_cast<double>(summary.p999_ns), 99900, 99900 / 32.0);
  EXPECT_GE(summary.max_ns, 100000u);
  EXPECT_LE(summary.p50_ns, summary.p99_ns);
  EXPECT_LE(summary.p99_ns, summary.p999_ns);
  EXPECT_LE(summary.p999_ns, summary.max_ns);
}

TEST(LatencyHistogram, TheTailIsSeenEvenWhenRare) {
  auto histogram = std::make_unique<LatencyHistogram>();
  for (int i = 0; i < 9980; ++i) histogram->record(1000);   // 1 us
  for (int i = 0; i < 20; ++i) histogram->record(5000000);  // 5 ms: 0.2 %
  const LatencySummary summary = summarize(histogram->snapshot());
  EXPECT_EQ(summary.p50_ns, LatencyHistogram::highest_in(LatencyHistogram::bucket_of(1000)));
  EXPECT_EQ(summary.p99_ns, summary.p50_ns);
  EXPECT_GE(summary.p999_ns, 5000000u);
  EXPECT_LE(summary.p999_ns, 5000000u + 5000000u / 32);
}

TEST(LatencyHistogram, AWindowCountsOnlyWhatCameBetweenItsSnapshots) {
  auto histogram = std::make_unique<LatencyHistogram>();
  for (int i = 0; i < 1000; ++i) histogram->record(10000000);  // warm-up: 10 ms
  const LatencyHistogram::Counts before = histogram->snapshot();
  for (int i = 0; i < 1000; ++i) histogram->record(2000);  // measured: 2 us
  const LatencySummary window = summarize(window_of(before, histogram->snapshot()));
  EXPECT_EQ(window.samples, 1000u);
  EXPECT_LT(window.max_ns, 2100u);
}

TEST(LatencyHistogram, NoSamplesMeansZeros) {
  auto histogram = std::make_unique<LatencyHistogram>();
  const LatencySummary summary = summarize(histogram->snapshot());
  EXPECT_EQ(summary.samples, 0u);
  EXPECT_EQ(summary.p50_ns, 0u);
  EXPECT_EQ(summary.max_ns, 0u);
}
