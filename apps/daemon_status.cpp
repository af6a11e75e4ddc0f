#include "apps/daemon_status.hpp"

#include <cstdint>

namespace actorwire::apps {

std::string daemon_status(const actors::Gateway& gateway, std::chrono::seconds uptime) {
  std::uint64_t in = 0, out = 0, dropped = 0;
  for (const auto& counters : gateway.ingress_counters()) in += counters->packets_in.get();
  for (const auto& counters : gateway.egress_counters()) out += counters->packets_out.get();
  for (const auto& counters : gateway.gateway_counters()) {
    dropped += counters->drops_total();
  }
  return "forwarding: " + std::to_string(in) + " packets in, " + std::to_string(out) + " out, " +
         std::to_string(dropped) + " dropped, up " + std::to_string(uptime.count()) + " s";
}

}  // namespace actorwire::apps
