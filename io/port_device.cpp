#include "io/port_device.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace actorwire::io {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// "0000:03:00.0" or "03:00.0" (DPDK accepts both); returns the long form, or "" if `name` is
// not a PCI address.
std::string pci_long_form(const std::string& name) {
  static const std::regex pci("^(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7])$");
  std::smatch match;
  if (!std::regex_match(name, match, pci)) return {};
  std::string address =
      (match[1].matched ? match[1].str() : std::string("0000")) + ":" + match[2].str();
  // sysfs spells the hex digits in lower case.
  std::transform(address.begin(), address.end(), address.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return address;
}

}  // namespace

std::string devarg_value(const std::string& args, const std::string& key) {
  std::size_t start = 0;
  while (start <= args.size()) {
    const std::size_t end = std::min(args.find(',', start), args.size());
    const std::string pair = args.substr(start, end - start);
    if (starts_with(pair, key + "=")) return pair.substr(key.size() + 1);
    start = end + 1;
  }
  return {};
}

PortDevice parse_port_device(const std::string& device) {
  PortDevice parsed;
  const auto comma = device.find(',');
  parsed.name = device.substr(0, comma);
  if (comma != std::string::npos) parsed.args = device.substr(comma + 1);
  if (starts_with(parsed.name, "net_ring")) {
    parsed.kind = PortDevice::Kind::kRing;
  } else if (starts_with(parsed.name, "net_tap")) {
    parsed.kind = PortDevice::Kind::kTap;
    parsed.iface = devarg_value(parsed.args, "iface");
  } else if (starts_with(parsed.name, "net_af_packet")) {
    parsed.kind = PortDevice::Kind::kAfPacket;
    parsed.iface = devarg_value(parsed.args, "iface");
  } else if (std::string pci = pci_long_form(parsed.name); !pci.empty()) {
    parsed.kind = PortDevice::Kind::kPci;
    parsed.pci_address = pci;
  }
  return parsed;
}

}  // namespace actorwire::io
