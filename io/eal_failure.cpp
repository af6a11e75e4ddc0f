#include "io/eal_failure.hpp"

#include <cerrno>
#include <cstring>

namespace actorwire::io {
namespace {

bool mentions(const std::string& log, const char* text) {
  return log.find(text) != std::string::npos;
}

constexpr const char* kSetupHugepages =
    "dpdk-hugepages.py -p 1G --setup 2G (Debian package dpdk), or \"--no-huge\", \"-m\", "
    "\"1024\" in [dpdk] eal_args for virtual devices only";

}  // namespace

std::string explain_eal_failure(int rte_errno_value, const std::string& eal_log) {
  std::string cause;
  std::string fix;
  if (mentions(eal_log, "another primary process") || mentions(eal_log, "Cannot create lock") ||
      (mentions(eal_log, "mp_socket") && mentions(eal_log, "Address already in use"))) {
    cause = "another DPDK process already runs with the same --file-prefix";
    fix = "stop it, or give this gateway its own \"--file-prefix=NAME\" in [dpdk] eal_args";
  } else if (mentions(eal_log, "Cannot get hugepage information")) {
    if (mentions(eal_log, "no mounted hugetlbfs")) {
      cause = "huge pages are reserved but no hugetlbfs is mounted for their size";
      fix = "dpdk-hugepages.py -p 1G --mount (or --setup 2G)";
    } else if (mentions(eal_log, "Permission denied")) {
      cause = "no access to the huge pages (not root?)";
      fix = "run actorwire as root";
    } else {
      cause = "no free huge pages (none reserved, all in use, or hugetlbfs not mounted)";
      fix = kSetupHugepages;
    }
  } else if (mentions(eal_log, "physical addresses are not available")) {
    cause = "physical addresses are not available (not root, or no IOMMU for IOVA as VA)";
    fix = "run actorwire as root, or enable the IOMMU and bind the NICs to vfio-pci";
  } else if (mentions(eal_log, "Cannot init VFIO")) {
    cause = "VFIO could not be set up";
    fix = "modprobe vfio-pci, and turn the IOMMU on (intel_iommu=on iommu=pt)";
  } else if (mentions(eal_log, "Cannot init memory") || mentions(eal_log, "Cannot allocate") ||
             rte_errno_value == ENOMEM) {
    cause = "not enough huge page memory for -m/--socket-mem (or the memlock limit is too low)";
    fix = "reserve more (dpdk-hugepages.py -p 1G --setup 4G) or lower -m; ulimit -l unlimited";
  } else if (mentions(eal_log, "Invalid 'command line' arguments") || rte_errno_value == EINVAL) {
    cause = "[dpdk] eal_args were refused (the EAL's message above says which)";
    fix = "fix eal_args; `dpdk-testpmd --help` lists the EAL options";
  } else if (mentions(eal_log, "unsupported cpu type") || rte_errno_value == ENOTSUP) {
    cause = "this CPU lacks an instruction set DPDK was built for";
    fix = "a newer CPU (in a VM: pass the host CPU model)";
  } else if (mentions(eal_log, "Cannot scan the buses") || mentions(eal_log, "Cannot probe") ||
             rte_errno_value == ENODEV) {
    cause = "the EAL could not scan or probe the devices";
    fix = "check the [[port]] devices and their driver binding (dpdk-devbind.py -s)";
  } else if (rte_errno_value == EACCES || rte_errno_value == EPERM) {
    cause = "permission denied";
    fix = "run actorwire as root";
  } else {
    cause = std::string("rte_eal_init failed: ") + std::strerror(rte_errno_value);
    fix = "see the EAL's messages above";
  }
  return "EAL: " + cause + " -> " + fix;
}

}  // namespace actorwire::io
