#include "apps/unix_socket_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace actorwire::apps {
namespace {

constexpr int kPollMs = 100;  // how soon the thread notices it should stop

// Whether a daemon answers on the socket (a connect succeeds).
bool live_daemon_at(const sockaddr_un& address) {
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool live =
      ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(probe);
  return live;
}

}  // namespace

std::string unix_socket_path(const std::string& directory, const std::string& name) {
  return directory + "/" + name + ".sock";
}

bool unix_socket_address(const std::string& path, sockaddr_un& address, std::string& error) {
  address = {};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    error = "socket path too long: " + path;
    return false;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return true;
}

void send_all(int fd, std::string_view text) {
  std::size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

void set_socket_timeouts(int fd, int seconds) {
  timeval timeout{};
  timeout.tv_sec = seconds;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

std::unique_ptr<UnixSocketServer> UnixSocketServer::open(const std::string& directory,
                                                         const std::string& name,
                                                         const std::string& what,
                                                         ClientHandler handler,
                                                         std::string& error) {
  const std::string path = unix_socket_path(directory, name);
  sockaddr_un address{};
  if (!unix_socket_address(path, address, error)) return nullptr;
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    error = "cannot create " + directory + ": " + std::strerror(errno);
    return nullptr;
  }
  if (live_daemon_at(address)) {
    error = what + " " + path + " is in use by a running actorwire named '" + name +
            "' (another [interface] name, or stop that one first)";
    return nullptr;
  }
  ::unlink(path.c_str());  // a stale socket of a daemon that died: taken over
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) {
    error = what + ": " + std::strerror(errno);
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
  return std::unique_ptr<UnixSocketServer>(
      new UnixSocketServer(listener, path, std::move(handler)));
}

UnixSocketServer::UnixSocketServer(int listener, std::string path, ClientHandler handler)
    : listener_(listener), path_(std::move(path)), handler_(std::move(handler)) {
  thread_ = std::thread([this] { serve(); });
}

UnixSocketServer::~UnixSocketServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listener_);
  ::unlink(path_.c_str());
}

void UnixSocketServer::serve() {
  while (!stop_) {
    pollfd pending{listener_, POLLIN, 0};
    if (::poll(&pending, 1, kPollMs) <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    handler_(client);
    ::close(client);
  }
}

}  // namespace actorwire::apps
