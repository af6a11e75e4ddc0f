#include "apps/uapi_socket.hpp"

#include <sodium.h>
#include <sys/socket.h>

#include <chrono>

namespace actorwire::apps {

std::unique_ptr<UapiSocket> UapiSocket::open(const std::string& directory, const std::string& name,
                                             UapiConversation::GetBody get_body,
                                             UapiConversation::SetHandler set_handler,
                                             std::string& error) {
  std::unique_ptr<UapiSocket> socket(new UapiSocket(std::move(get_body), std::move(set_handler)));
  socket->server_ = UnixSocketServer::open(
      directory, name, "wg socket", [raw = socket.get()](int client) { raw->serve_client(client); },
      error);
  if (!socket->server_) return nullptr;
  return socket;
}

void UapiSocket::serve_client(int client) {
  set_socket_timeouts(client, 1);
  UapiConversation conversation(get_body_, set_handler_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kClientSeconds);
  char buffer[4096];
  std::string answer;
  while (!conversation.broken() && std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
    if (n <= 0) break;  // closed (wg(8) probes with an empty connection), or silent
    conversation.feed({buffer, static_cast<std::size_t>(n)}, answer);
    send_all(client, answer);
    sodium_memzero(answer.data(), answer.size());
    answer.clear();
  }
  sodium_memzero(buffer, sizeof buffer);
}

}  // namespace actorwire::apps
