#include "apps/metrics_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "apps/prometheus_text.hpp"

namespace actorwire::apps {
namespace {

// Prometheus keeps one connection open; two threads leave one for curl, promtool or a second
// scraper. Requests are small and answered from memory.
constexpr std::size_t kThreads = 2;
// Bounds how long an idle keep-alive connection holds a thread, and so how long stopping waits.
constexpr time_t kTimeoutSeconds = 2;
constexpr std::size_t kMaxRequestBody = 4096;

const char* const kIndex =
    "actorwire metrics\n"
    "  /metrics     Prometheus text exposition format\n"
    "  /stats.json  the control socket's stats answer\n";

}  // namespace

struct MetricsServer::Impl {
  httplib::Server server;
  Snapshot snapshot;
  std::atomic<bool> listen_returned{false};
  std::thread thread;

  // Answers with the snapshot rendered by `render`, or 503 while the gateway is not up.
  void answer(httplib::Response& response,
              const std::function<std::string(const nlohmann::json&)>& render,
              const char* content_type) const {
    const nlohmann::json stats = snapshot();
    if (stats.is_null()) {
      response.status = 503;
      response.set_content("the gateway is starting\n", "text/plain");
      return;
    }
    response.set_content(render(stats), content_type);
  }
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<MetricsServer> MetricsServer::start(const config::Endpoint& listen,
                                                    Snapshot snapshot, std::string& error) {
  auto impl = std::make_unique<Impl>();
  impl->snapshot = std::move(snapshot);
  httplib::Server& server = impl->server;
  server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server.set_keep_alive_timeout(kTimeoutSeconds);
  server.set_read_timeout(kTimeoutSeconds);
  server.set_write_timeout(kTimeoutSeconds);
  server.set_payload_max_length(kMaxRequestBody);
  // httplib's default sets SO_REUSEPORT, which lets a second daemon bind the same port and
  // share the scrapes. SO_REUSEADDR alone: a restart may reuse the port at once, a second
  // listener gets EADDRINUSE.
  server.set_socket_options([](int socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  const Impl* handlers = impl.get();
  server.Get("/metrics", [handlers](const httplib::Request&, httplib::Response& response) {
    handlers->answer(response, prometheus_text, kPrometheusContentType);
  });
  server.Get("/stats.json", [handlers](const httplib::Request&, httplib::Response& response) {
    handlers->answer(
        response, [](const nlohmann::json& stats) { return stats.dump() + "\n"; },
        "application/json");
  });
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(kIndex, "text/plain");
  });
  errno = 0;
  // httplib takes the host without the brackets an IPv6 endpoint is written with.
  if (!server.bind_to_port(config::to_string(listen.address), listen.port)) {
    error = "cannot listen for metrics on " + config::to_string(listen) + " ([metrics] listen)" +
            (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string());
    return nullptr;
  }
  Impl* running = impl.get();
  impl->thread = std::thread([running] {
    running->server.listen_after_bind();
    running->listen_returned = true;
  });
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

MetricsServer::~MetricsServer() {
  // stop() only reaches a server that has entered its accept loop: wait for that (or for the
  // loop to have ended on its own) so that the join below cannot hang.
  while (!impl_->listen_returned && !impl_->server.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace actorwire::apps
