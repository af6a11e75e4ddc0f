// Latency of the built-in generator's frames, recorded by the sink: a histogram of log-linear
// buckets (HDR-like: 32 linear steps per power of two, so a bucket is at most ~3 % of its value
// wide) over nanoseconds, in a fixed array. Recording is a few shifts and one relaxed store: no
// allocation, no lock, one writer (the sink). Readers (the bench) copy the counts at any time,
// from another thread, and take percentiles of the difference of two copies (a measuring window).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace actorwire::actors {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 5;  // 32 buckets per power of two
  static constexpr unsigned kSubBuckets = 1u << kSubBucketBits;
  static constexpr unsigned kMaxValueBits = 40;  // ~18 minutes in ns; larger values clamp
  static constexpr std::size_t kBuckets =
      kSubBuckets * (kMaxValueBits - kSubBucketBits) + kSubBuckets;
  using Counts = std::array<std::uint64_t, kBuckets>;

  // The bucket of `ns`, and the values a bucket stands for.
  static std::size_t bucket_of(std::uint64_t ns);
  static std::uint64_t lowest_in(std::size_t bucket);
  static std::uint64_t highest_in(std::size_t bucket);

  // The writer (one thread only).
  void record(std::uint64_t ns) {
    std::atomic<std::uint64_t>& count = counts_[bucket_of(ns)];
    count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  // Any thread: the counts so far.
  Counts snapshot() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> counts_{};
};

// Percentiles of a window: `later` minus `earlier`, two snapshots of one histogram.
struct LatencySummary {
  std::uint64_t samples = 0;
  std::uint64_t p50_ns = 0;
  std::uint64_t p99_ns = 0;
  std::uint64_t p999_ns = 0;
  std::uint64_t max_ns = 0;
};

LatencyHistogram::Counts window_of(const LatencyHistogram::Counts& earlier,
                                   const LatencyHistogram::Counts& later);

// The smallest value v with at least `quantile` (0..1] of the samples <= v, reported as the
// highest value of v's bucket (as HDR histograms do); 0 without samples.
std::uint64_t value_at_quantile(const LatencyHistogram::Counts& counts, double quantile);

LatencySummary summarize(const LatencyHistogram::Counts& counts);

}  // namespace actorwire::actors
