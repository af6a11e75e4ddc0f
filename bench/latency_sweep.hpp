// `actorwire bench --latency`: one point's latency at fractions of its own peak. The peak is
// measured first (the generator as fast as the gateway takes packets), then the same point runs
// at fixed rates of 10 %, 50 % and 90 % of it and at an overload of 150 %, each with the
// generator stamping its frames and the sink recording generator-to-sink latency
// (actors/harness/latency_histogram.hpp). Each load is one BenchResult with `latency` filled in.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bench/bench_runner.hpp"

namespace actorwire::bench {

struct LatencyLoad {
  std::string label;    // "peak", "10%", ..., "overload"
  double fraction = 0;  // of the peak; 0 for the peak run itself
};

// The loads measured, in order; the first is the peak run.
const std::vector<LatencyLoad>& latency_loads();

struct LatencyRow {
  LatencyLoad load;
  double peak_mpps = 0;
  BenchResult result;
};

// Runs `point` at every load; `on_row` sees each row as it is measured. False with `error` set
// when a run fails or the peak is zero.
bool run_latency_sweep(const config::GatewayConfig& base, BenchPoint point, Ceiling& ceiling,
                       const std::function<void(const LatencyRow&)>& on_row, std::string& error);

std::string latency_csv_header();
std::string latency_csv_row(const LatencyRow& row);
std::string describe(const LatencyRow& row);

}  // namespace actorwire::bench
