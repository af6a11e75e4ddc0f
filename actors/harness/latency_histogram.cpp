#include "actors/harness/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace actorwire::actors {
namespace {

constexpr std::uint64_t kLargest = (std::uint64_t{1} << LatencyHistogram::kMaxValueBits) - 1;

// A value's magnitude: how far it is shifted right to land in 32..63 (0 for values below 64,
// which get a bucket each).
unsigned magnitude_of(std::uint64_t value) {
  const unsigned width = static_cast<unsigned>(std::bit_width(value));
  return width > LatencyHistogram::kSubBucketBits + 1 ? width - LatencyHistogram::kSubBucketBits - 1
                                                      : 0;
}

unsigned magnitude_of_bucket(std::size_t bucket) {
  const std::size_t step = bucket / LatencyHistogram::kSubBuckets;
  return step <= 1 ? 0 : static_cast<unsigned>(step - 1);
}

}  // namespace

std::size_t LatencyHistogram::bucket_of(std::uint64_t ns) {
  const std::uint64_t value = std::min(ns, kLargest);
  const unsigned magnitude = magnitude_of(value);
  return std::size_t{kSubBuckets} * magnitude + static_cast<std::size_t>(value >> magnitude);
}

std::uint64_t LatencyHistogram::lowest_in(std::size_t bucket) {
  const unsigned magnitude = magnitude_of_bucket(bucket);
  return static_cast<std::uint64_t>(bucket - std::size_t{kSubBuckets} * magnitude) << magnitude;
}

std::uint64_t LatencyHistogram::highest_in(std::size_t bucket) {
  return lowest_in(bucket) + (std::uint64_t{1} << magnitude_of_bucket(bucket)) - 1;
}

LatencyHistogram::Counts LatencyHistogram::snapshot() const {
  Counts counts;
  for (std::size_t i = 0; i < kBuckets; ++i) counts[i] = counts_[i].load(std::memory_order_relaxed);
  return counts;
}

LatencyHistogram::Counts window_of(const LatencyHistogram::Counts& earlier,
                                   const LatencyHistogram::Counts& later) {
  LatencyHistogram::Counts window;
  for (std::size_t i = 0; i < window.size(); ++i) {
    window[i] = later[i] >= earlier[i] ? later[i] - earlier[i] : 0;
  }
  return window;
}

std::uint64_t value_at_quantile(const LatencyHistogram::Counts& counts, double quantile) {
  std::uint64_t total = 0;
  for (std::uint64_t count : counts) total += count;
  if (total == 0) return 0;
  const double wanted = std::ceil(std::clamp(quantile, 0.0, 1.0) * static_cast<double>(total));
  const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= rank) return LatencyHistogram::highest_in(i);
  }
  return LatencyHistogram::highest_in(counts.size() - 1);
}

LatencySummary summarize(const LatencyHistogram::Counts& counts) {
  LatencySummary summary;
  for (std::uint64_t count : counts) summary.samples += count;
  summary.p50_ns = value_at_quantile(counts, 0.50);
  summary.p99_ns = value_at_quantile(counts, 0.99);
  summary.p999_ns = value_at_quantile(counts, 0.999);
  summary.max_ns = value_at_quantile(counts, 1.0);
  return summary;
}

}  // namespace actorwire::actors
