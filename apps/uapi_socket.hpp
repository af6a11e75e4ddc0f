// The wg(8) socket: WireGuard's cross-platform userspace API (apps/uapi_protocol.hpp) served on
// <dir>/<name>.sock, mode 0600, by a thread of its own (UnixSocketServer: a stale socket is taken
// over, a live one refuses the start), so `wg show <name>`, `wg show <name> dump` and
// `wg showconf <name>` work against a running gateway; set=1 (`wg set`, `wg syncconf`) goes to
// the set handler, which changes the peer set through Gateway::change_peers, like a reload.
#pragma once

#include <memory>
#include <string>

#include "apps/uapi_protocol.hpp"
#include "apps/unix_socket_server.hpp"

namespace actorwire::apps {

// Where wg(8) looks for userspace implementations' sockets.
inline constexpr const char* kDefaultWgSocketDir = "/var/run/wireguard";

class UapiSocket {
 public:
  // A client gets at most this long in all, and each read or write a second.
  static constexpr int kClientSeconds = 5;

  static std::unique_ptr<UapiSocket> open(const std::string& directory, const std::string& name,
                                          UapiConversation::GetBody get_body,
                                          UapiConversation::SetHandler set_handler,
                                          std::string& error);
  const std::string& path() const { return server_->path(); }

 private:
  UapiSocket(UapiConversation::GetBody get_body, UapiConversation::SetHandler set_handler)
      : get_body_(std::move(get_body)), set_handler_(std::move(set_handler)) {}
  void serve_client(int client);

  UapiConversation::GetBody get_body_;
  UapiConversation::SetHandler set_handler_;
  std::unique_ptr<UnixSocketServer> server_;  // last: its thread stops before get_body_ goes
};

}  // namespace actorwire::apps
