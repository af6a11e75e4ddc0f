#include "io/host_tree.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace actorwire::io {
namespace {

// Linux's NR_CPUS ceiling: a larger number is a malformed list, not a reason to allocate.
constexpr unsigned kMaxCpus = 8192;

}  // namespace

HostTree::HostTree(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  if (root_ == "/") root_.clear();
}

std::string HostTree::real_path(const std::string& path) const {
  return root_ + path;
}

bool HostTree::exists(const std::string& path) const {
  std::error_code error;
  return std::filesystem::exists(real_path(path), error);
}

std::optional<std::string> HostTree::read(const std::string& path) const {
  std::ifstream file(real_path(path));
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return std::nullopt;
  std::string content = text.str();
  while (!content.empty() && std::isspace(static_cast<unsigned char>(content.back()))) {
    content.pop_back();
  }
  return content;
}

std::optional<long long> HostTree::read_number(const std::string& path) const {
  const auto text = read(path);
  if (!text) return std::nullopt;
  long long value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size()) return std::nullopt;
  return value;
}

std::vector<std::string> HostTree::list(const std::string& path) const {
  std::vector<std::string> names;
  std::error_code error;
  for (std::filesystem::directory_iterator it(real_path(path), error), end; !error && it != end;
       it.increment(error)) {
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> HostTree::link_name(const std::string& path) const {
  std::error_code error;
  const auto target = std::filesystem::read_symlink(real_path(path), error);
  if (error) return std::nullopt;
  return target.filename().string();
}

std::vector<unsigned> parse_cpu_list(const std::string& text) {
  std::vector<unsigned> cpus;
  std::istringstream ranges(text);
  std::string range;
  while (std::getline(ranges, range, ',')) {
    unsigned first = 0;
    unsigned last = 0;
    const char* begin = range.data();
    const char* end = begin + range.size();
    auto parsed = std::from_chars(begin, end, first);
    if (parsed.ec != std::errc{}) return {};
    last = first;
    if (parsed.ptr != end) {
      if (*parsed.ptr != '-') return {};
      parsed = std::from_chars(parsed.ptr + 1, end, last);
      if (parsed.ec != std::errc{} || parsed.ptr != end || last < first) return {};
    }
    if (last >= kMaxCpus) return {};
    for (unsigned cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
  }
  return cpus;
}

}  // namespace actorwire::io
