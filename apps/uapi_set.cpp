#include "apps/uapi_set.hpp"

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include "crypto/keys.hpp"

namespace actorwire::apps {
namespace {

// 64 hex digits to 32 bytes (sodium_hex2bin: constant time, no key text in messages).
bool parse_hex_key(std::string_view text, std::uint8_t (&out)[wg::kKeySize]) {
  std::size_t length = 0;
  return text.size() == 2 * wg::kKeySize &&
         sodium_hex2bin(out, sizeof out, text.data(), text.size(), nullptr, &length, nullptr) ==
             0 &&
         length == sizeof out;
}

std::optional<unsigned long> parse_number(std::string_view text, unsigned long max) {
  unsigned long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

std::optional<bool> parse_true(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

class SetRequest {
 public:
  explicit SetRequest(const config::GatewayConfig& running) : running_(running) {
    result_.next = running;
  }

  UapiSetResult take() { return std::move(result_); }

  // False (with the result's error set) at the first line that cannot be applied.
  bool line(std::string_view text) {
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) return fail(EINVAL, "a line without '='");
    const std::string_view key = text.substr(0, equals);
    const std::string_view value = text.substr(equals + 1);
    if (key == "public_key") return start_peer(value);
    if (peer_index_ == kNoPeer && !skipping_peer_) return interface_key(key, value);
    return peer_key(key, value);
  }

 private:
  static constexpr std::size_t kNoPeer = SIZE_MAX;

  bool fail(int error, std::string message) {
    result_.error = error;
    result_.message = std::move(message);
    return false;
  }

  std::vector<config::PeerConfig>& peers() { return result_.next.peers; }

  bool interface_key(std::string_view key, std::string_view value) {
    if (key == "private_key") {
      std::uint8_t bytes[wg::kKeySize];
      const bool ok = parse_hex_key(value, bytes);
      const bool same =
          ok && sodium_memcmp(bytes, running_.interface.private_key.data(), sizeof bytes) == 0;
      sodium_memzero(bytes, sizeof bytes);
      if (!ok) return fail(EINVAL, "private_key: not 64 hex digits");
      if (!same) return fail(EOPNOTSUPP, "private_key: changing it needs a restart");
      return true;
    }
    if (key == "listen_port") {
      const auto port = parse_number(value, 65535);
      if (!port) return fail(EINVAL, "listen_port: not a port number");
      if (*port != running_.interface.listen_port) {
        return fail(EOPNOTSUPP, "listen_port: changing it needs a restart");
      }
      return true;
    }
    if (key == "fwmark") {
      const auto mark = parse_number(value, UINT32_MAX);
      if (!mark) return fail(EINVAL, "fwmark: not a number");
      return *mark == 0 || fail(EOPNOTSUPP, "fwmark: the gateway has no firewall mark");
    }
    if (key == "replace_peers") {
      const auto replace = parse_true(value);
      if (!replace) return fail(EINVAL, "replace_peers: not true or false");
      if (*replace) peers().clear();
      return true;
    }
    return fail(EINVAL, "unknown interface key '" + std::string(key) + "'");
  }

  bool start_peer(std::string_view value) {
    crypto::PublicKey key;
    std::uint8_t bytes[wg::kKeySize];
    if (!parse_hex_key(value, bytes)) return fail(EINVAL, "public_key: not 64 hex digits");
    std::copy(std::begin(bytes), std::end(bytes), key.bytes.begin());
    if (key == crypto::derive_public_key(running_.interface.private_key)) {
      return fail(EINVAL, "public_key: the gateway's own key");
    }
    skipping_peer_ = false;
    peer_index_ = kNoPeer;
    created_ = false;
    for (std::size_t i = 0; i < peers().size(); ++i) {
      if (peers()[i].public_key == key) peer_index_ = i;
    }
    if (peer_index_ == kNoPeer) {
      config::PeerConfig peer;
      peer.public_key = key;
      peers().push_back(std::move(peer));
      peer_index_ = peers().size() - 1;
      created_ = true;
    }
    return true;
  }

  bool peer_key(std::string_view key, std::string_view value) {
    if (key == "update_only") {
      const auto only = parse_true(value);
      if (!only) return fail(EINVAL, "update_only: not true or false");
      if (*only && created_) {  // the peer did not exist: the rest of its lines change nothing
        peers().erase(peers().begin() + static_cast<std::ptrdiff_t>(peer_index_));
        peer_index_ = kNoPeer;
        skipping_peer_ = true;
      }
      return true;
    }
    if (key == "protocol_version") {
      return value == "1" || fail(EINVAL, "protocol_version: only 1 is spoken");
    }
    if (skipping_peer_) return known_peer_key(key) || fail(EINVAL, "unknown peer key");
    config::PeerConfig& peer = peers()[peer_index_];
    if (key == "remove") {
      const auto remove = parse_true(value);
      if (!remove) return fail(EINVAL, "remove: not true or false");
      if (*remove) {
        peers().erase(peers().begin() + static_cast<std::ptrdiff_t>(peer_index_));
        peer_index_ = kNoPeer;
        skipping_peer_ = true;
      }
      return true;
    }
    if (key == "preshared_key") {
      std::uint8_t bytes[wg::kKeySize];
      if (!parse_hex_key(value, bytes)) return fail(EINVAL, "preshared_key: not 64 hex digits");
      if (sodium_is_zero(bytes, sizeof bytes)) {
        peer.preshared_key.reset();
      } else {
        peer.preshared_key = crypto::SecretKey(bytes);
      }
      sodium_memzero(bytes, sizeof bytes);
      return true;
    }
    if (key == "endpoint") {
      const auto endpoint = config::parse_endpoint(value);
      if (!endpoint) return fail(EINVAL, "endpoint: not ip:port or [ipv6]:port");
      peer.endpoint = endpoint;
      return true;
    }
    if (key == "persistent_keepalive_interval") {
      const auto seconds = parse_number(value, 65535);
      if (!seconds) return fail(EINVAL, "persistent_keepalive_interval: not 0..65535");
      peer.persistent_keepalive = static_cast<std::uint16_t>(*seconds);
      return true;
    }
    if (key == "replace_allowed_ips") {
      const auto replace = parse_true(value);
      if (!replace) return fail(EINVAL, "replace_allowed_ips: not true or false");
      if (*replace) peer.allowed_ips.clear();
      return true;
    }
    if (key == "allowed_ip") {
      const auto parsed = config::parse_interface_address(value);
      if (!parsed) return fail(EINVAL, "allowed_ip: not a prefix");
      const config::IpPrefix prefix = config::network_of(*parsed);
      // Like WireGuard: a prefix belongs to one peer, the one that was given it last.
      for (std::size_t i = 0; i < peers().size(); ++i) {
        auto& list = peers()[i].allowed_ips;
        if (i != peer_index_) std::erase(list, prefix);
      }
      if (std::find(peer.allowed_ips.begin(), peer.allowed_ips.end(), prefix) ==
          peer.allowed_ips.end()) {
        peer.allowed_ips.push_back(prefix);
      }
      return true;
    }
    return fail(EINVAL, "unknown peer key '" + std::string(key) + "'");
  }

  static bool known_peer_key(std::string_view key) {
    for (std::string_view known :
         {"remove", "preshared_key", "endpoint", "persistent_keepalive_interval",
          "replace_allowed_ips", "allowed_ip"}) {
      if (key == known) return true;
    }
    return false;
  }

  const config::GatewayConfig& running_;
  UapiSetResult result_;
  std::size_t peer_index_ = kNoPeer;  // the peer the lines are about
  bool created_ = false;              // it did not exist before this request
  bool skipping_peer_ = false;        // removed or update_only: its lines change nothing
};

}  // namespace

UapiSetResult apply_uapi_set(const config::GatewayConfig& running,
                             const std::vector<std::string>& lines) {
  SetRequest request(running);
  for (const auto& text : lines) {
    if (!request.line(text)) break;
  }
  UapiSetResult result = request.take();
  if (result.error != 0) result.next = config::GatewayConfig{};
  return result;
}

}  // namespace actorwire::apps
