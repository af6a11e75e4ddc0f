// rte_eal_init's common failures, mapped from rte_errno and the EAL's log to one line naming
// the cause and the fix (the log texts are DPDK 22.11's).
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "io/eal_failure.hpp"

namespace actorwire::io {
namespace {

// What `actorwire run` logged on a host without huge pages (rte_errno EACCES).
constexpr const char* kNoHugepagesLog =
    "EAL: Detected CPU lcores: 2\nEAL: Detected NUMA nodes: 1\n"
    "EAL: Selected IOVA mode 'PA'\nEAL: FATAL: Cannot get hugepage information.\n"
    "EAL: Cannot get hugepage information.\n";

void expect_line(const std::string& line, const std::string& cause, const std::string& fix) {
  EXPECT_EQ(line.rfind("EAL: ", 0), 0u) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one line: " << line;
  const auto arrow = line.find(" -> ");
  ASSERT_NE(arrow, std::string::npos) << line;
  EXPECT_NE(line.substr(0, arrow).find(cause), std::string::npos) << line;
  EXPECT_NE(line.substr(arrow).find(fix), std::string::npos) << line;
}

TEST(EalFailure, NoHugePagesIsNotABarePermissionDenied) {
  const std::string line = explain_eal_failure(EACCES, kNoHugepagesLog);
  expect_line(line, "no free huge pages", "dpdk-hugepages.py -p 1G --setup 2G");
  EXPECT_EQ(line.find("Permission denied"), std::string::npos) << line;
}

TEST(EalFailure, HugePagesWithoutAMountOrAccess) {
  expect_line(explain_eal_failure(EACCES,
                                  "EAL: 1024 hugepages of size 2097152 reserved, but no mounted "
                                  "hugetlbfs found for that size\nEAL: FATAL: Cannot get "
                                  "hugepage information.\n"),
              "no hugetlbfs is mounted", "--mount");
  expect_line(explain_eal_failure(EACCES,
                                  "EAL: open /dev/hugepages: Permission denied\nEAL: Cannot get "
                                  "hugepage information.\n"),
              "not root", "run actorwire as root");
}

TEST(EalFailure, FilePrefixInUse) {
  expect_line(explain_eal_failure(0,
                                  "EAL: Cannot create lock on '/var/run/dpdk/gw/config'. Is "
                                  "another primary process running?\n"),
              "same --file-prefix", "--file-prefix=NAME");
}

TEST(EalFailure, NoDevicesVfioAndNotRoot) {
  expect_line(explain_eal_failure(ENODEV, "EAL: Cannot scan the buses for devices\n"),
              "scan or probe the devices", "dpdk-devbind.py");
  expect_line(explain_eal_failure(EAGAIN, "EAL: Cannot init VFIO\n"), "VFIO", "modprobe vfio-pci");
  expect_line(explain_eal_failure(EINVAL,
                                  "EAL: Cannot use IOVA as 'PA' since physical addresses are not "
                                  "available\n"),
              "physical addresses are not available", "run actorwire as root");
  expect_line(explain_eal_failure(EPERM, ""), "permission denied", "run actorwire as root");
}

TEST(EalFailure, MemoryArgumentsAndUnknownErrors) {
  expect_line(explain_eal_failure(ENOMEM, "EAL: Cannot init memory\n"),
              "not enough huge page memory", "dpdk-hugepages.py");
  expect_line(explain_eal_failure(EINVAL, "EAL: Invalid 'command line' arguments.\n"),
              "eal_args were refused", "fix eal_args");
  expect_line(explain_eal_failure(EBUSY, ""), "rte_eal_init failed: Device or resource busy",
              "EAL's messages");
}

}  // namespace
}  // namespace actorwire::io
