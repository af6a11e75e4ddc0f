#include "apps/stats_command.hpp"

#include <cstdio>
#include <ostream>

#include "apps/control_socket.hpp"

namespace actorwire::apps {
namespace {

std::uint64_t total_drops(const nlohmann::json& actor) {
  std::uint64_t total = 0;
  for (const auto& [reason, count] : actor["drops"].items()) total += count.get<std::uint64_t>();
  return total;
}

void print_frame(const nlohmann::json& stats, std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof line, "actorwire %s: topology %s, %zu peer(s), up %.0f s\n",
                stats["name"].get<std::string>().c_str(),
                stats["topology"].get<std::string>().c_str(), stats["peers"].size(),
                stats["uptime_s"].get<double>());
  out << line;
  std::snprintf(line, sizeof line, "  %-12s %14s %14s %10s %16s %10s %6s\n", "actor", "packets in",
                "packets out", "drops", "mailbox d/hw/cap", "stalls", "busy");
  out << line;
  for (const auto& actor : stats["actors"]) {
    const auto busy = actor["busy_ns"].get<double>();
    const auto idle = actor["idle_ns"].get<double>();
    const auto& mailbox = actor["mailbox"];
    const std::string depth = std::to_string(mailbox["depth"].get<std::uint64_t>()) + "/" +
                              std::to_string(mailbox["high_water"].get<std::uint64_t>()) + "/" +
                              std::to_string(mailbox["capacity"].get<std::uint64_t>());
    std::snprintf(line, sizeof line, "  %-12s %14llu %14llu %10llu %16s %10llu %5.0f%%\n",
                  actor["name"].get<std::string>().c_str(),
                  static_cast<unsigned long long>(actor["packets_in"].get<std::uint64_t>()),
                  static_cast<unsigned long long>(actor["packets_out"].get<std::uint64_t>()),
                  static_cast<unsigned long long>(total_drops(actor)), depth.c_str(),
                  static_cast<unsigned long long>(actor["credit_stalls"].get<std::uint64_t>()),
                  busy + idle > 0 ? 100.0 * busy / (busy + idle) : 0.0);
    out << line;
  }
  std::snprintf(line, sizeof line, "  %-44s %14s %14s %8s\n", "peer", "rx bytes", "tx bytes",
                "sessions");
  out << line;
  for (const auto& peer : stats["peers"]) {
    std::snprintf(line, sizeof line, "  %-44s %14llu %14llu %8llu\n",
                  peer["public_key"].get<std::string>().c_str(),
                  static_cast<unsigned long long>(peer["rx_bytes"].get<std::uint64_t>()),
                  static_cast<unsigned long long>(peer["tx_bytes"].get<std::uint64_t>()),
                  static_cast<unsigned long long>(peer["sessions_installed"].get<std::uint64_t>()));
    out << line;
  }
}

}  // namespace

int stats_command(const StatsOptions& options, std::ostream& out, std::ostream& err) {
  std::string error;
  const nlohmann::json stats = control_request(options.socket_dir, options.name, "stats", error);
  if (stats.is_null()) {
    err << "actorwire stats: " << error << "\n";
    return 1;
  }
  if (options.json) {
    out << stats.dump(2) << "\n";
    return 0;
  }
  if (!options.once) {
    err << "actorwire stats: the live view is not built yet; one frame (--once) follows\n";
  }
  print_frame(stats, out);
  return 0;
}

}  // namespace actorwire::apps
