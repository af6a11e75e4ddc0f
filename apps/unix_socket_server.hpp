// A UNIX stream socket at <dir>/<name>.sock, mode 0600 (root only), served by one thread of its
// own, one client at a time: the machinery under the control socket and the wg(8) UAPI socket.
//
// Start-up (`open`): a socket file that accepts a connection belongs to a live daemon of the
// same name, which is an error; one that refuses (a daemon that crashed) is taken over.
#pragma once

#include <sys/un.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace actorwire::apps {

class UnixSocketServer {
 public:
  // Talks to one connected client; the server closes `client` afterwards.
  using ClientHandler = std::function<void(int client)>;

  // Null with `error` set when the socket cannot be had (in use, no permission, path too long).
  // `what` names the socket in those messages ("control socket").
  static std::unique_ptr<UnixSocketServer> open(const std::string& directory,
                                                const std::string& name, const std::string& what,
                                                ClientHandler handler, std::string& error);
  ~UnixSocketServer();  // stops the thread, removes the socket file
  UnixSocketServer(const UnixSocketServer&) = delete;
  UnixSocketServer& operator=(const UnixSocketServer&) = delete;

  const std::string& path() const { return path_; }

 private:
  UnixSocketServer(int listener, std::string path, ClientHandler handler);
  void serve();

  int listener_;
  std::string path_;
  ClientHandler handler_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// <directory>/<name>.sock
std::string unix_socket_path(const std::string& directory, const std::string& name);
// Fills `address` for `path`; false with `error` set when the path does not fit.
bool unix_socket_address(const std::string& path, sockaddr_un& address, std::string& error);
// Sends all of `text`, unless the client goes away or is too slow (its loss; never SIGPIPE).
void send_all(int fd, std::string_view text);
// Makes `fd`'s reads and writes give up after `seconds` of silence.
void set_socket_timeouts(int fd, int seconds);

}  // namespace actorwire::apps
