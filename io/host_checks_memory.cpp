// Huge pages, hugetlbfs and the memlock limit.
#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include "io/host_checks.hpp"

namespace actorwire::io {
namespace {

using Verdict = CheckLine::Verdict;

constexpr const char* kSysHugepages = "/sys/kernel/mm/hugepages";
constexpr std::uint64_t kMiBInBytes = std::uint64_t{1024} * 1024;
constexpr std::uint64_t kGiBInKiB = kMiBInBytes;  // both 2^20
// Below this much free huge page memory on the pool's node the gateway will not start: the
// mbuf pool (8192 mbufs: ~20 MiB), the IPv4 allowed-IPs table (rte_fib DIR24_8: 64 MiB) and
// the rest of DPDK's own allocations.
constexpr std::uint64_t kMinimumMiB = 256;
constexpr int kCapIpcLock = 14;

std::uint64_t to_mib(std::uint64_t kib) {
  return kib / 1024;
}

std::string size_label(std::uint64_t kib) {
  return kib % kGiBInKiB == 0 ? std::to_string(kib / kGiBInKiB) + " GiB"
                              : std::to_string(kib / 1024) + " MiB";
}

// dpdk-hugepages.py's spelling of a size: "1G", "2M".
std::string size_flag(std::uint64_t kib) {
  return kib % kGiBInKiB == 0 ? std::to_string(kib / kGiBInKiB) + "G"
                              : std::to_string(kib / 1024) + "M";
}

// The page sizes the kernel offers, in KiB, from "hugepages-2048kB" directory names.
std::vector<std::uint64_t> page_sizes(const HostTree& host) {
  std::vector<std::uint64_t> sizes;
  for (const auto& name : host.list(kSysHugepages)) {
    std::uint64_t kib = 0;
    const char* begin = name.data() + std::string("hugepages-").size();
    const char* end = name.data() + name.size();
    if (name.rfind("hugepages-", 0) != 0 || name.size() < 13) continue;
    const auto [ptr, error] = std::from_chars(begin, end, kib);
    if (error == std::errc{} && std::string(ptr, end) == "kB") sizes.push_back(kib);
  }
  std::sort(sizes.begin(), sizes.end());
  return sizes;
}

// The size to suggest: 1 GiB pages where the CPU has them (fewer TLB misses), else the
// largest size offered, else 2 MiB.
std::uint64_t preferred_size(const std::vector<std::uint64_t>& sizes) {
  if (std::find(sizes.begin(), sizes.end(), kGiBInKiB) != sizes.end()) return kGiBInKiB;
  return sizes.empty() ? 2048 : sizes.back();
}

// "2G" or "512M": how much to reserve for `mib`, a whole number of `page_kib` pages.
std::string amount_flag(std::uint64_t mib, std::uint64_t page_kib) {
  const std::uint64_t page_mib = std::max<std::uint64_t>(page_kib / 1024, 1);
  const std::uint64_t rounded = (mib + page_mib - 1) / page_mib * page_mib;
  return rounded % 1024 == 0 ? std::to_string(rounded / 1024) + "G" : std::to_string(rounded) + "M";
}

struct Pages {
  std::uint64_t reserved_kib = 0;
  std::uint64_t free_kib = 0;
  std::string description;  // "2 x 1 GiB + 512 x 2 MiB"
};

// The pages of every size on one node, or on the whole host when the kernel has no per-node
// directories (node < 0, or a kernel without NUMA).
Pages pages_on(const HostTree& host, int node) {
  Pages pages;
  const std::string node_dir =
      "/sys/devices/system/node/node" + std::to_string(node) + "/hugepages";
  const bool per_node = node >= 0 && host.exists(node_dir);
  for (std::uint64_t kib : page_sizes(host)) {
    const std::string dir = (per_node ? node_dir : std::string(kSysHugepages)) + "/hugepages-" +
                            std::to_string(kib) + "kB";
    const auto reserved = host.read_number(dir + "/nr_hugepages").value_or(0);
    const auto free = host.read_number(dir + "/free_hugepages").value_or(0);
    if (reserved <= 0) continue;
    pages.reserved_kib += static_cast<std::uint64_t>(reserved) * kib;
    pages.free_kib += static_cast<std::uint64_t>(std::max<long long>(free, 0)) * kib;
    if (!pages.description.empty()) pages.description += " + ";
    pages.description += std::to_string(free) + " x " + size_label(kib);
  }
  return pages;
}

// The nodes the gateway allocates on: the main lcore's (the mbuf pool) and the NICs'
// (descriptor rings), each with why it matters.
std::vector<std::pair<int, std::string>> nodes_in_use(const HostTree& host,
                                                      const HostNeeds& needs) {
  std::vector<std::pair<int, std::string>> nodes;
  const auto add = [&nodes](int node, const std::string& why) {
    for (auto& [known, reasons] : nodes) {
      if (known == node) {
        reasons += ", " + why;
        return;
      }
    }
    nodes.emplace_back(node, why);
  };
  if (needs.eal.main_lcore_cpu) {
    if (auto node = cpu_numa_node(host, *needs.eal.main_lcore_cpu)) {
      add(*node, "the main lcore's (CPU " + std::to_string(*needs.eal.main_lcore_cpu) +
                     ": the mbuf pool)");
    }
  }
  for (const auto& port : needs.ports) {
    if (port.kind != PortDevice::Kind::kPci) continue;
    if (auto node = pci_numa_node(host, port.pci_address)) add(*node, port.pci_address + "'s");
  }
  if (nodes.empty()) add(numa_nodes(host).front(), "the first");
  return nodes;
}

struct Mount {
  std::string directory;
  std::uint64_t page_kib = 0;
};

// "2M", "1024M", "1G" (the kernel's pagesize= option) in KiB.
std::uint64_t parse_page_option(const std::string& text) {
  std::uint64_t value = 0;
  const auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{}) return 0;
  const std::string unit(ptr, text.data() + text.size());
  if (unit == "K" || unit == "k") return value;
  if (unit == "M") return value * 1024;
  if (unit == "G") return value * kGiBInKiB;
  return 0;
}

std::vector<Mount> hugetlbfs_mounts(const HostTree& host) {
  std::uint64_t default_kib = 0;
  std::istringstream meminfo(host.read("/proc/meminfo").value_or(""));
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("Hugepagesize:", 0) == 0) {
      std::istringstream(line.substr(13)) >> default_kib;
    }
  }
  std::vector<Mount> mounts;
  std::istringstream lines(host.read("/proc/mounts").value_or(""));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string source, directory, type, options;
    fields >> source >> directory >> type >> options;
    if (type != "hugetlbfs") continue;
    Mount mount{directory, default_kib};
    const auto at = options.find("pagesize=");
    if (at != std::string::npos) {
      mount.page_kib = parse_page_option(options.substr(at + 9, options.find(',', at) - at - 9));
    }
    mounts.push_back(mount);
  }
  return mounts;
}

}  // namespace

CheckLines check_hugepages(const HostTree& host, const HostNeeds& needs) {
  if (needs.eal.no_huge) {
    return {{Verdict::kOk, "hugepages", "not used (eal_args have --no-huge)", ""}};
  }
  const auto sizes = page_sizes(host);
  const std::uint64_t page = preferred_size(sizes);
  const std::string setup =
      "dpdk-hugepages.py -p " + size_flag(page) + " --setup " +
      amount_flag(std::max<std::uint64_t>(needs.eal.memory_mib.value_or(0), 2048), page);
  const Pages all = pages_on(host, -1);
  if (all.reserved_kib == 0) {
    return {{Verdict::kProblem, "hugepages", "none reserved", setup}};
  }
  CheckLines lines;
  for (const auto& [node, why] : nodes_in_use(host, needs)) {
    const Pages pages = pages_on(host, node);
    const std::string where = "on node " + std::to_string(node) + " (" + why + ")";
    const std::string reserve = "dpdk-hugepages.py -p " + size_flag(page) + " -n " +
                                std::to_string(node) + " -r " +
                                amount_flag(to_mib(pages.reserved_kib) + 2048, page);
    if (pages.reserved_kib == 0) {
      lines.push_back({Verdict::kProblem, "hugepages", "none reserved " + where, reserve});
    } else if (to_mib(pages.free_kib) < kMinimumMiB) {
      lines.push_back({Verdict::kProblem, "hugepages",
                       std::to_string(to_mib(pages.free_kib)) + " MiB free " + where + " of " +
                           std::to_string(to_mib(pages.reserved_kib)) +
                           " MiB reserved; actorwire needs about " + std::to_string(kMinimumMiB) +
                           " MiB (another DPDK process, or files left in the hugetlbfs mount, "
                           "hold the rest)",
                       reserve});
    } else {
      lines.push_back({Verdict::kOk, "hugepages", pages.description + " free " + where, ""});
    }
  }
  if (needs.eal.memory_mib && to_mib(all.free_kib) < *needs.eal.memory_mib) {
    lines.push_back({Verdict::kProblem, "hugepages",
                     "eal_args ask for " + std::to_string(*needs.eal.memory_mib) +
                         " MiB (-m/--socket-mem), " + std::to_string(to_mib(all.free_kib)) +
                         " MiB free",
                     setup});
  }
  return lines;
}

CheckLines check_hugetlbfs(const HostTree& host, const HostNeeds& needs) {
  if (needs.eal.no_huge) return {};
  const auto mounts = hugetlbfs_mounts(host);
  const std::uint64_t page = preferred_size(page_sizes(host));
  if (mounts.empty()) {
    return {{Verdict::kProblem, "hugetlbfs", "not mounted",
             "dpdk-hugepages.py -p " + size_flag(page) + " --mount"}};
  }
  if (needs.eal.huge_dir) {
    for (const auto& mount : mounts) {
      if (mount.directory == *needs.eal.huge_dir) {
        return {{Verdict::kOk, "hugetlbfs",
                 mount.directory + " (" + size_label(mount.page_kib) + " pages, --huge-dir)", ""}};
      }
    }
    return {
        {Verdict::kProblem, "hugetlbfs",
         "--huge-dir " + *needs.eal.huge_dir + " is not a hugetlbfs mount",
         "mount -t hugetlbfs -o pagesize=" + size_flag(page) + " nodev " + *needs.eal.huge_dir}};
  }
  std::string mounted;
  for (const auto& mount : mounts) {
    const std::string kib = std::to_string(mount.page_kib);
    const auto free =
        host.read_number(std::string(kSysHugepages) + "/hugepages-" + kib + "kB/free_hugepages");
    if (!mounted.empty()) mounted += ", ";
    mounted += mount.directory + " (" + size_label(mount.page_kib) + ")";
    if (free.value_or(0) > 0) {
      return {{Verdict::kOk, "hugetlbfs",
               mount.directory + " (" + size_label(mount.page_kib) + " pages)", ""}};
    }
  }
  return {{Verdict::kProblem, "hugetlbfs",
           "mounted only for page sizes without free pages: " + mounted,
           "mkdir -p /dev/hugepages-" + size_flag(page) + " && dpdk-hugepages.py -p " +
               size_flag(page) + " --mount -d /dev/hugepages-" + size_flag(page)}};
}

CheckLines check_memlock(const HostTree& host, const HostNeeds& needs) {
  const bool vfio = std::any_of(needs.ports.begin(), needs.ports.end(), [](const auto& port) {
    return port.kind == PortDevice::Kind::kPci;
  });
  if (!vfio) return {{Verdict::kOk, "memlock", "not needed (no PCI ports)", ""}};
  if (has_capability(host, kCapIpcLock)) {
    return {{Verdict::kOk, "memlock", "no limit applies (CAP_IPC_LOCK)", ""}};
  }
  std::istringstream limits(host.read("/proc/self/limits").value_or(""));
  for (std::string line; std::getline(limits, line);) {
    if (line.rfind("Max locked memory", 0) != 0) continue;
    std::istringstream fields(line.substr(17));
    std::string soft;
    fields >> soft;
    if (soft == "unlimited") return {{Verdict::kOk, "memlock", "unlimited", ""}};
    const std::uint64_t needed_mib = needs.eal.no_huge ? needs.eal.memory_mib.value_or(64)
                                                       : needs.eal.memory_mib.value_or(kMinimumMiB);
    std::uint64_t bytes = 0;
    std::istringstream(soft) >> bytes;
    if (bytes / kMiBInBytes >= needed_mib) {
      return {{Verdict::kOk, "memlock", std::to_string(bytes / kMiBInBytes) + " MiB", ""}};
    }
    return {{Verdict::kProblem, "memlock",
             "limit " + std::to_string(bytes / 1024) + " KiB without CAP_IPC_LOCK; vfio-pci pins " +
                 "all of DPDK's memory (about " + std::to_string(needed_mib) + " MiB)",
             "ulimit -l unlimited (systemd: LimitMEMLOCK=infinity), or run as root"}};
  }
  return {{Verdict::kNote, "memlock", "cannot read /proc/self/limits", ""}};
}

}  // namespace actorwire::io
