// The daemon's control socket: a UNIX stream socket at <dir>/<name>.sock, mode 0600 (root
// only), served by one thread of its own, so a client never touches a data-plane actor.
//
// Protocol (README "Control socket"): one request line, one JSON answer line, then the server
// closes. A request is a JSON object {"version": 1, "command": "stats"}; an answer carries
// "version" and either the result or {"error": "..."}. Garbage, a wrong version, an unknown
// command, a request longer than kMaxRequest bytes or one that does not arrive within a second
// get an error answer; none of them reaches the data plane.
//
// Start-up (`open`, UnixSocketServer): a socket file that accepts a connection belongs to a live
// daemon of the same name, which is an error; one that refuses (a daemon that crashed) is taken
// over.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/control_request.hpp"
#include "apps/unix_socket_server.hpp"

namespace actorwire::apps {

// Where the daemon puts its socket and `actorwire stats` looks for it, unless --socket-dir.
inline constexpr const char* kDefaultSocketDir = "/run/actorwire";

class ControlSocket {
 public:
  static constexpr std::size_t kMaxRequest = 4096;
  // Answers a well-formed request's command: the result, or null for "unknown".
  using Handler = ControlHandler;

  // Null with `error` set when the socket cannot be had (in use, no permission, path too long).
  static std::unique_ptr<ControlSocket> open(const std::string& directory, const std::string& name,
                                             Handler handler, std::string& error);
  ~ControlSocket();  // stops the thread, removes the socket file (UnixSocketServer)
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

  const std::string& path() const { return server_->path(); }

  // The answer to one request line (without its newline): answer_control_request.
  static nlohmann::json answer(const std::string& request, const Handler& handler);

 private:
  explicit ControlSocket(Handler handler);
  void serve_client(int client);

  Handler handler_;
  std::unique_ptr<UnixSocketServer> server_;  // last: its thread stops before handler_ goes
};

// Client side, for `actorwire stats`: sends `command`, returns the answer, or null with `error`.
// `timeout_s`: how long the daemon may take to answer (a reload waits for the data plane).
nlohmann::json control_request(const std::string& directory, const std::string& name,
                               const std::string& command, std::string& error, int timeout_s = 1);

}  // namespace actorwire::apps
