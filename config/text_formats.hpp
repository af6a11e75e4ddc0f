// The values a config file writes as text (addresses, MACs, endpoints, keys), one format each
// for loader::as<Format>: the parser and the message when the text does not parse. Key material
// is never quoted back, only its length. Shared by the gateway and the cluster loaders; internal
// to config/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/gateway_config.hpp"
#include "config/toml_reader.hpp"
#include "crypto/keys.hpp"

namespace actorwire::config::loader {

// --- Text formats for as<Format> -----------------------------------------------------------------

struct IpAddressText {
  using Value = IpAddress;
  static constexpr std::string_view kWhat = "an IP address";
  static std::optional<Value> parse(std::string_view text) { return parse_ip_address(text); }
  static std::string problem(std::string_view text) {
    return quoted(text) + " is not an IP address (expected e.g. \"192.0.2.1\" or \"2001:db8::1\")";
  }
};

struct MacAddressText {
  using Value = MacAddress;
  static constexpr std::string_view kWhat = "a MAC address";
  static std::optional<Value> parse(std::string_view text) { return parse_mac_address(text); }
  static std::string problem(std::string_view text) {
    return quoted(text) +
           " is not a MAC address (expected six hex pairs such as \"02:00:00:00:00:01\")";
  }
};

// A CIDR route (allowed_ips): host bits must be clear.
struct RoutePrefixText {
  using Value = IpPrefix;
  static constexpr std::string_view kWhat = "a CIDR prefix";
  static std::optional<Value> parse(std::string_view text) { return parse_ip_prefix(text); }
  static std::string problem(std::string_view text) {
    const auto with_host_bits = parse_interface_address(text);
    if (!with_host_bits) {
      return quoted(text) +
             " is not a CIDR prefix (expected e.g. \"10.1.0.0/16\" or \"fd00::/64\")";
    }
    // Say what the engineer most likely meant: the network the address belongs to.
    const IpPrefix network = network_of(*with_host_bits);
    return quoted(text) + " has host bits set beyond /" + std::to_string(network.length) +
           "; did you mean " + quoted(to_string(network)) + "?";
  }
};

// An address with its prefix length (port and interface addresses); host bits are the point.
struct InterfaceAddressText {
  using Value = IpPrefix;
  static constexpr std::string_view kWhat = "an address with prefix length";
  static std::optional<Value> parse(std::string_view text) { return parse_interface_address(text); }
  static std::string problem(std::string_view text) {
    return quoted(text) + " is not an address with prefix length (expected e.g. \"192.0.2.1/24\")";
  }
};

struct EndpointText {
  using Value = Endpoint;
  static constexpr std::string_view kWhat = "an endpoint";
  static std::optional<Value> parse(std::string_view text) { return parse_endpoint(text); }
  static std::string problem(std::string_view text) {
    return quoted(text) +
           " is not an endpoint (expected \"ip:port\" such as \"192.0.2.2:51820\" or "
           "\"[2001:db8::2]:51820\"; host names are not resolved)";
  }
};

// Where the Prometheus endpoint listens: an endpoint, said in the words of that setting.
struct ListenAddressText : EndpointText {
  static std::string problem(std::string_view text) {
    return quoted(text) +
           " is not a listen address (expected \"ip:port\" with a port from 1 to 65535, such as "
           "\"127.0.0.1:9586\" or \"[::1]:9586\"; host names are not resolved)";
  }
};

// Key material: the text is never quoted back, only its length; `tool` prints a valid one.
inline std::string key_problem(std::string_view text, std::string_view tool) {
  std::string message =
      "expected a base64-encoded 32-byte key (44 characters ending in '=', as printed by `" +
      std::string(tool) + "`)";
  if (text.size() != 44) {
    message += ", got " + std::to_string(text.size()) + " characters";
  } else {
    message += ", got invalid base64";
  }
  return message + " (the value is not shown)";
}

// The private key and the static session's transport keys.
struct SecretKeyText {
  using Value = crypto::SecretKey;
  static constexpr std::string_view kWhat = "a base64 key";
  static std::optional<Value> parse(std::string_view text) {
    return crypto::parse_secret_key_base64(text);
  }
  static std::string problem(std::string_view text) { return key_problem(text, "wg genkey"); }
};

struct PresharedKeyText : SecretKeyText {
  static std::string problem(std::string_view text) { return key_problem(text, "wg genpsk"); }
};

struct PublicKeyText {
  using Value = crypto::PublicKey;
  static constexpr std::string_view kWhat = "a base64 public key";
  static std::optional<Value> parse(std::string_view text) {
    return crypto::parse_public_key_base64(text);
  }
  static std::string problem(std::string_view text) { return key_problem(text, "wg pubkey"); }
};

}  // namespace actorwire::config::loader
