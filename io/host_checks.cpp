#include "io/host_checks.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace actorwire::io {

std::string CheckLine::to_string() const {
  const char* label = verdict == Verdict::kOk     ? "ok       "
                      : verdict == Verdict::kNote ? "note     "
                                                  : "problem  ";
  std::string line = label + subject + ": " + finding;
  if (!fix.empty()) line += " -> " + fix;
  return line;
}

HostNeeds host_needs(const config::GatewayConfig& config) {
  HostNeeds needs;
  needs.eal = parse_eal_args(config.dpdk.eal_args);
  for (const auto& port : config.ports) needs.ports.push_back(parse_port_device(port.device));
  needs.aead = config.crypto.aead;
  return needs;
}

std::vector<int> numa_nodes(const HostTree& host) {
  std::vector<int> nodes;
  for (const auto& name : host.list("/sys/devices/system/node")) {
    int node = 0;
    if (name.rfind("node", 0) != 0) continue;
    const auto [end, error] = std::from_chars(name.data() + 4, name.data() + name.size(), node);
    if (error == std::errc{} && end == name.data() + name.size()) nodes.push_back(node);
  }
  std::sort(nodes.begin(), nodes.end());
  if (nodes.empty()) nodes.push_back(0);
  return nodes;
}

std::optional<int> cpu_numa_node(const HostTree& host, unsigned cpu) {
  for (int node : numa_nodes(host)) {
    const auto list =
        host.read("/sys/devices/system/node/node" + std::to_string(node) + "/cpulist");
    if (!list) continue;
    const auto cpus = parse_cpu_list(*list);
    if (std::find(cpus.begin(), cpus.end(), cpu) != cpus.end()) return node;
  }
  return std::nullopt;
}

std::optional<int> pci_numa_node(const HostTree& host, const std::string& pci_address) {
  const auto node = host.read_number("/sys/bus/pci/devices/" + pci_address + "/numa_node");
  if (!node || *node < 0) return std::nullopt;
  return static_cast<int>(*node);
}

bool has_capability(const HostTree& host, int capability) {
  const auto status = host.read("/proc/self/status");
  if (!status) return false;
  std::istringstream lines(*status);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    std::uint64_t mask = 0;
    std::string hex = line.substr(7);
    hex.erase(0, hex.find_first_not_of(" \t"));
    const auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), mask, 16);
    return error == std::errc{} && ((mask >> capability) & 1U) != 0;
  }
  return false;
}

CheckLines run_host_checks(const HostTree& host, const HostNeeds& needs) {
  CheckLines lines;
  const auto append = [&lines](CheckLines more) {
    lines.insert(lines.end(), more.begin(), more.end());
  };
  append(check_hugepages(host, needs));
  append(check_hugetlbfs(host, needs));
  append(check_iommu(host, needs));
  for (const auto& port : needs.ports) {
    append(port.kind == PortDevice::Kind::kPci ? check_pci_device(host, needs, port)
                                               : check_vdev(host, port));
  }
  append(check_memlock(host, needs));
  append(check_privileges(host, needs));
  append(check_cpu_features(host, needs.aead));
  return lines;
}

}  // namespace actorwire::io
