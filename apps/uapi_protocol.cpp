#include "apps/uapi_protocol.hpp"

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <string>

#include "crypto/keys.hpp"

namespace actorwire::apps {
namespace {

// The snapshot's entry for a peer (by base64 public key), or null.
const nlohmann::json* peer_state(const nlohmann::json& stats, const std::string& public_key) {
  if (!stats.is_object() || !stats.contains("peers")) return nullptr;
  for (const auto& peer : stats["peers"]) {
    if (peer.value("public_key", std::string()) == public_key) return &peer;
  }
  return nullptr;
}

std::uint64_t counter(const nlohmann::json* state, const char* key) {
  if (state == nullptr || !state->contains(key) || !(*state)[key].is_number_unsigned()) return 0;
  return (*state)[key].get<std::uint64_t>();
}

void append_peer(std::string& out, const config::PeerConfig& peer, const nlohmann::json* state) {
  out += "public_key=" + crypto::to_hex(peer.public_key) + "\n";
  if (peer.preshared_key) {
    out += "preshared_key=";
    crypto::append_hex(out, *peer.preshared_key);
    out += "\n";
  }
  out += "protocol_version=1\n";
  std::string endpoint = peer.endpoint ? config::to_string(*peer.endpoint) : std::string();
  if (state != nullptr && state->contains("endpoint") && (*state)["endpoint"].is_string()) {
    endpoint = (*state)["endpoint"].get<std::string>();
  }
  if (!endpoint.empty()) out += "endpoint=" + endpoint + "\n";
  double handshake = 0;
  if (state != nullptr && state->contains("last_handshake_unix_s") &&
      (*state)["last_handshake_unix_s"].is_number()) {
    handshake = std::max(0.0, (*state)["last_handshake_unix_s"].get<double>());
  }
  const double seconds = std::floor(handshake);
  out += "last_handshake_time_sec=" + std::to_string(static_cast<std::uint64_t>(seconds)) + "\n";
  out += "last_handshake_time_nsec=" +
         std::to_string(static_cast<std::uint64_t>((handshake - seconds) * 1e9)) + "\n";
  out += "tx_bytes=" + std::to_string(counter(state, "tx_bytes")) + "\n";
  out += "rx_bytes=" + std::to_string(counter(state, "rx_bytes")) + "\n";
  out += "persistent_keepalive_interval=" + std::to_string(peer.persistent_keepalive) + "\n";
  for (const auto& prefix : peer.allowed_ips)
    out += "allowed_ip=" + config::to_string(prefix) + "\n";
}

}  // namespace

void append_uapi_get(std::string& out, const config::GatewayConfig& config,
                     const nlohmann::json& stats) {
  // Room for all of it first: a reallocation after the private key is in would leave an unwiped
  // copy behind. Bounds per line: a key line 80 bytes, an endpoint 64, a number line 48.
  std::size_t size = 256;
  for (const auto& peer : config.peers) size += 640 + 64 * peer.allowed_ips.size();
  out.reserve(out.size() + size);
  out += "private_key=";
  crypto::append_hex(out, config.interface.private_key);
  out += "\nlisten_port=" + std::to_string(config.interface.listen_port) + "\n";
  for (const auto& peer : config.peers) {
    append_peer(out, peer, peer_state(stats, crypto::to_base64(peer.public_key)));
  }
}

UapiConversation::~UapiConversation() {
  sodium_memzero(line_.data(), line_.size());
  wipe_set_lines();
}

void UapiConversation::wipe_set_lines() {
  for (auto& line : set_lines_) sodium_memzero(line.data(), line.size());
  set_lines_.clear();
}

void UapiConversation::feed(std::string_view bytes, std::string& out) {
  for (const char c : bytes) {
    if (broken_) return;
    if (c != '\n') {
      if (line_.size() == kMaxLine) {
        answer_errno(EINVAL, out);
        broken_ = true;
        return;
      }
      line_ += c;
      continue;
    }
    line(line_, out);
    sodium_memzero(line_.data(), line_.size());
    line_.clear();
  }
}

void UapiConversation::line(std::string_view text, std::string& out) {
  switch (state_) {
    case State::kOperation:
      if (text.empty()) return;  // between requests
      if (text == "get=1") {
        state_ = State::kGetEnd;
      } else if (text == "set=1" && set_handler_) {
        state_ = State::kSetBody;
      } else {
        // set=1 without a handler, or not an operation of the protocol.
        skip_errno_ = text == "set=1" ? EOPNOTSUPP : EINVAL;
        state_ = State::kSkipToEnd;
      }
      return;
    case State::kSetBody:
      if (!text.empty()) {
        if (set_lines_.size() == kMaxSetLines) {
          wipe_set_lines();
          skip_errno_ = E2BIG;
          state_ = State::kSkipToEnd;
          return;
        }
        set_lines_.emplace_back(text);
        return;
      }
      if (const int error = set_handler_(set_lines_); error != 0) {
        answer_errno(error, out);
      } else {
        out += "errno=0\n\n";
        state_ = State::kOperation;
      }
      wipe_set_lines();
      return;
    case State::kGetEnd:
      if (!text.empty()) {
        skip_errno_ = EINVAL;  // get=1 takes no keys
        state_ = State::kSkipToEnd;
        return;
      }
      get_body_(out);
      out += "errno=0\n\n";
      state_ = State::kOperation;
      return;
    case State::kSkipToEnd:
      if (text.empty()) answer_errno(skip_errno_, out);
      return;
  }
}

void UapiConversation::answer_errno(int error, std::string& out) {
  out += "errno=-" + std::to_string(error) + "\n\n";
  state_ = State::kOperation;
}

}  // namespace actorwire::apps
