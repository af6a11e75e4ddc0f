#include "apps/control_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "apps/control_request.hpp"
#include "apps/unix_socket_server.hpp"

namespace actorwire::apps {
namespace {

constexpr auto kClientTimeout = std::chrono::seconds(1);

nlohmann::json error_answer(const std::string& message) {
  return control_error_answer(message);
}

}  // namespace

std::unique_ptr<ControlSocket> ControlSocket::open(const std::string& directory,
                                                   const std::string& name, Handler handler,
                                                   std::string& error) {
  std::unique_ptr<ControlSocket> socket(new ControlSocket(std::move(handler)));
  socket->server_ = UnixSocketServer::open(
      directory, name, "control socket",
      [raw = socket.get()](int client) { raw->serve_client(client); }, error);
  if (!socket->server_) return nullptr;
  return socket;
}

ControlSocket::ControlSocket(Handler handler) : handler_(std::move(handler)) {}

ControlSocket::~ControlSocket() = default;

void ControlSocket::serve_client(int client) {
  set_socket_timeouts(client, static_cast<int>(kClientTimeout.count()));
  std::string request;
  char buffer[512];
  bool complete = false;
  // Each recv waits at most kClientTimeout, and so does the whole request: a client that
  // trickles bytes cannot hold the thread either.
  const auto deadline = std::chrono::steady_clock::now() + kClientTimeout;
  while (request.size() <= kMaxRequest && std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
    if (n <= 0) break;  // closed, or silent for longer than the timeout
    request.append(buffer, static_cast<std::size_t>(n));
    if (const auto end = request.find('\n'); end != std::string::npos) {
      request.resize(end);
      complete = true;
      break;
    }
  }
  nlohmann::json reply;
  if (request.size() > kMaxRequest) {
    reply = error_answer("request longer than " + std::to_string(kMaxRequest) + " bytes");
  } else if (!complete) {
    reply = error_answer("no complete request line within " +
                         std::to_string(kClientTimeout.count()) + " s");
  } else {
    reply = answer(request, handler_);
  }
  send_all(client, reply.dump() + "\n");
}

nlohmann::json ControlSocket::answer(const std::string& request, const Handler& handler) {
  return answer_control_request(request, handler);
}

nlohmann::json control_request(const std::string& directory, const std::string& name,
                               const std::string& command, std::string& error, int timeout_s) {
  const std::string path = unix_socket_path(directory, name);
  sockaddr_un address{};
  if (!unix_socket_address(path, address, error)) return nullptr;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  set_socket_timeouts(fd, timeout_s);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    error = "no actorwire named '" + name + "' answers on " + path + ": " + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  send_all(
      fd, nlohmann::json{{"version", kControlProtocolVersion}, {"command", command}}.dump() + "\n");
  std::string reply;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  nlohmann::json parsed = nlohmann::json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    error = "the daemon on " + path + " gave no valid answer";
    return nullptr;
  }
  if (parsed.contains("error")) {
    error = "the daemon on " + path + " said: " + parsed["error"].get<std::string>();
    return nullptr;
  }
  return parsed;
}

}  // namespace actorwire::apps
