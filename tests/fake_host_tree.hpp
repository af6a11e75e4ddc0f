// A fake host root (/sys, /proc, /dev) in a temporary directory, removed with the object: the
// host checks read only files under an io::HostTree, so tests build the host they need.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/host_tree.hpp"

namespace actorwire::test_support {

class FakeHostTree {
 public:
  FakeHostTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "aw-host-XXXXXX").string();
    root_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
    EXPECT_FALSE(root_.empty()) << "mkdtemp failed";
  }
  ~FakeHostTree() {
    std::error_code error;
    std::filesystem::remove_all(root_, error);
  }
  FakeHostTree(const FakeHostTree&) = delete;
  FakeHostTree& operator=(const FakeHostTree&) = delete;

  void write(const std::string& path, const std::string& text) const {
    std::filesystem::create_directories(std::filesystem::path(root_ + path).parent_path());
    std::ofstream(root_ + path) << text << "\n";
  }
  void mkdir(const std::string& path) const { std::filesystem::create_directories(root_ + path); }
  void link(const std::string& path, const std::string& target) const {
    std::filesystem::create_directories(std::filesystem::path(root_ + path).parent_path());
    std::filesystem::create_symlink(target, root_ + path);
  }
  io::HostTree tree() const { return io::HostTree(root_); }

 private:
  std::string root_;
};

}  // namespace actorwire::test_support
