// The host checks of `actorwire doctor`, each run against a fake /sys, /proc and /dev tree built
// in a temporary directory: huge pages present, absent, in use or on the wrong node; hugetlbfs
// mounted or not; PCI devices bound to vfio-pci, to a kernel driver, to nothing, or missing;
// IOMMU groups empty; NUMA node of the NIC against the main lcore; memlock, privileges, vdevs
// and CPU features. Also the readers of device strings and eal_args that the checks rely on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fake_host_tree.hpp"
#include "io/eal_args.hpp"
#include "io/host_checks.hpp"
#include "io/port_device.hpp"

namespace actorwire::io {
namespace {

using Verdict = CheckLine::Verdict;

constexpr const char* kNic = "0000:03:00.0";

// The fake host root, with the files the checks read written in their kernel formats.
class FakeHost : public test_support::FakeHostTree {
 public:
  // One NUMA node (or two) with CPUs 0-3 (and 4-7).
  void numa(int nodes) const {
    mkdir("/sys/devices/system/node/node0");
    write("/sys/devices/system/node/node0/cpulist", "0-3");
    if (nodes > 1) write("/sys/devices/system/node/node1/cpulist", "4-7");
  }
  // `count` pages of `kib` KiB reserved on `node`, `free` of them free; the host totals follow.
  void hugepages(int node, unsigned kib, long count, long free) const {
    const std::string size = "/hugepages-" + std::to_string(kib) + "kB";
    write("/sys/devices/system/node/node" + std::to_string(node) + "/hugepages" + size +
              "/nr_hugepages",
          std::to_string(count));
    write("/sys/devices/system/node/node" + std::to_string(node) + "/hugepages" + size +
              "/free_hugepages",
          std::to_string(free));
    write(std::string("/sys/kernel/mm/hugepages") + size + "/nr_hugepages", std::to_string(count));
    write(std::string("/sys/kernel/mm/hugepages") + size + "/free_hugepages", std::to_string(free));
  }
  void page_sizes_offered() const {
    mkdir("/sys/kernel/mm/hugepages/hugepages-2048kB");
    mkdir("/sys/kernel/mm/hugepages/hugepages-1048576kB");
  }
  // A NIC at `address` on `node`, bound to `driver` (none if empty).
  void nic(const std::string& address, int node, const std::string& driver,
           const std::string& interface = "") const {
    const std::string dir = "/sys/bus/pci/devices/" + address;
    write(dir + "/numa_node", std::to_string(node));
    if (!driver.empty()) link(dir + "/driver", "../../../bus/pci/drivers/" + driver);
    if (!interface.empty()) mkdir(dir + "/net/" + interface);
  }
  void iommu_groups(int count) const {
    mkdir("/sys/kernel/iommu_groups");
    for (int i = 0; i < count; ++i) mkdir("/sys/kernel/iommu_groups/" + std::to_string(i));
  }
  void process(long uid, const std::string& cap_eff, const std::string& memlock) const {
    write("/proc/self/status", "Name:\tactorwire\nUid:\t" + std::to_string(uid) + "\t" +
                                   std::to_string(uid) + "\t0\t0\nCapEff:\t" + cap_eff);
    write("/proc/self/limits",
          "Limit                     Soft Limit           Hard Limit           Units\n"
          "Max locked memory         " +
              memlock + "              " + memlock + "              bytes");
  }
};

HostNeeds needs_for(const std::vector<std::string>& eal_args,
                    const std::vector<std::string>& devices) {
  HostNeeds needs;
  needs.eal = parse_eal_args(eal_args);
  for (const auto& device : devices) needs.ports.push_back(parse_port_device(device));
  return needs;
}

HostNeeds nic_needs(std::vector<std::string> eal_args = {"-a", kNic}) {
  return needs_for(std::move(eal_args), {kNic});
}

std::string joined(const CheckLines& lines) {
  std::string text;
  for (const auto& line : lines) text += line.to_string() + "\n";
  return text;
}

// The single line about `subject` with the given verdict, or a failure naming what was found.
::testing::AssertionResult has_line(const CheckLines& lines, Verdict verdict,
                                    const std::string& finding, const std::string& fix = "") {
  for (const auto& line : lines) {
    if (line.verdict == verdict && line.finding.find(finding) != std::string::npos &&
        line.fix.find(fix) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no line with '" << finding << "' and fix '" << fix << "' in:\n"
         << joined(lines);
}

bool no_problems(const CheckLines& lines) {
  return std::none_of(lines.begin(), lines.end(),
                      [](const CheckLine& line) { return line.verdict == Verdict::kProblem; });
}

TEST(PortDevice, TellsPciAddressesFromVirtualDevices) {
  EXPECT_EQ(parse_port_device("0000:03:00.0").kind, PortDevice::Kind::kPci);
  EXPECT_EQ(parse_port_device("03:00.1").pci_address, "0000:03:00.1");
  EXPECT_EQ(parse_port_device("0000:AF:00.0").pci_address, "0000:af:00.0");
  EXPECT_EQ(parse_port_device("net_ring0").kind, PortDevice::Kind::kRing);
  const PortDevice af_packet = parse_port_device("net_af_packet0,iface=veth0,qpairs=2");
  EXPECT_EQ(af_packet.kind, PortDevice::Kind::kAfPacket);
  EXPECT_EQ(af_packet.name, "net_af_packet0");
  EXPECT_EQ(af_packet.iface, "veth0");
  EXPECT_EQ(parse_port_device("net_tap0,iface=aw0").kind, PortDevice::Kind::kTap);
  EXPECT_EQ(parse_port_device("net_null0").kind, PortDevice::Kind::kOtherVdev);
  EXPECT_EQ(parse_port_device("0000:03:00.9").kind, PortDevice::Kind::kOtherVdev);
  EXPECT_EQ(devarg_value("iface=veth0,qpairs=2", "qpairs"), "2");
  EXPECT_EQ(devarg_value("iface=veth0", "qpairs"), "");
}

TEST(EalArgs, ReadsWhatTheHostMustProvide) {
  const EalPlan builtin = parse_eal_args({"--no-huge", "-m", "1024", "--no-pci"});
  EXPECT_TRUE(builtin.no_huge);
  EXPECT_TRUE(builtin.no_pci);
  EXPECT_EQ(builtin.memory_mib, 1024u);
  EXPECT_EQ(builtin.main_lcore_cpu, 0u) << "actorwire adds -l 0";

  const EalPlan nics =
      parse_eal_args({"-a", "0000:03:00.0", "-a03:00.1", "--allow=0000:04:00.0,rxq=2", "-l", "4-7",
                      "--socket-mem=1024,512", "--huge-dir", "/mnt/huge"});
  EXPECT_FALSE(nics.no_huge);
  EXPECT_EQ(nics.allowed,
            (std::vector<std::string>{"0000:03:00.0", "0000:03:00.1", "0000:04:00.0"}));
  EXPECT_EQ(nics.main_lcore_cpu, 4u);
  EXPECT_EQ(nics.memory_mib, 1536u);
  EXPECT_EQ(nics.huge_dir, "/mnt/huge");

  EXPECT_EQ(parse_eal_args({"-c", "0x30"}).main_lcore_cpu, 4u);
  EXPECT_EQ(parse_eal_args({"-l", "2-5", "--main-lcore", "3"}).main_lcore_cpu, 3u);
  EXPECT_FALSE(parse_eal_args({"--lcores", "0@4,1@5"}).main_lcore_cpu.has_value());
  EXPECT_EQ(parse_eal_args({"-b", "0000:03:00.1"}).blocked,
            (std::vector<std::string>{"0000:03:00.1"}));
}

TEST(CpuList, ParsesSysfsRanges) {
  EXPECT_EQ(parse_cpu_list("0-3,8,10-11"), (std::vector<unsigned>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_TRUE(parse_cpu_list("3-1").empty());
  EXPECT_TRUE(parse_cpu_list("0-x").empty());
  EXPECT_TRUE(parse_cpu_list("0-4000000000").empty()) << "no giant allocation from bad text";
}

TEST(Hugepages, NoneReservedIsAProblemWithTheSetupCommand) {
  FakeHost host;
  host.numa(1);
  host.page_sizes_offered();
  const CheckLines lines = check_hugepages(host.tree(), nic_needs());
  EXPECT_TRUE(
      has_line(lines, Verdict::kProblem, "none reserved", "dpdk-hugepages.py -p 1G --setup 2G"));
}

TEST(Hugepages, FreePagesOnTheMainLcoresNodeAreFine) {
  FakeHost host;
  host.numa(1);
  host.hugepages(0, 1048576, 2, 2);
  const CheckLines lines = check_hugepages(host.tree(), nic_needs());
  EXPECT_TRUE(has_line(lines, Verdict::kOk, "2 x 1 GiB free on node 0"));
  EXPECT_TRUE(no_problems(lines)) << joined(lines);
}

TEST(Hugepages, PagesOnlyOnAnotherNodeAreAProblem) {
  FakeHost host;
  host.numa(2);
  host.hugepages(1, 2048, 1024, 1024);
  host.write("/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "0");
  const CheckLines lines = check_hugepages(host.tree(), nic_needs());
  EXPECT_TRUE(has_line(lines, Verdict::kProblem, "none reserved on node 0",
                       "dpdk-hugepages.py -p 2M -n 0 -r 2G"));
}

TEST(Hugepages, AllInUseAndTooLittleForMinusMAreProblems) {
  FakeHost host;
  host.numa(1);
  host.hugepages(0, 2048, 512, 0);
  EXPECT_TRUE(has_line(check_hugepages(host.tree(), nic_needs()), Verdict::kProblem,
                       "0 MiB free on node 0"));
  FakeHost small;
  small.numa(1);
  small.hugepages(0, 2048, 512, 512);
  const CheckLines lines = check_hugepages(small.tree(), nic_needs({"-m", "4096"}));
  EXPECT_TRUE(has_line(lines, Verdict::kProblem, "ask for 4096 MiB", "--setup 4G"));
}

TEST(Hugepages, NoHugeNeedsNone) {
  FakeHost host;
  const CheckLines lines = check_hugepages(host.tree(), needs_for({"--no-huge"}, {"net_ring0"}));
  EXPECT_TRUE(has_line(lines, Verdict::kOk, "--no-huge"));
  EXPECT_TRUE(check_hugetlbfs(host.tree(), needs_for({"--no-huge"}, {"net_ring0"})).empty());
}

TEST(Hugetlbfs, MountForASizeWithFreePages) {
  FakeHost host;
  host.hugepages(0, 1048576, 2, 2);
  host.write("/proc/meminfo", "Hugepagesize:       2048 kB");
  host.write("/proc/mounts", "proc /proc proc rw 0 0");
  EXPECT_TRUE(has_line(check_hugetlbfs(host.tree(), nic_needs()), Verdict::kProblem, "not mounted",
                       "dpdk-hugepages.py -p 1G --mount"));

  host.write("/proc/mounts", "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0");
  EXPECT_TRUE(has_line(check_hugetlbfs(host.tree(), nic_needs()), Verdict::kProblem,
                       "without free pages", "--mount -d /dev/hugepages-1G"));

  host.write("/proc/mounts",
             "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n"
             "nodev /mnt/huge1g hugetlbfs rw,relatime,pagesize=1024M 0 0");
  EXPECT_TRUE(has_line(check_hugetlbfs(host.tree(), nic_needs()), Verdict::kOk,
                       "/mnt/huge1g (1 GiB pages)"));
  EXPECT_TRUE(has_line(check_hugetlbfs(host.tree(), nic_needs({"--huge-dir", "/mnt/other"})),
                       Verdict::kProblem, "--huge-dir /mnt/other is not a hugetlbfs mount"));
}

TEST(PciDevice, BoundToVfioPciIsFine) {
  FakeHost host;
  host.numa(1);
  host.nic(kNic, 0, "vfio-pci");
  const CheckLines lines = check_pci_device(host.tree(), nic_needs(), parse_port_device(kNic));
  EXPECT_TRUE(has_line(lines, Verdict::kOk, "bound to vfio-pci"));
  EXPECT_TRUE(has_line(lines, Verdict::kOk, "on node 0 with the main lcore"));
  EXPECT_TRUE(no_problems(lines)) << joined(lines);
}

TEST(PciDevice, BoundToAKernelDriverNamesTheBindCommand) {
  FakeHost host;
  host.nic(kNic, -1, "ixgbe", "enp3s0f0");
  const CheckLines lines = check_pci_device(host.tree(), nic_needs(), parse_port_device(kNic));
  EXPECT_TRUE(has_line(
      lines, Verdict::kProblem, "kernel driver ixgbe (interface enp3s0f0)",
      "ip link set dev enp3s0f0 down && dpdk-devbind.py -b vfio-pci " + std::string(kNic)));
}

TEST(PciDevice, UnboundMissingAndLeftOutOfTheEal) {
  FakeHost host;
  host.nic(kNic, -1, "");
  EXPECT_TRUE(has_line(check_pci_device(host.tree(), nic_needs(), parse_port_device(kNic)),
                       Verdict::kProblem, "bound to no driver", "modprobe vfio-pci"));
  EXPECT_TRUE(has_line(
      check_pci_device(host.tree(), nic_needs({"-a", "0000:04:00.0"}), parse_port_device(kNic)),
      Verdict::kProblem, "not in the EAL allow list", "\"-a\", \"0000:03:00.0\""));
  EXPECT_TRUE(
      has_line(check_pci_device(host.tree(), nic_needs({"--no-pci"}), parse_port_device(kNic)),
               Verdict::kProblem, "--no-pci"));
  const CheckLines missing =
      check_pci_device(host.tree(), nic_needs(), parse_port_device("0000:05:00.0"));
  EXPECT_TRUE(has_line(missing, Verdict::kProblem, "no such PCI device", "lspci"));
  EXPECT_EQ(missing.size(), 1u) << "nothing else to say about a missing device";
}

TEST(PciDevice, BifurcatedMlx5NeedsNoVfio) {
  FakeHost host;
  host.nic(kNic, -1, "mlx5_core", "ens1f0");
  EXPECT_TRUE(has_line(check_pci_device(host.tree(), nic_needs(), parse_port_device(kNic)),
                       Verdict::kOk, "bifurcated"));
  EXPECT_TRUE(has_line(check_iommu(host.tree(), nic_needs()), Verdict::kOk, "not needed"));
}

TEST(Numa, NicOnAnotherNodeThanTheMainLcoreIsAProblem) {
  FakeHost host;
  host.numa(2);
  host.nic(kNic, 1, "vfio-pci");
  EXPECT_TRUE(has_line(check_pci_device(host.tree(), nic_needs(), parse_port_device(kNic)),
                       Verdict::kProblem, "on node 1, but the main lcore (CPU 0) is on node 0",
                       "add \"-l\", \"4\" to [dpdk] eal_args and run actorwire on node 1's CPUs "
                       "(taskset -c 4-7"));
  // Slower, but it runs: `actorwire run` warns of it rather than refusing to start.
  const CheckLines lines = check_pci_device(host.tree(), nic_needs(), parse_port_device(kNic));
  for (const CheckLine& line : lines) {
    EXPECT_EQ(line.stops_start, line.finding.find("on node 1, but") == std::string::npos)
        << line.to_string();
  }
  EXPECT_TRUE(has_line(
      check_pci_device(host.tree(), nic_needs({"-a", kNic, "-l", "4-5"}), parse_port_device(kNic)),
      Verdict::kOk, "on node 1 with the main lcore (CPU 4)"));
}

TEST(Iommu, EmptyGroupsAreAProblemUnlessNoIommuModeIsOn) {
  FakeHost host;
  host.nic(kNic, -1, "vfio-pci");
  host.iommu_groups(0);
  host.mkdir("/sys/module/vfio_pci");
  EXPECT_TRUE(has_line(check_iommu(host.tree(), nic_needs()), Verdict::kProblem, "off",
                       "intel_iommu=on iommu=pt"));
  host.write("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "Y");
  EXPECT_TRUE(has_line(check_iommu(host.tree(), nic_needs()), Verdict::kNote, "no-IOMMU mode"));
}

TEST(Iommu, GroupsAndTheVfioModule) {
  FakeHost host;
  host.nic(kNic, -1, "");
  host.iommu_groups(3);
  CheckLines lines = check_iommu(host.tree(), nic_needs());
  EXPECT_TRUE(has_line(lines, Verdict::kOk, "on (3 IOMMU groups)"));
  EXPECT_TRUE(has_line(lines, Verdict::kProblem, "module not loaded", "modprobe vfio-pci"));
  host.mkdir("/sys/module/vfio_pci");
  EXPECT_TRUE(no_problems(check_iommu(host.tree(), nic_needs())));
  EXPECT_TRUE(has_line(check_iommu(host.tree(), needs_for({}, {"net_ring0"})), Verdict::kOk,
                       "not needed (no PCI ports)"));
}

TEST(VirtualDevices, AfPacketNeedsItsInterfaceAndTapNeedsTun) {
  FakeHost host;
  const auto af_packet = parse_port_device("net_af_packet0,iface=veth0");
  EXPECT_TRUE(
      has_line(check_vdev(host.tree(), af_packet), Verdict::kProblem, "no interface veth0"));
  host.write("/sys/class/net/veth0/operstate", "up");
  EXPECT_TRUE(has_line(check_vdev(host.tree(), af_packet), Verdict::kOk, "veth0 exists"));
  host.write("/sys/class/net/veth0/operstate", "down");
  EXPECT_TRUE(has_line(check_vdev(host.tree(), af_packet), Verdict::kProblem, "is down",
                       "ip link set dev veth0 up"));
  EXPECT_TRUE(has_line(check_vdev(host.tree(), parse_port_device("net_af_packet0")),
                       Verdict::kProblem, "needs the interface"));
  const auto tap = parse_port_device("net_tap0,iface=aw0");
  EXPECT_TRUE(
      has_line(check_vdev(host.tree(), tap), Verdict::kProblem, "/dev/net/tun", "modprobe tun"));
  host.write("/dev/net/tun", "");
  EXPECT_TRUE(has_line(check_vdev(host.tree(), tap), Verdict::kOk, "/dev/net/tun"));
}

TEST(Memlock, LimitMattersOnlyWithoutCapIpcLock) {
  FakeHost host;
  host.process(1000, "0000000000000000", "8388608");
  EXPECT_TRUE(has_line(check_memlock(host.tree(), nic_needs()), Verdict::kProblem, "limit 8192 KiB",
                       "LimitMEMLOCK=infinity"));
  host.process(1000, "0000000000000000", "unlimited");
  EXPECT_TRUE(has_line(check_memlock(host.tree(), nic_needs()), Verdict::kOk, "unlimited"));
  host.process(0, "000001ffffffffff", "8388608");
  EXPECT_TRUE(has_line(check_memlock(host.tree(), nic_needs()), Verdict::kOk, "CAP_IPC_LOCK"));
}

TEST(Privileges, HugePagesNeedRootAndAfPacketNeedsCapNetRaw) {
  FakeHost host;
  host.process(1000, "0000000000000000", "65536");
  EXPECT_TRUE(has_line(check_privileges(host.tree(), nic_needs()), Verdict::kProblem, "not root"));
  EXPECT_TRUE(has_line(
      check_privileges(host.tree(), needs_for({"--no-huge"}, {"net_af_packet0,iface=veth0"})),
      Verdict::kProblem, "CAP_NET_RAW"));
  EXPECT_TRUE(has_line(check_privileges(host.tree(), needs_for({"--no-huge"}, {"net_ring0"})),
                       Verdict::kOk, "none needed"));
  host.process(1000, "0000000000002000", "65536");  // CAP_NET_RAW only
  EXPECT_TRUE(no_problems(
      check_privileges(host.tree(), needs_for({"--no-huge"}, {"net_af_packet0,iface=veth0"}))));
}

TEST(CpuFeatures, WhatEachAeadBackEndUses) {
  FakeHost host;
  host.write("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu sse2 ssse3 avx avx2 avx512f\n");
  EXPECT_TRUE(has_line(check_cpu_features(host.tree(), crypto::AeadKind::kOpenSsl), Verdict::kOk,
                       "AVX-512"));
  EXPECT_TRUE(has_line(check_cpu_features(host.tree(), crypto::AeadKind::kLibsodium),
                       Verdict::kNote, "AVX-512F present", "aead = \"openssl\""));
  EXPECT_TRUE(has_line(check_cpu_features(host.tree(), crypto::AeadKind::kIpsecMb), Verdict::kOk,
                       "intel-ipsec-mb runs its AVX-512 code"));
  host.write("/proc/cpuinfo", "flags\t\t: fpu sse2 ssse3 avx avx2\n");
  EXPECT_TRUE(
      has_line(check_cpu_features(host.tree(), crypto::AeadKind::kOpenSsl), Verdict::kOk, "AVX2"));
  EXPECT_TRUE(has_line(check_cpu_features(host.tree(), crypto::AeadKind::kAuto), Verdict::kOk,
                       "aead \"auto\" picks intel-ipsec-mb"));
  host.write("/proc/cpuinfo", "flags\t\t: fpu sse2 ssse3\n");
  EXPECT_TRUE(has_line(check_cpu_features(host.tree(), crypto::AeadKind::kAuto), Verdict::kNote,
                       "uses OpenSSL", "-cpu host"));
  EXPECT_TRUE(has_line(check_cpu_features(host.tree(), crypto::AeadKind::kIpsecMb), Verdict::kNote,
                       "its SSE code", "-cpu host"));
  EXPECT_TRUE(has_line(check_cpu_features(host.tree(), crypto::AeadKind::kLibsodium),
                       Verdict::kNote, "no AVX2", "-cpu host"));
  host.write("/proc/cpuinfo", "flags\t\t: fpu sse2\n");
  EXPECT_TRUE(has_line(check_cpu_features(host.tree(), crypto::AeadKind::kOpenSsl),
                       Verdict::kProblem, "no SSSE3"));
}

// A host set up as the README says: every check passes, and each says ok.
TEST(RunHostChecks, APreparedHostHasNoProblems) {
  FakeHost host;
  host.numa(2);
  host.page_sizes_offered();
  host.hugepages(0, 1048576, 2, 2);
  host.write("/proc/meminfo", "Hugepagesize:    1048576 kB");
  host.write("/proc/mounts", "nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=1024M 0 0");
  host.iommu_groups(40);
  host.mkdir("/sys/module/vfio_pci");
  host.nic("0000:03:00.0", 0, "vfio-pci");
  host.nic("0000:03:00.1", 0, "vfio-pci");
  host.process(0, "000001ffffffffff", "8388608");
  host.write("/proc/cpuinfo", "flags\t\t: fpu sse2 ssse3 avx avx2\n");
  HostNeeds needs = needs_for({"-a", "0000:03:00.0", "-a", "0000:03:00.1", "-l", "2"},
                              {"0000:03:00.0", "0000:03:00.1"});
  const CheckLines lines = run_host_checks(host.tree(), needs);
  EXPECT_TRUE(no_problems(lines)) << joined(lines);
  EXPECT_GE(lines.size(), 10u) << joined(lines);
  EXPECT_EQ(lines.front().to_string().rfind("ok       hugepages: 2 x 1 GiB free on node 0", 0), 0u)
      << lines.front().to_string();
}

TEST(CheckLine, ProblemsCarryTheirFixAfterAnArrow) {
  const CheckLine line{Verdict::kProblem, "hugepages", "none reserved on node 0",
                       "dpdk-hugepages.py -p 1G --setup 2G"};
  EXPECT_EQ(line.to_string(),
            "problem  hugepages: none reserved on node 0 -> dpdk-hugepages.py -p 1G --setup 2G");
}

}  // namespace
}  // namespace actorwire::io
