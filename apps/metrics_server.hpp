// The Prometheus endpoint ([metrics] listen): GET /metrics (apps/prometheus_text.hpp) and
// GET /stats.json (the control socket's stats answer), served by cpp-httplib on threads of its
// own. Each request reads the counters through `snapshot` (atomics, like the control socket);
// no request ever reaches a data-plane actor.
//
// start() binds before it returns, so a port in use is a start-up error (one line) and not a
// thread that fails later; the destructor stops the server and joins its threads.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "config/gateway_config.hpp"

namespace actorwire::apps {

class MetricsServer {
 public:
  // The current stats snapshot; null while the gateway is not up (answered 503).
  using Snapshot = std::function<nlohmann::json()>;

  // Null with `error` set when the address cannot be had (in use, not local, no permission).
  static std::unique_ptr<MetricsServer> start(const config::Endpoint& listen, Snapshot snapshot,
                                              std::string& error);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace actorwire::apps
