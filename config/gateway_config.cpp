// Plain-value helpers for the gateway configuration: address, prefix, MAC and endpoint parsing
// and printing, io scheduling names (topology kinds: topology_kind.cpp). Nothing here touches key
// material.
#include "config/gateway_config.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace actorwire::config {

namespace {

// Parses a decimal number made only of digits (no sign, no spaces) that fits `max`.
std::optional<std::uint32_t> parse_decimal(std::string_view text, std::uint32_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

std::uint8_t max_prefix_length(const IpAddress& address) {
  return address.is_v6 ? 128 : 32;
}

// True when no bit beyond the first `length` bits is set.
bool host_bits_clear(const IpAddress& address, std::uint8_t length) {
  const std::size_t total_bytes = address.is_v6 ? 16 : 4;
  for (std::size_t i = 0; i < total_bytes; ++i) {
    const std::size_t first_bit = i * 8;
    std::uint8_t mask = 0xff;  // host bits in this byte
    if (first_bit + 8 <= length) {
      mask = 0;
    } else if (first_bit < length) {
      mask = static_cast<std::uint8_t>(0xff >> (length - first_bit));
    }
    if ((address.bytes[i] & mask) != 0) return false;
  }
  return true;
}

std::optional<IpPrefix> parse_prefix(std::string_view text, bool allow_host_bits) {
  const auto slash = text.find('/');
  auto address = parse_ip_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  IpPrefix prefix{*address, max_prefix_length(*address)};
  if (slash != std::string_view::npos) {
    const auto length = parse_decimal(text.substr(slash + 1), max_prefix_length(*address));
    if (!length) return std::nullopt;
    prefix.length = static_cast<std::uint8_t>(*length);
  }
  if (!allow_host_bits && !host_bits_clear(prefix.address, prefix.length)) return std::nullopt;
  return prefix;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress address;
  address.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
  address.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
  address.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
  address.bytes[3] = static_cast<std::uint8_t>(host_order);
  return address;
}

std::uint32_t IpAddress::v4_host_order() const {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  // inet_pton needs a terminated string; the longest IPv6 text form is 45 characters.
  if (text.empty() || text.size() > INET6_ADDRSTRLEN - 1) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN] = {};
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\0') return std::nullopt;
    buffer[i] = text[i];
  }
  IpAddress address;
  if (text.find(':') == std::string_view::npos) {
    in_addr v4{};
    // glibc's inet_pton accepts only the four-part dotted decimal form.
    if (inet_pton(AF_INET, buffer, &v4) != 1) return std::nullopt;
    std::memcpy(address.bytes.data(), &v4, 4);
  } else {
    in6_addr v6{};
    if (inet_pton(AF_INET6, buffer, &v6) != 1) return std::nullopt;
    address.is_v6 = true;
    std::memcpy(address.bytes.data(), &v6, 16);
  }
  return address;
}

std::optional<IpPrefix> parse_ip_prefix(std::string_view text) {
  return parse_prefix(text, false);
}

std::optional<IpPrefix> parse_interface_address(std::string_view text) {
  return parse_prefix(text, true);
}

std::optional<MacAddress> parse_mac_address(std::string_view text) {
  // Six two-digit hex groups separated by ':' (or consistently by '-').
  if (text.size() != 17) return std::nullopt;
  const char separator = text[2];
  if (separator != ':' && separator != '-') return std::nullopt;
  MacAddress mac;
  for (std::size_t i = 0; i < 6; ++i) {
    const std::size_t at = i * 3;
    const int high = hex_digit(text[at]);
    const int low = hex_digit(text[at + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    if (i < 5 && text[at + 2] != separator) return std::nullopt;
    mac.bytes[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return mac;
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    // An unbracketed IPv6 address is ambiguous ("2001:db8::1:51820").
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  auto address = parse_ip_address(host);
  if (!address) return std::nullopt;
  // Inside brackets only IPv6 is allowed, outside only IPv4.
  if (address->is_v6 != (text.front() == '[')) return std::nullopt;
  const auto port_number = parse_decimal(port, 65535);
  if (!port_number || *port_number == 0) return std::nullopt;
  return Endpoint{*address, static_cast<std::uint16_t>(*port_number)};
}

std::string to_string(const IpAddress& address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (address.is_v6) {
    in6_addr v6{};
    std::memcpy(&v6, address.bytes.data(), 16);
    inet_ntop(AF_INET6, &v6, buffer, sizeof(buffer));
  } else {
    in_addr v4{};
    std::memcpy(&v4, address.bytes.data(), 4);
    inet_ntop(AF_INET, &v4, buffer, sizeof(buffer));
  }
  return buffer;
}

IpPrefix network_of(const IpPrefix& prefix) {
  IpPrefix network = prefix;
  const std::size_t total_bytes = prefix.address.is_v6 ? 16 : 4;
  for (std::size_t i = 0; i < total_bytes; ++i) {
    const std::size_t first_bit = i * 8;
    if (first_bit + 8 <= prefix.length) continue;
    const std::size_t kept = first_bit < prefix.length ? prefix.length - first_bit : 0;
    network.address.bytes[i] &= static_cast<std::uint8_t>(0xff00 >> kept);
  }
  return network;
}

bool prefix_contains(const IpPrefix& prefix, const IpAddress& address) {
  if (prefix.address.is_v6 != address.is_v6) return false;
  return network_of(prefix) == network_of(IpPrefix{address, prefix.length});
}

bool is_valid_instance_name(std::string_view name) {
  return !name.empty() && name.size() <= 15 &&
         std::all_of(name.begin(), name.end(),
                     [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' ||
                              c == '_' || c == '.';
                     }) &&
         name != "." && name != "..";
}

bool is_valid_user_name(std::string_view name) {
  const auto lower_or_underscore = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  return !name.empty() && name.size() <= 32 && lower_or_underscore(name.front()) &&
         std::all_of(name.begin(), name.end(), [&](char c) {
           return lower_or_underscore(c) || (c >= '0' && c <= '9') || c == '-';
         });
}

std::string to_string(const IpPrefix& prefix) {
  return to_string(prefix.address) + "/" + std::to_string(prefix.length);
}

std::string to_string(const MacAddress& mac) {
  char buffer[18];
  std::snprintf(buffer, sizeof(buffer), "%02x:%02x:%02x:%02x:%02x:%02x", mac.bytes[0], mac.bytes[1],
                mac.bytes[2], mac.bytes[3], mac.bytes[4], mac.bytes[5]);
  return buffer;
}

std::string to_string(const Endpoint& endpoint) {
  const std::string host = to_string(endpoint.address);
  const std::string port = std::to_string(endpoint.port);
  return endpoint.address.is_v6 ? "[" + host + "]:" + port : host + ":" + port;
}

std::string_view to_string(IoScheduling scheduling) {
  switch (scheduling) {
    case IoScheduling::kAuto:
      return "auto";
    case IoScheduling::kDetached:
      return "detached";
    case IoScheduling::kScheduled:
      return "scheduled";
  }
  return "auto";
}

std::optional<IoScheduling> parse_io_scheduling(std::string_view text) {
  if (text == "auto") return IoScheduling::kAuto;
  if (text == "detached") return IoScheduling::kDetached;
  if (text == "scheduled") return IoScheduling::kScheduled;
  return std::nullopt;
}

const PortConfig* GatewayConfig::port(PortRole role) const {
  for (const auto& candidate : ports) {
    if (candidate.role == role) return &candidate;
  }
  return nullptr;
}

const KeyPosition* GatewayConfig::position_of(std::string_view key) const {
  for (const auto& position : key_positions) {
    if (position.key == key) return &position;
  }
  return nullptr;
}

}  // namespace actorwire::config
