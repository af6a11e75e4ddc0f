#include "io/eal_args.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "io/host_tree.hpp"
#include "io/port_device.hpp"

namespace actorwire::io {
namespace {

// Reads the value of option `i` when it is `-x VALUE`, `-xVALUE`, `--long VALUE` or
// `--long=VALUE`; advances `i` past a separate value.
std::optional<std::string> option_value(const std::vector<std::string>& args, std::size_t& i,
                                        const std::string& short_name,
                                        const std::string& long_name) {
  const std::string& arg = args[i];
  for (const std::string& name : {short_name, long_name}) {
    if (name.empty() || arg.rfind(name, 0) != 0) continue;
    if (arg.size() == name.size()) {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    }
    if (name.size() == 2 && name != long_name) return arg.substr(2);  // -aVALUE
    if (arg[name.size()] == '=') return arg.substr(name.size() + 1);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> to_number(const std::string& text, int base = 10) {
  std::uint64_t value = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (base == 16 && text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    begin += 2;
  }
  const auto [ptr, error] = std::from_chars(begin, end, value, base);
  if (error != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::string pci_of(const std::string& devargs) {
  const PortDevice device = parse_port_device(devargs);
  return device.kind == PortDevice::Kind::kPci ? device.pci_address : devargs;
}

}  // namespace

EalPlan parse_eal_args(const std::vector<std::string>& args) {
  EalPlan plan;
  std::optional<unsigned> listed_main;
  bool lcores_named = false;  // -l, -c or --lcores: actorwire adds no "-l 0"
  bool lcore_map = false;     // --lcores: lcore ids are not CPU numbers
  std::optional<unsigned> main_lcore;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--no-huge") {
      plan.no_huge = true;
    } else if (arg == "--no-pci") {
      plan.no_pci = true;
    } else if (arg.rfind("--lcores", 0) == 0) {
      lcores_named = true;
      lcore_map = true;
      if (arg == "--lcores") ++i;
    } else if (arg.rfind("--main-lcore", 0) == 0) {
      if (auto value = option_value(args, i, "", "--main-lcore")) {
        if (auto number = to_number(*value)) main_lcore = static_cast<unsigned>(*number);
      }
    } else if (arg.rfind("--socket-mem", 0) == 0) {
      if (auto value = option_value(args, i, "", "--socket-mem")) {
        std::uint64_t total = 0;
        std::istringstream parts(*value);
        for (std::string part; std::getline(parts, part, ',');)
          total += to_number(part).value_or(0);
        plan.memory_mib = total;
      }
    } else if (arg.rfind("--huge-dir", 0) == 0) {
      plan.huge_dir = option_value(args, i, "", "--huge-dir");
    } else if (arg.rfind("--", 0) == 0) {
      if (auto value = option_value(args, i, "", "--allow")) plan.allowed.push_back(pci_of(*value));
      if (auto value = option_value(args, i, "", "--block")) plan.blocked.push_back(pci_of(*value));
    } else if (auto value = option_value(args, i, "-a", "")) {
      plan.allowed.push_back(pci_of(*value));
    } else if (auto value = option_value(args, i, "-b", "")) {
      plan.blocked.push_back(pci_of(*value));
    } else if (auto value = option_value(args, i, "-m", "")) {
      if (auto number = to_number(*value)) plan.memory_mib = *number;
    } else if (auto value = option_value(args, i, "-l", "")) {
      lcores_named = true;
      const auto cpus = parse_cpu_list(*value);
      if (!cpus.empty()) listed_main = *std::min_element(cpus.begin(), cpus.end());
    } else if (auto value = option_value(args, i, "-c", "")) {
      lcores_named = true;
      if (auto mask = to_number(*value, 16); mask && *mask != 0) {
        listed_main = static_cast<unsigned>(__builtin_ctzll(*mask));
      }
    }
  }
  const std::optional<unsigned> chosen = main_lcore ? main_lcore : listed_main;
  if (lcore_map || (lcores_named && !chosen)) {
    plan.main_lcore_cpu = std::nullopt;
  } else if (chosen) {
    plan.main_lcore_cpu = chosen;
  }
  return plan;
}

}  // namespace actorwire::io
