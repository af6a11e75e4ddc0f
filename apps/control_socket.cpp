#include "apps/control_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "apps/stats_snapshot.hpp"

namespace actorwire::apps {
namespace {

constexpr auto kClientTimeout = std::chrono::seconds(1);
constexpr int kPollMs = 100;  // how soon the thread notices it should stop

std::string socket_path(const std::string& directory, const std::string& name) {
  return directory + "/" + name + ".sock";
}

bool make_address(const std::string& path, sockaddr_un& address, std::string& error) {
  address = {};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    error = "control socket path too long: " + path;
    return false;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return true;
}

// Whether a daemon answers on `path` (a connect succeeds).
bool live_daemon_at(const sockaddr_un& address) {
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool live =
      ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(probe);
  return live;
}

void set_timeouts(int fd) {
  timeval timeout{};
  timeout.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(kClientTimeout).count();
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

nlohmann::json error_answer(const std::string& message) {
  return {{"version", kControlProtocolVersion}, {"error", message}};
}

void send_all(int fd, const std::string& text) {
  std::size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;  // the client went away or is too slow: its loss
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::unique_ptr<ControlSocket> ControlSocket::open(const std::string& directory,
                                                   const std::string& name, Handler handler,
                                                   std::string& error) {
  const std::string path = socket_path(directory, name);
  sockaddr_un address{};
  if (!make_address(path, address, error)) return nullptr;
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    error = "cannot create " + directory + ": " + std::strerror(errno);
    return nullptr;
  }
  if (live_daemon_at(address)) {
    error = "control socket " + path + " is in use by a running actorwire named '" + name +
            "' (another [interface] name, or stop that one first)";
    return nullptr;
  }
  ::unlink(path.c_str());  // a stale socket of a daemon that died: taken over
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) {
    error = std::string("control socket: ") + std::strerror(errno);
    return nullptr;
  }
  // Created 0600 from the start: no moment in which someone else could connect.
  const mode_t old_mask = ::umask(0177);
  const int bound = ::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  const int bind_errno = errno;
  ::umask(old_mask);
  if (bound != 0 || ::listen(listener, 8) != 0) {
    error = "cannot listen on " + path + ": " + std::strerror(bound != 0 ? bind_errno : errno);
    ::close(listener);
    return nullptr;
  }
  return std::unique_ptr<ControlSocket>(new ControlSocket(listener, path, std::move(handler)));
}

ControlSocket::ControlSocket(int listener, std::string path, Handler handler)
    : listener_(listener), path_(std::move(path)), handler_(std::move(handler)) {
  thread_ = std::thread([this] { serve(); });
}

ControlSocket::~ControlSocket() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listener_);
  ::unlink(path_.c_str());
}

void ControlSocket::serve() {
  while (!stop_) {
    pollfd pending{listener_, POLLIN, 0};
    if (::poll(&pending, 1, kPollMs) <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    serve_client(client);
    ::close(client);
  }
}

void ControlSocket::serve_client(int client) {
  set_timeouts(client);
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
  const nlohmann::json parsed = nlohmann::json::parse(request, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return error_answer("not a JSON object; send {\"version\": 1, \"command\": \"stats\"}");
  }
  const auto version = parsed.find("version");
  if (version == parsed.end() || !version->is_number_integer() ||
      version->get<int>() != kControlProtocolVersion) {
    return error_answer("unsupported protocol version; this daemon speaks version " +
                        std::to_string(kControlProtocolVersion));
  }
  const auto command = parsed.find("command");
  if (command == parsed.end() || !command->is_string()) {
    return error_answer("no \"command\" string");
  }
  nlohmann::json result = handler(command->get<std::string>());
  if (result.is_null())
    return error_answer("unknown command '" + command->get<std::string>() + "'");
  return result;
}

nlohmann::json control_request(const std::string& directory, const std::string& name,
                               const std::string& command, std::string& error) {
  const std::string path = socket_path(directory, name);
  sockaddr_un address{};
  if (!make_address(path, address, error)) return nullptr;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  set_timeouts(fd);
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
