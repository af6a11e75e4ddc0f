// WireGuard's cross-platform userspace API (https://www.wireguard.com/xplatform/), the text
// protocol wg(8) speaks to wireguard-go and boringtun on /var/run/wireguard/<name>.sock: a
// request is an operation line ("get=1" or "set=1"), key=value lines, and an empty line; the
// answer is key=value lines ending with "errno=N" and an empty line. Pure: bytes in, bytes out.
//
// get=1 is answered in full. set=1 is read to its end and handed whole to the set handler
// (apps/uapi_set.hpp builds the new peer set, the gateway applies it), so a request changes all
// or nothing; without a handler it is answered errno=-EOPNOTSUPP. Errors are negative errno
// values, as wireguard-go writes them and as `wg set` decodes them.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/gateway_config.hpp"

namespace actorwire::apps {

// The body of a get=1 answer (every line but errno): the interface, then each configured peer
// with its state from a stats snapshot (apps/stats_snapshot.hpp; null before the gateway runs):
// private_key, listen_port; public_key, preshared_key, protocol_version, endpoint (the latest
// known, else the configured one), last_handshake_time_sec/nsec, rx_bytes, tx_bytes,
// persistent_keepalive_interval, allowed_ip. Keys are hex. The private and preshared keys are
// there because the protocol has them (`wg showconf` prints them; `wg show` derives the public
// key from the private one and shows both as "(hidden)"); the socket is 0600, root only, like
// the config file that holds them. `out` then holds key text: the caller wipes it.
void append_uapi_get(std::string& out, const config::GatewayConfig& config,
                     const nlohmann::json& stats);

// One client's side of the conversation: several requests may follow each other on one
// connection. Request lines (a set=1 may carry keys) are wiped once read.
class UapiConversation {
 public:
  static constexpr std::size_t kMaxLine = 4096;
  // Appends the get=1 body (append_uapi_get) to its argument.
  using GetBody = std::function<void(std::string&)>;
  // A set=1 request's key=value lines: 0 when applied, else a positive errno.
  using SetHandler = std::function<int(const std::vector<std::string>&)>;
  // A set=1 request may hold at most this many lines (10,000 peers' worth of wg syncconf).
  static constexpr std::size_t kMaxSetLines = 1 << 20;

  explicit UapiConversation(GetBody get_body, SetHandler set_handler = nullptr)
      : get_body_(std::move(get_body)), set_handler_(std::move(set_handler)) {}
  ~UapiConversation();
  UapiConversation(const UapiConversation&) = delete;
  UapiConversation& operator=(const UapiConversation&) = delete;

  // Takes bytes from the client; appends the answers they complete to `out`.
  void feed(std::string_view bytes, std::string& out);
  // A line longer than kMaxLine was answered errno=-EINVAL: close the connection.
  bool broken() const { return broken_; }

 private:
  enum class State { kOperation, kGetEnd, kSetBody, kSkipToEnd };
  void line(std::string_view text, std::string& out);
  void answer_errno(int error, std::string& out);

  void wipe_set_lines();

  GetBody get_body_;
  SetHandler set_handler_;
  std::vector<std::string> set_lines_;  // may hold keys: wiped after the request
  std::string line_;
  State state_ = State::kOperation;
  int skip_errno_ = 0;  // the answer once the skipped request ends
  bool broken_ = false;
};

}  // namespace actorwire::apps
