// Read-only access to the host's /sys, /proc and /dev under one root directory: "/" in the
// daemon, a fake tree that a test builds in a temporary directory otherwise. `actorwire doctor`
// reads everything it checks through it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace actorwire::io {

class HostTree {
 public:
  explicit HostTree(std::string root = "/");

  // `path` is absolute on the host ("/sys/kernel/iommu_groups"); the root is put in front.
  std::string real_path(const std::string& path) const;
  bool exists(const std::string& path) const;
  // The file's text with trailing white space removed; nullopt if it cannot be read.
  std::optional<std::string> read(const std::string& path) const;
  // A number in the file (sysfs counters); nullopt if missing or not a number.
  std::optional<long long> read_number(const std::string& path) const;
  // Entry names of a directory, sorted; empty if it does not exist.
  std::vector<std::string> list(const std::string& path) const;
  // The last component of a symbolic link's target ("vfio-pci" for .../driver); nullopt if
  // `path` is not a link.
  std::optional<std::string> link_name(const std::string& path) const;

 private:
  std::string root_;
};

// "0-3,8,10-11" (sysfs cpulist format) to the listed numbers; empty on malformed text.
std::vector<unsigned> parse_cpu_list(const std::string& text);

}  // namespace actorwire::io
