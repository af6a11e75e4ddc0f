#include "config/wg_quick.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "config/secret_file.hpp"

namespace actorwire::config {
namespace {

// wg-quick(8)'s own keys and wg(8)'s FwMark: they configure the host's interface, routes and
// scripts, which a DPDK gateway does not have.
constexpr std::array<std::string_view, 8> kHostOnlyKeys{
    "DNS", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig", "FwMark"};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// A comma-separated list's items, trimmed; empty items (a trailing comma) are skipped.
std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    if (!item.empty()) items.push_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

std::optional<std::uint32_t> parse_number(std::string_view text, std::uint32_t max) {
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value > max) {
    return std::nullopt;
  }
  return value;
}

// "host:port" whose host is a name rather than an address: wg(8) resolves it, actorwire does not.
bool looks_like_host_name(std::string_view endpoint) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!parse_number(endpoint.substr(colon + 1), 65535)) return false;
  const auto host = endpoint.substr(0, colon);
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
  });
}

enum class Section { kNone, kInterface, kPeer, kUnknown };

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  void line(std::size_t number, std::string_view text) {
    line_ = number;
    line_text_ = text;
    if (const auto hash = text.find('#'); hash != std::string_view::npos)
      text = text.substr(0, hash);
    text = trim(text);
    if (text.empty()) return;
    if (text.front() == '[') return header(text);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) {
      return warn(text, "", "not a 'Key = value' line, ignored");
    }
    const auto key = trim(text.substr(0, equals));
    const auto value = trim(text.substr(equals + 1));
    switch (section_) {
      case Section::kNone:
        return warn(key, key, "outside [Interface] and [Peer], ignored");
      case Section::kUnknown:
        return;  // the section's header got the warning
      case Section::kInterface:
        return interface_key(key, value);
      case Section::kPeer:
        return peer_key(key, value);
    }
  }

  WgQuickParse finish() {
    if (!seen_interface_) {
      result_.errors.push_back(std::string(source_) + ": no [Interface] section");
    } else if (!file_.interface.private_key) {
      result_.errors.push_back(std::string(source_) + ":" + std::to_string(interface_line_) +
                               ":1: [Interface]: no PrivateKey (the gateway needs its own key)");
    }
    for (const auto& peer : file_.peers) {
      if (!peer.public_key) {
        result_.errors.push_back(std::string(source_) + ":" + std::to_string(peer.line) +
                                 ":1: [Peer]: no PublicKey");
      }
    }
    if (result_.errors.empty()) result_.file = std::move(file_);
    return std::move(result_);
  }

 private:
  void header(std::string_view text) {
    if (equals_ignoring_case(text, "[Interface]")) {
      if (seen_interface_) warn(text, "", "a second [Interface]: its keys add to the first");
      seen_interface_ = true;
      interface_line_ = line_;
      section_ = Section::kInterface;
    } else if (equals_ignoring_case(text, "[Peer]")) {
      section_ = Section::kPeer;
      file_.peers.emplace_back();
      file_.peers.back().line = line_;
    } else {
      section_ = Section::kUnknown;
      warn(text, "", "unknown section, ignored with its keys");
    }
  }

  void interface_key(std::string_view key, std::string_view value) {
    auto& out = file_.interface;
    if (equals_ignoring_case(key, "PrivateKey")) {
      out.private_key = crypto::parse_secret_key_base64(value);
      if (!out.private_key) error(value, key, key_message(value));
    } else if (equals_ignoring_case(key, "ListenPort")) {
      const auto port = parse_number(value, 65535);
      if (!port) return error(value, key, "expected a port, 0..65535");
      // 0: wg(8) picks a random port; a gateway's peers need a fixed one, so the default stays.
      if (*port == 0) return warn(value, key, "0 (a random port) is not supported: default 51820");
      out.listen_port = static_cast<std::uint16_t>(*port);
    } else if (equals_ignoring_case(key, "Address")) {
      for (const auto item : split_list(value)) {
        const auto address = parse_interface_address(item);
        if (!address) {
          error(item, key, "'" + std::string(item) + "' is not an address such as 10.0.0.1/24");
        } else {
          out.addresses.push_back(*address);
        }
      }
    } else if (equals_ignoring_case(key, "MTU")) {
      const auto mtu = parse_number(value, 9000);
      if (!mtu || *mtu < 576) return error(value, key, "expected 576..9000 (actorwire's range)");
      out.mtu = static_cast<std::uint16_t>(*mtu);
    } else {
      unknown_key(key);
    }
  }

  void peer_key(std::string_view key, std::string_view value) {
    auto& peer = file_.peers.back();
    if (equals_ignoring_case(key, "PublicKey")) {
      peer.public_key = crypto::parse_public_key_base64(value);
      if (!peer.public_key) error(value, key, key_message(value));
    } else if (equals_ignoring_case(key, "PresharedKey")) {
      peer.preshared_key = crypto::parse_secret_key_base64(value);
      if (!peer.preshared_key) error(value, key, key_message(value));
    } else if (equals_ignoring_case(key, "AllowedIPs")) {
      for (const auto item : split_list(value)) allowed_ip(peer, key, item);
    } else if (equals_ignoring_case(key, "Endpoint")) {
      peer.endpoint = parse_endpoint(value);
      peer.unresolved_endpoint.clear();
      if (peer.endpoint) return;
      if (!looks_like_host_name(value)) {
        return error(value, key,
                     "'" + std::string(value) + "' is not an endpoint such as 192.0.2.1:51820");
      }
      peer.unresolved_endpoint = std::string(value);
      warn(value, key,
           "'" + peer.unresolved_endpoint +
               "' is a host name; actorwire resolves none: written as a comment (the peer can "
               "still reach us, and we learn its address from its packets)");
    } else if (equals_ignoring_case(key, "PersistentKeepalive")) {
      if (equals_ignoring_case(value, "off")) {
        peer.persistent_keepalive = 0;
        return;
      }
      const auto seconds = parse_number(value, 65535);
      if (!seconds) return error(value, key, "expected 'off' or seconds, 0..65535");
      peer.persistent_keepalive = static_cast<std::uint16_t>(*seconds);
    } else {
      unknown_key(key);
    }
  }

  void allowed_ip(WgQuickPeer& peer, std::string_view key, std::string_view item) {
    const auto prefix = parse_interface_address(item);
    if (!prefix) {
      return error(item, key, "'" + std::string(item) + "' is not a prefix such as 10.2.0.0/16");
    }
    const IpPrefix network = network_of(*prefix);
    if (!(network == *prefix)) {
      // wg(8) masks it silently; actorwire's config refuses host bits, so say what it became.
      warn(item, key,
           "'" + std::string(item) + "' has host bits set: imported as " + to_string(network));
    }
    peer.allowed_ips.push_back(network);
  }

  void unknown_key(std::string_view key) {
    const auto host_only = std::find_if(kHostOnlyKeys.begin(), kHostOnlyKeys.end(),
                                        [&](auto name) { return equals_ignoring_case(name, key); });
    if (host_only != kHostOnlyKeys.end()) {
      return warn(key, key,
                  "a host interface setting of wg-quick/wg, no meaning for a DPDK gateway; "
                  "ignored");
    }
    warn(key, key, "unknown key, ignored");
  }

  static std::string key_message(std::string_view value) {
    // Never the text: it may be most of a key.
    return "not a base64 key of 32 bytes (44 characters ending in '='; got " +
           std::to_string(value.size()) + " characters)";
  }

  // "source:line:col: Key: message"; `at` points into the current line, for the column.
  std::string position(std::string_view at, std::string_view key) const {
    const auto column = static_cast<std::size_t>(at.data() - line_text_.data()) + 1;
    std::string text =
        std::string(source_) + ":" + std::to_string(line_) + ":" + std::to_string(column) + ": ";
    if (!key.empty()) text += std::string(key) + ": ";
    return text;
  }
  void warn(std::string_view at, std::string_view key, const std::string& message) {
    result_.warnings.push_back(position(at, key) + message);
  }
  void error(std::string_view at, std::string_view key, const std::string& message) {
    result_.errors.push_back(position(at, key) + message);
  }

  std::string_view source_;
  std::size_t line_ = 0;
  std::string_view line_text_;
  Section section_ = Section::kNone;
  bool seen_interface_ = false;
  std::size_t interface_line_ = 0;
  WgQuickFile file_;
  WgQuickParse result_;
};

}  // namespace

WgQuickParse parse_wg_quick(std::string_view text, std::string_view source) {
  Parser parser(source);
  std::size_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    auto line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    parser.line(++number, line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return parser.finish();
}

WgQuickParse parse_wg_quick_file(const std::string& path) {
  const loader::SecretFile file(path == "-" ? "/dev/stdin" : path);
  if (!file.ok()) {
    WgQuickParse result;
    result.errors.push_back(path + ": " + file.error());
    return result;
  }
  WgQuickParse result = parse_wg_quick(file.text(), path == "-" ? "<stdin>" : path);
  if (path != "-") {
    if (auto warning = file.permission_warning())
      result.warnings.insert(result.warnings.begin(), *warning);
  }
  return result;
}

}  // namespace actorwire::config
