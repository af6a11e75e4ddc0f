#include "bench/stage_cost.hpp"

#include <sched.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "actors/gateway.hpp"

namespace actorwire::bench {
namespace {

constexpr unsigned kMaxWorkers = 16;
constexpr unsigned kMeasuredWorkers = 2;  // 1 and 2: what a 2-core machine can check
constexpr double kMessageSeconds = 1.0;

// Pins the calling thread (and so every thread it starts) to one CPU of those it may use, and
// gives it its set back when it goes.
class PinnedToOneCpu {
 public:
  PinnedToOneCpu() {
    if (sched_getaffinity(0, sizeof original_, &original_) != 0) return;
    for (int cpu = CPU_SETSIZE - 1; cpu >= 0; --cpu) {
      if (!CPU_ISSET(cpu, &original_)) continue;
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      if (sched_setaffinity(0, sizeof one, &one) == 0) cpu_ = cpu;
      return;
    }
  }
  ~PinnedToOneCpu() {
    if (cpu_ >= 0) sched_setaffinity(0, sizeof original_, &original_);
  }
  PinnedToOneCpu(const PinnedToOneCpu&) = delete;
  PinnedToOneCpu& operator=(const PinnedToOneCpu&) = delete;
  int cpu() const { return cpu_; }

 private:
  cpu_set_t original_{};
  int cpu_ = -1;
};

struct StageTotals {
  std::uint64_t busy_ns = 0;
  std::uint64_t packets = 0;
};

// Per actor: busy time and the packets it took in (the generator: the packets it put out).
std::map<std::string, StageTotals> stage_totals(const actors::Gateway& gateway) {
  std::map<std::string, StageTotals> totals;
  for (const auto& counters : gateway.counters()) {
    const bool generator = counters.get() == gateway.generator_counters();
    totals[counters->name] = {counters->busy_ns.get(),
                              generator ? counters->packets_out.get() : counters->packets_in.get()};
  }
  return totals;
}

// ns per packet of stage `name` between two snapshots; false if it moved nothing.
bool cost_of(const std::string& name, const std::map<std::string, StageTotals>& first,
             const std::map<std::string, StageTotals>& last, double& ns, std::string& error) {
  const auto then = first.find(name);
  const auto now = last.find(name);
  if (then == first.end() || now == last.end() || now->second.packets <= then->second.packets) {
    error = "stage " + name + " moved no packets in the one-core run";
    return false;
  }
  ns = static_cast<double>(now->second.busy_ns - then->second.busy_ns) /
       static_cast<double>(now->second.packets - then->second.packets);
  return true;
}

std::string mpps_cell(double mpps) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", mpps);
  return text;
}

}  // namespace

bool measure_stage_costs(const config::GatewayConfig& base, const BenchPoint& point,
                         StageCostReport& report, std::string& error) {
  config::GatewayConfig config = base;
  config.topology.kind = config::TopologyKind::kPipeline;
  config.topology.crypto_workers = 1;
  config.topology.ordered = false;
  config.topology.io = config::IoScheduling::kScheduled;
  config.generator.flows = point.flows;
  config.generator.packet_sizes = point.sizes;
  config.generator.rate_pps = 0;
  config.generator.max_packets = 0;
  report = StageCostReport{};
  report.costs.batch_size = config.topology.batch_size;
  {
    PinnedToOneCpu pinned;
    report.cpu = pinned.cpu();
    actors::GatewayOptions options;
    options.scheduler_threads = 1;
    options.harness_threads = false;
    auto gateway = actors::Gateway::start(config, options, error);
    if (!gateway) return false;
    std::this_thread::sleep_for(std::chrono::duration<double>(point.warmup_s));
    const auto first = stage_totals(*gateway);
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(point.duration_s));
    const auto last = stage_totals(*gateway);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    gateway->stop();
    if (!cost_of("rx", first, last, report.costs.rx_ns, error) ||
        !cost_of("lookup", first, last, report.costs.lookup_ns, error) ||
        !cost_of("crypto0", first, last, report.costs.crypto_ns, error) ||
        !cost_of("tx", first, last, report.costs.tx_ns, error)) {
      return false;
    }
    double generator_ns = 0;
    double sink_ns = 0;
    if (!cost_of("generator", first, last, generator_ns, error) ||
        !cost_of("sink", first, last, sink_ns, error)) {
      return false;
    }
    report.costs.harness_ns = generator_ns + sink_ns;
    report.one_core_mpps =
        static_cast<double>(last.at("tx").packets - first.at("tx").packets) / seconds / 1e6;
  }
  report.message = measure_message_cost(std::min(kMessageSeconds, point.duration_s),
                                        /*threads=*/2, config.topology.mailbox_capacity);
  if (report.message.messages_per_second == 0) {
    error = "the message cost run moved no messages";
    return false;
  }
  report.costs.message_ns = report.message.cpu_ns_per_message;
  return true;
}

std::string prediction_table(const StageCostReport& report, unsigned max_workers, unsigned cores,
                             const std::map<unsigned, double>& measured) {
  std::string table =
      "| crypto workers | predicted Mpps, a core per stage | capped by | predicted Mpps, " +
      std::to_string(cores) + " cores | capped by | measured Mpps |\n" +
      "|---:|---:|---|---:|---|---:|\n";
  for (unsigned workers = 1; workers <= max_workers; ++workers) {
    const ScalingPrediction own = predict_pipeline(report.costs, workers);
    const ScalingPrediction here = predict_pipeline(report.costs, workers, cores);
    const auto found = measured.find(workers);
    table += "| " + std::to_string(workers) + " | " + mpps_cell(own.mpps) + " | " +
             std::string(to_string(own.cap)) + " | " + mpps_cell(here.mpps) + " | " +
             std::string(to_string(here.cap)) + " | " +
             (found == measured.end() ? "" : mpps_cell(found->second)) + " |\n";
  }
  return table;
}

bool run_stage_cost(const config::GatewayConfig& base, const BenchPoint& point, Ceiling& ceiling,
                    std::ostream& out, std::string& error) {
  StageCostReport report;
  if (!measure_stage_costs(base, point, report, error)) return false;
  const StageCosts& c = report.costs;
  char line[512];
  std::snprintf(line, sizeof line,
                "stage cost, one core (pipeline w1, %s B, %u flows, everything on one scheduler "
                "thread pinned to CPU %d, %.3f Mpps): rx %.1f ns, lookup %.1f ns, crypto %.1f ns, "
                "tx %.1f ns per packet; the bench's generator and sink %.1f ns",
                point.size_label.c_str(), point.flows, report.cpu, report.one_core_mpps, c.rx_ns,
                c.lookup_ns, c.crypto_ns, c.tx_ns, c.harness_ns);
  out << line << "\n";
  std::snprintf(line, sizeof line,
                "message between cores: %.0f ns CPU, %.0f ns wall per batch message (%.2f M/s, "
                "2 scheduler threads, %u credits); %.1f ns per packet at %.0f packets per batch",
                report.message.cpu_ns_per_message, report.message.wall_ns_per_message,
                report.message.messages_per_second / 1e6, base.topology.mailbox_capacity,
                c.message_ns / c.batch_size, c.batch_size);
  out << line << std::endl;
  std::map<unsigned, double> measured;
  for (unsigned workers = 1; workers <= kMeasuredWorkers; ++workers) {
    BenchPoint measured_point = point;
    measured_point.topology = config::TopologyKind::kPipeline;
    measured_point.crypto_workers = workers;
    measured_point.rate_pps = 0;
    BenchResult result;
    if (!run_point(base, measured_point, ceiling, result, error)) return false;
    out << describe(result) << std::endl;
    measured[workers] = result.mpps;
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  // The model takes the cores as the gateway's own; on a shared machine the measured points get
  // a share of them (a load average of L on C cores leaves about C / L).
  double load[1] = {0};
  if (getloadavg(load, 1) == 1) {
    std::snprintf(line, sizeof line, "machine: %u cores, load average %.1f", cores, load[0]);
    out << line << "\n";
  }
  out << "\n" << prediction_table(report, kMaxWorkers, cores, measured);
  return true;
}

}  // namespace actorwire::bench
