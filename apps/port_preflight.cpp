#include "apps/port_preflight.hpp"

#include <cstddef>
#include <string>
#include <utility>

#include "io/host_checks.hpp"

namespace actorwire::apps {

PortPreflight port_preflight(const config::GatewayConfig& config, const io::HostTree& host) {
  PortPreflight result;
  const io::HostNeeds needs = io::host_needs(config);
  for (std::size_t i = 0; i < config.ports.size(); ++i) {
    const config::PortConfig& port = config.ports[i];
    const io::PortDevice device = io::parse_port_device(port.device);
    io::CheckLines lines = device.kind == io::PortDevice::Kind::kPci
                               ? io::check_pci_device(host, needs, device)
                               : io::check_vdev(host, device);
    // The privileges this port's driver needs (root for vfio-pci, CAP_NET_RAW for af_packet,
    // CAP_NET_ADMIN for tap), not the huge pages', which are the EAL's and reported by it.
    io::HostNeeds port_needs;
    port_needs.eal.no_huge = true;
    port_needs.ports = {device};
    const io::CheckLines privileges = io::check_privileges(host, port_needs);
    lines.insert(lines.end(), privileges.begin(), privileges.end());
    for (const io::CheckLine& line : lines) {
      if (line.verdict != io::CheckLine::Verdict::kProblem) continue;
      config::ConfigError problem{
          port.device_at.file, port.device_at.line, port.device_at.column,
          port.device_at.key.empty() ? "port[" + std::to_string(i) + "].device"
                                     : port.device_at.key,
          "'" + port.device + "': " + line.finding + (line.fix.empty() ? "" : " -> " + line.fix)};
      if (!line.stops_start) {
        result.warnings.push_back(std::move(problem));
        continue;
      }
      result.error = std::move(problem);
      return result;
    }
  }
  return result;
}

}  // namespace actorwire::apps
