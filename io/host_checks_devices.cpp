// PCI devices (existence, driver binding, EAL allow list, NUMA), the IOMMU and vfio-pci, and
// virtual devices.
#include <algorithm>

#include "io/host_checks.hpp"

namespace actorwire::io {
namespace {

using Verdict = CheckLine::Verdict;

// Drivers with which DPDK shares the NIC with the kernel instead of taking it over: their
// ports stay bound to the kernel driver, and need no vfio-pci and no IOMMU.
bool is_bifurcated(const std::string& driver) {
  return driver == "mlx5_core" || driver == "mlx4_core";
}

std::optional<std::string> driver_of(const HostTree& host, const std::string& pci_address) {
  return host.link_name("/sys/bus/pci/devices/" + pci_address + "/driver");
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

CheckLine numa_line(const HostTree& host, const HostNeeds& needs, const std::string& pci_address) {
  const std::string subject = "numa " + pci_address;
  const auto device_node = pci_numa_node(host, pci_address);
  if (!device_node) return {Verdict::kOk, subject, "no NUMA node reported (one node)", ""};
  if (!needs.eal.main_lcore_cpu) {
    return {Verdict::kNote, subject,
            "on node " + std::to_string(*device_node) +
                "; the main lcore is set by --lcores, not checked: the mbuf pool is allocated "
                "on the main lcore's node",
            ""};
  }
  const unsigned cpu = *needs.eal.main_lcore_cpu;
  const auto cpu_node = cpu_numa_node(host, cpu);
  if (cpu_node == device_node) {
    return {Verdict::kOk, subject,
            "on node " + std::to_string(*device_node) + " with the main lcore (CPU " +
                std::to_string(cpu) + ") and the mbuf pool",
            ""};
  }
  const std::string cpulist =
      host.read("/sys/devices/system/node/node" + std::to_string(*device_node) + "/cpulist")
          .value_or("");
  const auto cpus = parse_cpu_list(cpulist);
  const std::string first = cpus.empty() ? "<a CPU of node " + std::to_string(*device_node) + ">"
                                         : std::to_string(cpus.front());
  return {Verdict::kProblem, subject,
          "on node " + std::to_string(*device_node) + ", but the main lcore (CPU " +
              std::to_string(cpu) + ") is on node " +
              (cpu_node ? std::to_string(*cpu_node) : std::string("?")) +
              ", where DPDK puts the mbuf pool: every packet would cross the interconnect",
          "add \"-l\", \"" + first + "\" to [dpdk] eal_args and run actorwire on node " +
              std::to_string(*device_node) + "'s CPUs (taskset -c " + cpulist +
              ", or CPUAffinity= in the unit)",
          false};  // slower, but it runs: `run` warns
}

}  // namespace

CheckLines check_pci_device(const HostTree& host, const HostNeeds& needs, const PortDevice& port) {
  const std::string& address = port.pci_address;
  const std::string subject = "pci " + address;
  const std::string dir = "/sys/bus/pci/devices/" + address;
  if (!host.exists(dir)) {
    return {{Verdict::kProblem, subject, "no such PCI device on this host",
             "lspci -D -d ::0200 lists the Ethernet NICs; put one's address in [[port]] device"}};
  }
  CheckLines lines;
  if (needs.eal.no_pci) {
    lines.push_back({Verdict::kProblem, subject,
                     "eal_args have --no-pci: the EAL will not probe it",
                     "remove \"--no-pci\" from [dpdk] eal_args"});
  } else if (!needs.eal.allowed.empty() && !contains(needs.eal.allowed, address)) {
    lines.push_back({Verdict::kProblem, subject, "not in the EAL allow list (-a) of eal_args",
                     "add \"-a\", \"" + address + "\" to [dpdk] eal_args"});
  } else if (contains(needs.eal.blocked, address)) {
    lines.push_back({Verdict::kProblem, subject, "blocked by -b in eal_args",
                     "remove \"-b\", \"" + address + "\" from [dpdk] eal_args"});
  }
  const auto driver = driver_of(host, address);
  const auto interfaces = host.list(dir + "/net");
  const std::string interface = interfaces.empty() ? "" : interfaces.front();
  if (driver == "vfio-pci") {
    lines.push_back({Verdict::kOk, subject, "bound to vfio-pci", ""});
  } else if (driver && is_bifurcated(*driver)) {
    lines.push_back({Verdict::kOk, subject,
                     "bound to " + *driver +
                         " (bifurcated: DPDK's mlx driver works beside the "
                         "kernel's, no vfio-pci needed)",
                     ""});
  } else if (driver == "uio_pci_generic" || driver == "igb_uio") {
    lines.push_back({Verdict::kNote, subject,
                     "bound to " + *driver + ": works, but without the IOMMU's DMA isolation",
                     "dpdk-devbind.py -b vfio-pci " + address});
  } else if (driver) {
    lines.push_back({Verdict::kProblem, subject,
                     "bound to the kernel driver " + *driver +
                         (interface.empty() ? "" : " (interface " + interface + ")") +
                         ", not vfio-pci",
                     (interface.empty() ? "" : "ip link set dev " + interface + " down && ") +
                         "dpdk-devbind.py -b vfio-pci " + address});
  } else {
    lines.push_back({Verdict::kProblem, subject, "bound to no driver",
                     "modprobe vfio-pci && dpdk-devbind.py -b vfio-pci " + address});
  }
  lines.push_back(numa_line(host, needs, address));
  return lines;
}

CheckLines check_iommu(const HostTree& host, const HostNeeds& needs) {
  bool needs_vfio = false;
  bool any_pci = false;
  for (const auto& port : needs.ports) {
    if (port.kind != PortDevice::Kind::kPci) continue;
    any_pci = true;
    const auto driver = driver_of(host, port.pci_address);
    needs_vfio = needs_vfio || !driver || !is_bifurcated(*driver);
  }
  if (!any_pci) return {{Verdict::kOk, "iommu", "not needed (no PCI ports)", ""}};
  if (!needs_vfio) return {{Verdict::kOk, "iommu", "not needed (bifurcated drivers only)", ""}};
  CheckLines lines;
  const auto groups = host.list("/sys/kernel/iommu_groups");
  if (!groups.empty()) {
    lines.push_back(
        {Verdict::kOk, "iommu", "on (" + std::to_string(groups.size()) + " IOMMU groups)", ""});
  } else if (host.read("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode") == "Y") {
    lines.push_back({Verdict::kNote, "iommu",
                     "off; vfio runs in its unsafe no-IOMMU mode (no DMA isolation)", ""});
  } else {
    lines.push_back(
        {Verdict::kProblem, "iommu", "off (/sys/kernel/iommu_groups is empty): vfio-pci needs it",
         "add intel_iommu=on iommu=pt (AMD: amd_iommu=on iommu=pt) to GRUB_CMDLINE_LINUX in "
         "/etc/default/grub, update-grub, reboot; in a VM without a virtual IOMMU: modprobe vfio "
         "enable_unsafe_noiommu_mode=1"});
  }
  if (host.exists("/sys/module/vfio_pci")) {
    lines.push_back({Verdict::kOk, "vfio-pci", "module loaded", ""});
  } else {
    lines.push_back({Verdict::kProblem, "vfio-pci", "module not loaded",
                     "modprobe vfio-pci (at boot: echo vfio-pci > "
                     "/etc/modules-load.d/vfio-pci.conf)"});
  }
  return lines;
}

CheckLines check_vdev(const HostTree& host, const PortDevice& port) {
  const std::string subject = "port " + port.name;
  switch (port.kind) {
    case PortDevice::Kind::kRing:
      return {{Verdict::kOk, subject, "in-process ring port, needs nothing from the host", ""}};
    case PortDevice::Kind::kAfPacket: {
      if (port.iface.empty()) {
        return {{Verdict::kProblem, subject, "net_af_packet needs the interface to open",
                 "device = \"" + port.name + ",iface=<interface>\" in [[port]]"}};
      }
      const std::string dir = "/sys/class/net/" + port.iface;
      if (!host.exists(dir)) {
        return {{Verdict::kProblem, subject, "no interface " + port.iface,
                 "ip link show lists them; create it or fix iface= in [[port]] device"}};
      }
      if (host.read(dir + "/operstate") == "down") {
        return {{Verdict::kProblem, subject, "interface " + port.iface + " is down",
                 "ip link set dev " + port.iface + " up", false}};
      }
      return {{Verdict::kOk, subject, "interface " + port.iface + " exists", ""}};
    }
    case PortDevice::Kind::kTap:
      if (!host.exists("/dev/net/tun")) {
        return {{Verdict::kProblem, subject, "no /dev/net/tun", "modprobe tun"}};
      }
      return {{Verdict::kOk, subject, "/dev/net/tun exists", ""}};
    case PortDevice::Kind::kOtherVdev:
    case PortDevice::Kind::kPci:
      break;
  }
  return {
      {Verdict::kNote, subject, "a virtual device doctor knows nothing about; not checked", ""}};
}

}  // namespace actorwire::io
