#include "apps/live_stats.hpp"

#include <cstdio>
#include <ostream>

namespace actorwire::apps {
namespace {

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
  char buffer[128];
  std::snprintf(buffer, sizeof buffer, pattern, a, b, c);
  return buffer;
}

}  // namespace

LiveStats::LiveStats(const actors::Gateway& gateway)
    : gateway_(gateway), start_(std::chrono::steady_clock::now()), last_time_(start_) {}

LiveStats::Totals LiveStats::read() const {
  Totals totals;
  const auto all = gateway_.counters();
  // The topology's stages are the ones that are neither generator nor sink; the first stage
  // sees the input, the last one's output is the gateway's.
  for (const auto& counters : all) {
    // Data-plane stages only: the generator and sink are outside the gateway, the control
    // actor handles handshake messages, not traffic.
    if (counters.get() == gateway_.generator_counters() ||
        counters.get() == gateway_.sink_counters() ||
        counters.get() == gateway_.control_counters()) {
      continue;
    }
    totals.in += counters->packets_in.get();
    totals.out += counters->packets_out.get();
    totals.out_bytes += counters->bytes_out.get();
    totals.drops += counters->drops_total();
  }
  if (const auto* generator = gateway_.generator_counters()) {
    totals.offered_drops = generator->drops_total();
  }
  return totals;
}

void LiveStats::print_line(std::ostream& out) {
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - last_time_).count();
  const Totals totals = read();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  out << format("[%6.1fs] in %7.3f Mpps  out %7.3f Mpps", elapsed,
                (totals.in - last_.in) / seconds / 1e6, (totals.out - last_.out) / seconds / 1e6)
      << format("  %7.3f Gbit/s", (totals.out_bytes - last_.out_bytes) * 8 / seconds / 1e9)
      << "  drops " << (totals.drops - last_.drops) << "  rx-missed "
      << (totals.offered_drops - last_.offered_drops) << std::endl;
  last_ = totals;
  last_time_ = now;
}

void LiveStats::print_summary(std::ostream& out) const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const Totals totals = read();
  out << "\nsummary after " << format("%.1f", elapsed) << " s: " << totals.in << " packets in, "
      << totals.out << " out, " << totals.drops << " dropped"
      << format(" (avg %.3f Mpps, %.3f Gbit/s out)\n", totals.out / elapsed / 1e6,
                totals.out_bytes * 8 / elapsed / 1e9);
  out << "actor          packets_in  packets_out        drops    busy%\n";
  for (const auto& counters : gateway_.counters()) {
    const double busy = static_cast<double>(counters->busy_ns.get());
    const double idle = static_cast<double>(counters->idle_ns.get());
    char line[160];
    std::snprintf(line, sizeof line, "%-12s %12llu %12llu %12llu %7.1f\n", counters->name.c_str(),
                  static_cast<unsigned long long>(counters->packets_in.get()),
                  static_cast<unsigned long long>(counters->packets_out.get()),
                  static_cast<unsigned long long>(counters->drops_total()),
                  busy + idle > 0 ? 100.0 * busy / (busy + idle) : 0.0);
    out << line;
    for (std::size_t r = 1; r < actors::kDropReasonCount; ++r) {
      const auto reason = static_cast<actors::DropReason>(r);
      if (const auto n = counters->drops_of(reason)) {
        out << "    drop " << actors::to_string(reason) << ": " << n << "\n";
      }
    }
  }
  // Per peer, in the units `wg show` uses (WireGuard message bytes), so the two can be compared.
  for (const auto& peer : gateway_.peer_counters()) {
    out << "peer " << peer->public_key << ": rx " << peer->rx_packets.get() << " packets "
        << peer->rx_bytes.get() << " bytes, tx " << peer->tx_packets.get() << " packets "
        << peer->tx_bytes.get() << " bytes, keepalives " << peer->keepalives_sent.get() << " sent "
        << peer->keepalives_received.get() << " received, sessions "
        << peer->sessions_installed.get() << "\n";
  }
}

}  // namespace actorwire::apps
