#include "bench/latency_sweep.hpp"

#include <cmath>
#include <cstdio>

namespace actorwire::bench {
namespace {

double microseconds(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e3;
}

std::string workers_label(const BenchPoint& point) {
  if (point.topology == config::TopologyKind::kSingle)
    return std::string(config::to_string(point.topology));
  return std::string(config::to_string(point.topology)) + " w" +
         std::to_string(point.crypto_workers);
}

}  // namespace

const std::vector<LatencyLoad>& latency_loads() {
  static const std::vector<LatencyLoad> loads = {
      {"peak", 0}, {"10%", 0.10}, {"50%", 0.50}, {"90%", 0.90}, {"overload", 1.50}};
  return loads;
}

bool run_latency_sweep(const config::GatewayConfig& base, BenchPoint point, Ceiling& ceiling,
                       const std::function<void(const LatencyRow&)>& on_row, std::string& error) {
  point.measure_latency = true;
  double peak_mpps = 0;
  for (const LatencyLoad& load : latency_loads()) {
    point.rate_pps =
        load.fraction == 0
            ? 0
            : static_cast<std::uint64_t>(std::llround(load.fraction * peak_mpps * 1e6));
    LatencyRow row;
    row.load = load;
    if (!run_point(base, point, ceiling, row.result, error)) return false;
    if (load.fraction == 0) {
      peak_mpps = row.result.mpps;
      if (peak_mpps <= 0) {
        error = "the peak run moved no packets";
        return false;
      }
    }
    row.peak_mpps = peak_mpps;
    on_row(row);
  }
  return true;
}

std::string latency_csv_header() {
  return "direction,topology,crypto_workers,flows,size,load,fraction,peak_mpps,offered_mpps,mpps,"
         "port_drops,samples,p50_us,p99_us,p999_us,max_us";
}

std::string latency_csv_row(const LatencyRow& row) {
  const BenchPoint& p = row.result.point;
  const actors::LatencySummary& l = row.result.latency;
  char line[400];
  std::snprintf(line, sizeof line,
                "%s,%s,%u,%u,%s,%s,%.2f,%.4f,%.4f,%.4f,%llu,%llu,%.1f,%.1f,%.1f,%.1f",
                p.direction.c_str(), std::string(config::to_string(p.topology)).c_str(),
                p.crypto_workers, p.flows, p.size_label.c_str(), row.load.label.c_str(),
                row.load.fraction, row.peak_mpps, row.result.offered_mpps, row.result.mpps,
                static_cast<unsigned long long>(row.result.port_drops),
                static_cast<unsigned long long>(l.samples), microseconds(l.p50_ns),
                microseconds(l.p99_ns), microseconds(l.p999_ns), microseconds(l.max_ns));
  return line;
}

std::string describe(const LatencyRow& row) {
  const BenchResult& r = row.result;
  const actors::LatencySummary& l = r.latency;
  char line[400];
  std::snprintf(line, sizeof line,
                "%-20s %5s B %-8s offered %7.3f Mpps, out %7.3f Mpps: latency p50 %8.1f us  "
                "p99 %8.1f us  p99.9 %8.1f us  max %8.1f us  (%llu samples, shed at port %llu)",
                workers_label(r.point).c_str(), r.point.size_label.c_str(), row.load.label.c_str(),
                r.offered_mpps, r.mpps, microseconds(l.p50_ns), microseconds(l.p99_ns),
                microseconds(l.p999_ns), microseconds(l.max_ns),
                static_cast<unsigned long long>(l.samples),
                static_cast<unsigned long long>(r.port_drops));
  return line;
}

}  // namespace actorwire::bench
