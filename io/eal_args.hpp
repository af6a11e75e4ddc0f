// What a [dpdk] eal_args list asks of the host, read the way rte_eal_init reads it (only the
// options that decide what the host must provide): huge pages or not, PCI or not, which PCI
// devices, how much memory, and which CPU the EAL's main lcore is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace actorwire::io {

struct EalPlan {
  bool no_huge = false;                     // --no-huge
  bool no_pci = false;                      // --no-pci
  std::vector<std::string> allowed;         // -a/--allow PCI addresses (long form)
  std::vector<std::string> blocked;         // -b/--block PCI addresses (long form)
  std::optional<std::uint64_t> memory_mib;  // -m, or the sum of --socket-mem
  std::optional<std::string> huge_dir;      // --huge-dir
  // The CPU of the main lcore, on whose NUMA node DPDK allocates the mbuf pool: the lowest
  // lcore of -l or -c (actorwire passes "-l 0" when eal_args name none), or --main-lcore.
  // nullopt with --lcores, whose lcore-to-CPU maps are not followed here.
  std::optional<unsigned> main_lcore_cpu = 0;
};

EalPlan parse_eal_args(const std::vector<std::string>& args);

}  // namespace actorwire::io
