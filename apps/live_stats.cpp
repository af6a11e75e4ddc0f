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
    : gateway_(gateway),
      start_(std::chrono::steady_clock::now()),
      last_time_(start_),
      last_actors_time_(start_) {}

void LiveStats::print_actors(std::ostream& out) {
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - last_actors_time_).count();
  const unsigned long long capacity = gateway_.config().topology.mailbox_capacity;
  for (const auto& counters : gateway_.gateway_counters()) {
    ActorSample sample{counters->packets_out.get(), counters->busy_ns.get(),
                       counters->credit_stalls.get(), counters->backoff_events.get(),
                       counters->backoff_ns.get()};
    const ActorSample last = last_actors_[counters->name];
    char line[200];
    std::snprintf(line, sizeof line,
                  "    %-10s %7.3f Mpps  mbox %llu/%llu/%llu  stalls +%-6llu backoff +%llu "
                  "(%.1f ms)  busy %3.0f%%\n",
                  counters->name.c_str(),
                  static_cast<double>(sample.packets_out - last.packets_out) / seconds / 1e6,
                  static_cast<unsigned long long>(counters->mailbox_depth.get()),
                  static_cast<unsigned long long>(counters->mailbox_high_water.get()), capacity,
                  static_cast<unsigned long long>(sample.stalls - last.stalls),
                  static_cast<unsigned long long>(sample.backoffs - last.backoffs),
                  static_cast<double>(sample.backoff_ns - last.backoff_ns) / 1e6,
                  100.0 * static_cast<double>(sample.busy_ns - last.busy_ns) / (seconds * 1e9));
    out << line;
    last_actors_[counters->name] = sample;
  }
  last_actors_time_ = now;
}

LiveStats::Totals LiveStats::read() const {
  Totals totals;
  // In: what the stages that poll the ports received; out: what the transmitting stages sent.
  for (const auto& counters : gateway_.ingress_counters()) totals.in += counters->packets_in.get();
  for (const auto& counters : gateway_.egress_counters()) {
    totals.out += counters->packets_out.get();
    totals.out_bytes += counters->bytes_out.get();
  }
  // Drops: every data-plane stage (not the generator and sink outside the gateway, not the
  // control actor, whose refused handshakes are listed in the summary).
  for (const auto& counters : gateway_.gateway_counters()) {
    if (counters.get() == gateway_.control_counters()) continue;
    totals.drops += counters->drops_total();
  }
  // Offered but not taken: what the ports' rings dropped because nobody polled them (rx-missed,
  // the back-pressure drop), plus what the built-in generator could not enqueue.
  for (auto role : {config::PortRole::kLan, config::PortRole::kWan}) {
    totals.offered_drops += gateway_.port(role).stats().rx_missed;
  }
  if (const auto* generator = gateway_.generator_counters()) {
    totals.offered_drops += generator->drops_total();
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
  out << "actor          packets_in  packets_out        drops   busy%  mailbox(hw)  stalls"
         "  backoffs (ms)\n";
  const double elapsed_ns = elapsed * 1e9;
  for (const auto& counters : gateway_.counters()) {
    // Busy: time spent moving packets, as a share of the wall time (the paper's per-stage CPU
    // utilisation, Fig. 16).
    const double busy = static_cast<double>(counters->busy_ns.get());
    char line[200];
    std::snprintf(line, sizeof line,
                  "%-12s %12llu %12llu %12llu  %6.1f  %4llu (%4llu)  %6llu  %8llu (%llu)\n",
                  counters->name.c_str(),
                  static_cast<unsigned long long>(counters->packets_in.get()),
                  static_cast<unsigned long long>(counters->packets_out.get()),
                  static_cast<unsigned long long>(counters->drops_total()),
                  elapsed_ns > 0 ? 100.0 * busy / elapsed_ns : 0.0,
                  static_cast<unsigned long long>(counters->mailbox_depth.get()),
                  static_cast<unsigned long long>(counters->mailbox_high_water.get()),
                  static_cast<unsigned long long>(counters->credit_stalls.get()),
                  static_cast<unsigned long long>(counters->backoff_events.get()),
                  static_cast<unsigned long long>(counters->backoff_ns.get() / 1000000));
    out << line;
    for (std::size_t r = 1; r < actors::kDropReasonCount; ++r) {
      const auto reason = static_cast<actors::DropReason>(r);
      if (const auto n = counters->drops_of(reason)) {
        out << "    drop " << actors::to_string(reason) << ": " << n << "\n";
      }
    }
    // What the actor did as a router (dataplane/ip_services.hpp), when it did anything.
    const std::pair<const char*, const actors::Counter*> router_events[] = {
        {"icmp_sent", &counters->icmp_sent},
        {"icmp_suppressed", &counters->icmp_suppressed},
        {"mss_clamped", &counters->mss_clamped},
        {"fragmented", &counters->packets_fragmented}};
    for (const auto& [name, counter] : router_events) {
      if (const auto n = counter->get()) out << "    " << name << ": " << n << "\n";
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
  out << std::flush;  // scripts read it at once (SIGUSR1)
}

}  // namespace actorwire::apps
