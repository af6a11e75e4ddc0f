// The HTTP side of /metrics (apps/metrics_server.hpp) on loopback, with a snapshot function the
// test controls: /metrics in the Prometheus content type, /stats.json as JSON, 503 while the
// gateway is not up, 404 elsewhere, a port in use refused at start with one clear message, and
// requests that keep arriving while the server is destroyed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "apps/metrics_server.hpp"
#include "apps/prometheus_text.hpp"

using actorwire::apps::MetricsServer;
namespace config = actorwire::config;

namespace {

// A loopback port nobody listens on right now (the kernel's pick, released again).
std::uint16_t free_port() {
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(probe);
  return ntohs(address.sin_port);
}

config::Endpoint loopback(std::uint16_t port) {
  return *config::parse_endpoint("127.0.0.1:" + std::to_string(port));
}

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = free_port();
    std::string error;
    server_ = MetricsServer::start(
        loopback(port_),
        [this]() -> nlohmann::json {
          ++snapshots_;
          if (!up_) return nullptr;
          return {{"version", 1},
                  {"name", "aw0"},
                  {"uptime_s", 3},
                  {"actors", nlohmann::json::array()},
                  {"peers", nlohmann::json::array()}};
        },
        error);
    ASSERT_NE(server_, nullptr) << error;
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    c.set_read_timeout(5);
    return c;
  }

  std::uint16_t port_ = 0;
  std::atomic<bool> up_{true};
  std::atomic<int> snapshots_{0};
  std::unique_ptr<MetricsServer> server_;
};

TEST_F(MetricsServerTest, ServesMetricsAndStatsJson) {
  auto c = client();
  const auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics) << "no answer on /metrics";
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), actorwire::apps::kPrometheusContentType);
  EXPECT_NE(metrics->body.find("actorwire_uptime_seconds 3\n"), std::string::npos) << metrics->body;
  const auto stats = c.Get("/stats.json");
  ASSERT_TRUE(stats) << "no answer on /stats.json";
  EXPECT_EQ(stats->status, 200);
  EXPECT_EQ(stats->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(stats->body)["name"], "aw0");
  const auto missing = c.Get("/nothing-here");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(snapshots_, 2) << "one snapshot per stats request, none for a 404";
}

TEST_F(MetricsServerTest, NotUpYetIs503) {
  up_ = false;
  auto c = client();
  for (const char* path : {"/metrics", "/stats.json"}) {
    const auto answer = c.Get(path);
    ASSERT_TRUE(answer) << path;
    EXPECT_EQ(answer->status, 503) << path;
  }
}

TEST_F(MetricsServerTest, APortInUseIsAClearStartError) {
  std::string error;
  const auto second = MetricsServer::start(
      loopback(port_), [] { return nlohmann::json(); }, error);
  EXPECT_EQ(second, nullptr) << "two servers on one port (SO_REUSEPORT?)";
  EXPECT_EQ(error, "cannot listen for metrics on 127.0.0.1:" + std::to_string(port_) +
                       " ([metrics] listen): Address already in use");
}

TEST_F(MetricsServerTest, StopsWhileRequestsArrive) {
  std::atomic<bool> done{false};
  std::thread scraper([this, &done] {
    while (!done) {
      auto c = client();
      c.set_read_timeout(1);
      (void)c.Get("/metrics");
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  server_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
      << "stopping waited on a connection";
  done = true;
  scraper.join();
  EXPECT_GT(snapshots_, 0) << "the scraper never got through";
}

TEST(MetricsServer, StartAndStopAtOnce) {
  std::string error;
  for (int i = 0; i < 3; ++i) {
    auto server = MetricsServer::start(
        loopback(free_port()), [] { return nlohmann::json(); }, error);
    ASSERT_NE(server, nullptr) << error;
  }
}

}  // namespace
