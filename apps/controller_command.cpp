#include "apps/controller_command.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

#include "actors/cluster/controller_actor.hpp"
#include "apps/log.hpp"
#include "caf/all.hpp"
#include "config/cluster_config.hpp"

namespace actorwire::apps {
namespace {

std::atomic<int> g_stop_signal{0};
void on_stop_signal(int signal) {
  g_stop_signal = signal;
}

}  // namespace

int controller_command(const std::string& config_path, std::ostream& out, std::ostream& err) {
  Log log(err, Log::stderr_wants_journal_style(), LogLevel::kInfo);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  const auto loaded = config::load_cluster_config_file(config_path);
  for (const auto& warning : loaded.warnings) log.warning(warning);
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) log.error(error.to_string());
    return 2;
  }
  const auto& config = *loaded.config;

  caf::actor_system_config system_config;
  system_config.set("scheduler.max-threads", 2);
  actors::cluster::prepare_cluster_system(
      system_config, config.controller.tls ? &*config.controller.tls : nullptr);
  caf::actor_system system{system_config};
  actors::cluster::ControllerOptions options;
  options.config = config;
  options.log = [&log](const std::string& line) { log.info(line); };
  auto controller = actors::cluster::spawn_cluster_controller(system, std::move(options));
  const auto port = actors::cluster::publish_controller(system, controller, config);
  if (!port) {
    log.error("cannot listen on " + config::to_string(config.controller.listen) + ": " +
              system.render(port.error()));
    caf::anon_send_exit(controller, caf::exit_reason::user_shutdown);
    return 1;
  }
  auto listen = config.controller.listen;
  listen.port = *port;
  out << "controller listening on " << config::to_string(listen) << " ("
      << (config.controller.plain_tcp_for_tests ? "plain TCP, tests only" : "mutual TLS") << "), "
      << config.peers.size() << " peer(s), policy " << config::to_string(config.policy)
      << std::endl;
  while (g_stop_signal == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  log.info(std::string("stopping on ") + (g_stop_signal == SIGINT ? "SIGINT" : "SIGTERM"));
  caf::anon_send_exit(controller, caf::exit_reason::user_shutdown);
  return 0;
}

}  // namespace actorwire::apps
