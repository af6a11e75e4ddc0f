#include "bench/bench_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <thread>

#include "actors/gateway.hpp"
#include "bench/aead_rate.hpp"
#include "crypto/transport.hpp"

namespace actorwire::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Snapshot {
  Clock::time_point at;
  std::uint64_t out = 0, out_bytes = 0, drops = 0, port_drops = 0, offered = 0;
  std::uint64_t generator_busy = 0, sink_busy = 0;
  std::map<std::string, std::array<std::uint64_t, 5>> stages;  // busy, stalls, backoffs, ns, lock
};

Snapshot take(const actors::Gateway& gateway) {
  Snapshot s;
  s.at = Clock::now();
  for (const auto& counters : gateway.egress_counters()) {
    s.out += counters->packets_out.get();
    s.out_bytes += counters->bytes_out.get();
  }
  for (auto role : {config::PortRole::kLan, config::PortRole::kWan}) {
    s.port_drops += gateway.port(role).stats().rx_missed;
  }
  for (const auto& counters : gateway.counters()) {
    if (counters.get() == gateway.generator_counters()) {
      s.offered = counters->packets_generated.get();
      s.port_drops += counters->drops_total();  // refused by a full rx ring: the NIC's drop
      s.generator_busy = counters->busy_ns.get();
      continue;
    }
    if (counters.get() == gateway.sink_counters()) {
      s.sink_busy = counters->busy_ns.get();
      continue;
    }
    if (counters.get() != gateway.control_counters()) s.drops += counters->drops_total();
    s.stages[counters->name] = {counters->busy_ns.get(), counters->credit_stalls.get(),
                                counters->backoff_events.get(), counters->backoff_ns.get(),
                                counters->lock_wait_ns.get()};
  }
  return s;
}

unsigned crypto_cores(const BenchPoint& point) {
  return point.topology == config::TopologyKind::kSingle ? 1u : point.crypto_workers;
}

std::string topology_label(const BenchPoint& point) {
  std::string label(config::to_string(point.topology));
  if (point.topology != config::TopologyKind::kSingle) {
    label += " w" + std::to_string(point.crypto_workers);
  }
  if (point.ordered) label += " ordered";
  return label;
}

}  // namespace

std::vector<std::uint16_t> imix_sizes(std::uint16_t mtu) {
  std::vector<std::uint16_t> sizes(7, 64);
  sizes.insert(sizes.end(), 4, 576);
  sizes.push_back(std::min<std::uint16_t>(1500, mtu));
  return sizes;
}

double Ceiling::seal_mpps(const std::vector<std::uint16_t>& sizes, std::uint16_t mtu) {
  // A packet of the mix costs the mean of its sizes' seal times (padded plaintext, as sealed).
  double seconds_per_packet = 0;
  for (std::uint16_t size : sizes) {
    const std::size_t plaintext = size + crypto::padding_for(size, mtu);
    auto found = per_size_.find(plaintext);
    if (found == per_size_.end()) {
      double best = 0;
      for (auto kind : {crypto::AeadKind::kOpenSsl, crypto::AeadKind::kLibsodium}) {
        best = std::max(best, measure_aead(kind, plaintext, seconds_).seals_per_second / 1e6);
      }
      found = per_size_.emplace(plaintext, best).first;
    }
    seconds_per_packet += 1.0 / found->second;
  }
  return static_cast<double>(sizes.size()) / seconds_per_packet;
}

bool run_point(const config::GatewayConfig& base, const BenchPoint& point, Ceiling& ceiling,
               BenchResult& result, std::string& error) {
  config::GatewayConfig config = base;
  config.topology.kind = point.topology;
  config.topology.crypto_workers = point.crypto_workers;
  config.topology.ordered = point.ordered;
  config.generator.flows = point.flows;
  config.generator.packet_sizes = point.sizes;
  config.generator.rate_pps = point.rate_pps;
  config.generator.max_packets = 0;
  result = BenchResult{};
  result.point = point;
  result.crypto_cores = crypto_cores(point);
  // The ceiling first, with the gateway not yet running (it would share the cores).
  result.ceiling_mpps = ceiling.seal_mpps(point.sizes, config.interface.mtu);

  auto gateway = actors::Gateway::start(config, {}, error);
  if (!gateway) return false;
  std::this_thread::sleep_for(std::chrono::duration<double>(point.warmup_s));
  const Snapshot first = take(*gateway);
  std::this_thread::sleep_for(std::chrono::duration<double>(point.duration_s));
  const Snapshot last = take(*gateway);
  gateway->stop();

  const double seconds = std::chrono::duration<double>(last.at - first.at).count();
  result.offered_mpps = static_cast<double>(last.offered - first.offered) / seconds / 1e6;
  result.mpps = static_cast<double>(last.out - first.out) / seconds / 1e6;
  result.gbit_s = static_cast<double>(last.out_bytes - first.out_bytes) * 8 / seconds / 1e9;
  result.drops = last.drops - first.drops;
  result.port_drops = last.port_drops - first.port_drops;
  result.ratio = result.mpps / result.ceiling_mpps;
  result.ratio_per_core = result.ratio / result.crypto_cores;
  const double ns = seconds * 1e9;
  result.generator_cpu_pct =
      100.0 * static_cast<double>(last.generator_busy - first.generator_busy) / ns;
  result.sink_cpu_pct = 100.0 * static_cast<double>(last.sink_busy - first.sink_busy) / ns;
  for (const auto& counters : gateway->counters()) {
    const auto now = last.stages.find(counters->name);
    const auto then = first.stages.find(counters->name);
    if (now == last.stages.end() || then == first.stages.end()) continue;
    StageSample stage;
    stage.name = counters->name;
    stage.busy_pct = 100.0 * static_cast<double>(now->second[0] - then->second[0]) / ns;
    stage.credit_stalls = now->second[1] - then->second[1];
    stage.backoff_events = now->second[2] - then->second[2];
    stage.backoff_ms = static_cast<double>(now->second[3] - then->second[3]) / 1e6;
    stage.lock_wait_pct = 100.0 * static_cast<double>(now->second[4] - then->second[4]) / ns;
    stage.mailbox_high_water = counters->mailbox_high_water.get();
    result.stages.push_back(stage);
  }
  return true;
}

std::string csv_header() {
  return "figure,topology,crypto_workers,ordered,flows,size,offered_pps,offered_mpps,mpps,gbit_s,"
         "drops,port_drops,ceiling_mpps,crypto_cores,ratio,ratio_per_core,generator_cpu_pct,"
         "sink_cpu_pct,stages";
}

std::string csv_row(const BenchResult& r) {
  const BenchPoint& p = r.point;
  // Stages as name:busy%:mailbox_high_water:stalls:backoffs:backoff_ms:lock_wait% joined by ';'.
  std::string stages;
  for (const StageSample& s : r.stages) {
    char item[160];
    std::snprintf(item, sizeof item, "%s%s:%.1f:%llu:%llu:%llu:%.1f:%.1f",
                  stages.empty() ? "" : ";", s.name.c_str(), s.busy_pct,
                  static_cast<unsigned long long>(s.mailbox_high_water),
                  static_cast<unsigned long long>(s.credit_stalls),
                  static_cast<unsigned long long>(s.backoff_events), s.backoff_ms, s.lock_wait_pct);
    stages += item;
  }
  char line[512];
  std::snprintf(line, sizeof line,
                "%s,%s,%u,%d,%u,%s,%llu,%.4f,%.4f,%.3f,%llu,%llu,%.4f,%u,%.3f,%.3f,%.1f,%.1f,",
                p.figure.c_str(), std::string(config::to_string(p.topology)).c_str(),
                p.crypto_workers, p.ordered ? 1 : 0, p.flows, p.size_label.c_str(),
                static_cast<unsigned long long>(p.rate_pps), r.offered_mpps, r.mpps, r.gbit_s,
                static_cast<unsigned long long>(r.drops),
                static_cast<unsigned long long>(r.port_drops), r.ceiling_mpps, r.crypto_cores,
                r.ratio, r.ratio_per_core, r.generator_cpu_pct, r.sink_cpu_pct);
  return line + stages;
}

std::string describe(const BenchResult& r) {
  const BenchPoint& p = r.point;
  char line[400];
  std::snprintf(
      line, sizeof line,
      "%-26s %5u flows %5s B %9s: %7.3f Mpps %7.3f Gbit/s  ceiling %.3f Mpps  ratio "
      "%.2f (%.2f per crypto core)  drops %llu  shed at port %llu  gen %.0f%% sink %.0f%%",
      topology_label(p).c_str(), p.flows, p.size_label.c_str(),
      p.rate_pps == 0 ? "max" : (std::to_string(p.rate_pps / 1000) + "kpps").c_str(), r.mpps,
      r.gbit_s, r.ceiling_mpps, r.ratio, r.ratio_per_core, static_cast<unsigned long long>(r.drops),
      static_cast<unsigned long long>(r.port_drops), r.generator_cpu_pct, r.sink_cpu_pct);
  return line;
}

}  // namespace actorwire::bench
