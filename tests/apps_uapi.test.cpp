// The wg(8) socket (apps/uapi_*): the get=1 answer as wireguard-go writes it (hex keys, the
// configured peers with their counters from a stats snapshot), set=1 refused with
// errno=-EOPNOTSUPP and nothing changed, malformed requests answered with an errno (never a
// crash, never a hang), and the socket itself: 0600, a live one refuses a second daemon, a stale
// one is taken over.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "apps/uapi_protocol.hpp"
#include "apps/uapi_socket.hpp"
#include "config/load_config.hpp"

namespace actorwire::apps {
namespace {

config::GatewayConfig example() {
  config::LoadResult loaded =
      config::load_config_file(std::string(ACTORWIRE_SOURCE_DIR) + "/config/examples/gateway.toml");
  EXPECT_TRUE(loaded.ok());
  return *loaded.config;
}

// As stats_snapshot writes it: the first peer has handshaken and roamed, the second has not.
nlohmann::json stats() {
  return nlohmann::json::parse(R"({"version": 1, "peers": [
    {"public_key": "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", "rx_bytes": 1234,
     "tx_bytes": 5678, "endpoint": "198.51.100.8:40000", "last_handshake_unix_s": 1700000000.25},
    {"public_key": "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=", "rx_bytes": 0,
     "tx_bytes": 0, "endpoint": null, "last_handshake_unix_s": null}]})");
}

// The example's keys in hex (`wg show dump` prints base64; the protocol carries hex).
constexpr const char* kExpectedGet =
    "private_key=c809f3e5317e9575c9b5ed78b638b7ce530dabe85ddab614220241801ddf0669\n"
    "listen_port=51820\n"
    "public_key=c53201039adba14be71f886da1d8dbe9eebded08cb111b75340078999aa9f038\n"
    "preshared_key=fd4c1c48f837f215bf0fd637b5c4b514e5742b5c2e51131b4b4b1eb0910fe5a9\n"
    "protocol_version=1\n"
    "endpoint=198.51.100.8:40000\n"
    "last_handshake_time_sec=1700000000\n"
    "last_handshake_time_nsec=250000000\n"
    "tx_bytes=5678\n"
    "rx_bytes=1234\n"
    "persistent_keepalive_interval=25\n"
    "allowed_ip=10.2.0.0/16\n"
    "allowed_ip=10.0.0.2/32\n"
    "public_key=4eb32f4a83f88d842563a448cc181bb2c42a637bf12363e2fb2ef594e5965d7d\n"
    "protocol_version=1\n"
    "endpoint=[2001:db8:c::1]:51820\n"
    "last_handshake_time_sec=0\n"
    "last_handshake_time_nsec=0\n"
    "tx_bytes=0\n"
    "rx_bytes=0\n"
    "persistent_keepalive_interval=0\n"
    "allowed_ip=10.3.0.0/16\n"
    "allowed_ip=fd00:3::/48\n";

TEST(UapiGet, AnswersLikeWireguardGo) {
  std::string out;
  append_uapi_get(out, example(), stats());
  EXPECT_EQ(out, kExpectedGet);
  // Before the gateway runs (no snapshot): the configured endpoint, zero counters.
  std::string early;
  append_uapi_get(early, example(), nullptr);
  EXPECT_NE(early.find("endpoint=198.51.100.7:51820\n"), std::string::npos) << early;
  EXPECT_NE(early.find("rx_bytes=0\n"), std::string::npos) << early;
}

std::string talk(std::string_view request) {
  UapiConversation conversation([](std::string& out) { out += "listen_port=1\n"; });
  std::string out;
  conversation.feed(request, out);
  return out;
}

TEST(UapiConversation, AnswersEachRequestWithAnErrno) {
  EXPECT_EQ(talk("get=1\n\n"), "listen_port=1\nerrno=0\n\n");
  // set=1 is read to its end, keys and all, and changes nothing.
  EXPECT_EQ(talk("set=1\nprivate_key=00\nreplace_peers=true\n\n"), "errno=-95\n\n");
  EXPECT_EQ(talk("get=1\nlisten_port=2\n\n"), "errno=-22\n\n");
  EXPECT_EQ(talk("hello\n\n"), "errno=-22\n\n");
  EXPECT_EQ(talk("\x01\xff=\n\n"), "errno=-22\n\n");
  EXPECT_EQ(talk("get=1\n"), "");  // not complete yet
  // Several requests on one connection, in any pieces.
  UapiConversation conversation([](std::string& out) { out += "listen_port=1\n"; });
  std::string out;
  for (const char c : std::string("get=1\n\nset=1\nlisten_port=3\n\nget=1\n\n")) {
    conversation.feed(std::string_view(&c, 1), out);
  }
  EXPECT_EQ(out, "listen_port=1\nerrno=0\n\nerrno=-95\n\nlisten_port=1\nerrno=0\n\n");
  // A line without end: answered and the connection given up.
  std::string flood(UapiConversation::kMaxLine + 1, 'x');
  UapiConversation flooded([](std::string&) {});
  std::string answer;
  flooded.feed(flood, answer);
  EXPECT_EQ(answer, "errno=-22\n\n");
  EXPECT_TRUE(flooded.broken());
}

// Sends `request`, reads until the answer's blank line or the server closes (deadline 5 s).
std::string request(const std::string& path, const std::string& text) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  std::string error;
  EXPECT_TRUE(unix_socket_address(path, address, error));
  set_socket_timeouts(fd, 5);
  EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  send_all(fd, text);
  std::string answer;
  char buffer[4096];
  while (answer.find("\n\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

TEST(UapiSocket, ServesGetRefusesASecondDaemonTakesOverAStaleSocket) {
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() / ("aw-uapi-" + std::to_string(::getpid()));
  std::filesystem::remove_all(directory);
  const config::GatewayConfig config = example();
  const auto get = [&config](std::string& out) { append_uapi_get(out, config, stats()); };
  std::string error;
  {
    auto socket = UapiSocket::open(directory, "awtest", get, nullptr, error);
    ASSERT_TRUE(socket) << error;
    struct stat info {};
    ASSERT_EQ(::stat(socket->path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    EXPECT_EQ(request(socket->path(), "get=1\n\n"), std::string(kExpectedGet) + "errno=0\n\n");
    EXPECT_EQ(request(socket->path(), "set=1\nlisten_port=9\n\n"), "errno=-95\n\n");
    // An empty connection (wg's probe) and garbage leave the server serving.
    request(socket->path(), "");
    EXPECT_EQ(request(socket->path(), "\n\n\nnonsense\n\n"), "errno=-22\n\n");
    EXPECT_EQ(request(socket->path(), "get=1\n\n"), std::string(kExpectedGet) + "errno=0\n\n");

    std::string second_error;
    EXPECT_FALSE(UapiSocket::open(directory, "awtest", get, nullptr, second_error));
    EXPECT_NE(second_error.find("in use by a running actorwire named 'awtest'"), std::string::npos)
        << second_error;
  }
  // Gone with its server.
  EXPECT_FALSE(std::filesystem::exists(directory / "awtest.sock"));
  // A socket file nobody answers on (a daemon killed with -9) is taken over.
  {
    const int stale = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    ASSERT_TRUE(unix_socket_address(directory / "awtest.sock", address, error));
    ASSERT_EQ(::bind(stale, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    ::close(stale);
  }
  auto socket = UapiSocket::open(directory, "awtest", get, nullptr, error);
  ASSERT_TRUE(socket) << error;
  EXPECT_EQ(request(socket->path(), "get=1\n\n"), std::string(kExpectedGet) + "errno=0\n\n");
  socket.reset();
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace actorwire::apps
