// The host checks of `actorwire doctor`: does this machine give the configured ports what
// DPDK needs (huge pages, hugetlbfs, IOMMU and vfio-pci, the devices, NUMA placement, memlock,
// privileges), and does the CPU have what the AEAD back-end's fast code paths use? Each check
// reads only files under a HostTree (/sys, /proc, /dev), so tests run them on a fake tree.
// Each returns lines: ok, a note (worth knowing, not wrong) or a problem with the command that
// fixes it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "crypto/aead.hpp"
#include "io/eal_args.hpp"
#include "io/host_tree.hpp"
#include "io/port_device.hpp"

namespace actorwire::io {

struct CheckLine {
  enum class Verdict { kOk, kNote, kProblem };
  Verdict verdict = Verdict::kOk;
  std::string subject;  // "hugepages", "pci 0000:03:00.0", "cpu", ...
  std::string finding;
  std::string fix;  // problems (and some notes): the command or change that fixes it
  // A problem the gateway starts anyway with (a link that is down may come up later); `run`
  // warns of it rather than refusing to start.
  bool stops_start = true;

  // "ok       hugepages: 2 x 1 GiB free on node 0", "problem  hugepages: none reserved on
  // node 0 -> dpdk-hugepages.py -p 1G --setup 2G"
  std::string to_string() const;
};
using CheckLines = std::vector<CheckLine>;

// What the configured gateway asks of the host.
struct HostNeeds {
  EalPlan eal;
  std::vector<PortDevice> ports;
  crypto::AeadKind aead = crypto::AeadKind::kOpenSsl;
};
HostNeeds host_needs(const config::GatewayConfig& config);

// Huge pages reserved and free on the NUMA nodes that matter (the main lcore's, the NICs'),
// and enough for -m/--socket-mem; an ok line when eal_args say --no-huge.
CheckLines check_hugepages(const HostTree& host, const HostNeeds& needs);
// A hugetlbfs mount for a page size that has free pages (and --huge-dir is one).
CheckLines check_hugetlbfs(const HostTree& host, const HostNeeds& needs);
// A PCI port: the device exists, is bound to vfio-pci or a bifurcated driver (mlx4/mlx5),
// eal_args let the EAL probe it, and it sits on the main lcore's NUMA node.
CheckLines check_pci_device(const HostTree& host, const HostNeeds& needs, const PortDevice& port);
// IOMMU groups exist and vfio-pci is loaded, when some PCI port needs vfio-pci.
CheckLines check_iommu(const HostTree& host, const HostNeeds& needs);
// A virtual device: net_af_packet's interface exists, net_tap has /dev/net/tun.
CheckLines check_vdev(const HostTree& host, const PortDevice& port);
// RLIMIT_MEMLOCK (vfio pins the DMA memory) unless the process has CAP_IPC_LOCK.
CheckLines check_memlock(const HostTree& host, const HostNeeds& needs);
// Root, or the capabilities the ports need (CAP_NET_RAW for af_packet, CAP_NET_ADMIN for tap).
CheckLines check_privileges(const HostTree& host, const HostNeeds& needs);
// SSSE3/AVX2/AVX-512 from /proc/cpuinfo, as the chosen AEAD back-end uses them.
CheckLines check_cpu_features(const HostTree& host, crypto::AeadKind aead);

// Every check above that applies to `needs`, in that order.
CheckLines run_host_checks(const HostTree& host, const HostNeeds& needs);

// Helpers the checks share.
// The NUMA node of `cpu` (from /sys/devices/system/node/node*/cpulist); nullopt if unknown.
std::optional<int> cpu_numa_node(const HostTree& host, unsigned cpu);
// The NUMA node of a PCI device; nullopt if the kernel reports none (-1) or it is missing.
std::optional<int> pci_numa_node(const HostTree& host, const std::string& pci_address);
// The NUMA nodes of the host; {0} when the kernel has no node directory.
std::vector<int> numa_nodes(const HostTree& host);
// One bit of the CapEff mask in /proc/self/status (CAP_NET_RAW = 13, ...).
bool has_capability(const HostTree& host, int capability);

}  // namespace actorwire::io
