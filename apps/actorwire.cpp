// actorwire: the gateway daemon. Wiring only: parse the command line, load the config, start
// the gateway, print live stats until Ctrl-C or the generator is done.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <thread>

#include "actors/gateway.hpp"
#include "apps/live_stats.hpp"
#include "config/default_config.hpp"
#include "config/load_config.hpp"
#include "crypto/aead.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_print_summary = 0;
void on_signal(int) {
  g_stop = 1;
}
void on_summary_signal(int) {
  g_print_summary = 1;
}

struct RunOptions {
  std::string config_path;
  double duration_seconds = 0;
  std::vector<std::uint16_t> packet_sizes;  // overrides [generator] packet_sizes
  std::uint32_t flows = 0;                  // overrides [generator] flows
  std::string aead;                         // overrides [crypto] aead
  std::string topology;                     // overrides [topology] kind
  std::uint32_t workers = 0;                // overrides [topology] crypto_workers
  bool ordered = false;                     // sets [topology] ordered
  bool actors = false;                      // per-actor lines every second
};

int run(const RunOptions& options) {
  using namespace actorwire;
  const std::string& config_path = options.config_path;
  config::LoadResult loaded =
      config_path.empty()
          ? config::load_config_string(config::default_config_toml(), "<embedded default>")
          : config::load_config_file(config_path);
  for (const auto& warning : loaded.warnings) std::cerr << "warning: " << warning << "\n";
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) std::cerr << error.to_string() << "\n";
    return 2;
  }
  if (!options.packet_sizes.empty()) loaded.config->generator.packet_sizes = options.packet_sizes;
  if (options.flows != 0) loaded.config->generator.flows = options.flows;
  if (!options.aead.empty()) {
    const auto kind = crypto::parse_aead_kind(options.aead);
    if (!kind) {
      std::cerr << "actorwire: --aead must be openssl or libsodium\n";
      return 2;
    }
    loaded.config->crypto.aead = *kind;
  }
  if (!options.topology.empty()) {
    const auto kind = config::parse_topology_kind(options.topology);
    if (!kind) {
      std::cerr << "actorwire: --topology must be single, workers-mutex, workers-spinlock or "
                   "pipeline\n";
      return 2;
    }
    loaded.config->topology.kind = *kind;
  }
  if (options.workers != 0) loaded.config->topology.crypto_workers = options.workers;
  if (options.ordered) loaded.config->topology.ordered = true;
  std::string error;
  auto gateway = actors::Gateway::start(*loaded.config, {}, error);
  if (!gateway) {
    std::cerr << "actorwire: " << error << "\n";
    return 1;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  // SIGUSR1: print the per-actor and per-peer summary now, keep running (for scripts).
  std::signal(SIGUSR1, on_summary_signal);
  std::cout << "actorwire: topology " << config::to_string(loaded.config->topology.kind) << ", "
            << loaded.config->peers.size() << " peer(s), config " << loaded.config->source
            << ", AEAD " << crypto::to_string(loaded.config->crypto.aead) << " (Ctrl-C to stop)"
            << std::endl;
  apps::LiveStats stats(*gateway);
  // Multi-actor topologies show their actors by default: that is where back-pressure shows.
  const bool per_actor =
      options.actors || loaded.config->topology.kind != config::TopologyKind::kSingle;
  const auto start = std::chrono::steady_clock::now();
  auto next = start + std::chrono::seconds(1);
  while (!g_stop) {
    std::this_thread::sleep_until(next);
    next += std::chrono::seconds(1);
    stats.print_line(std::cout);
    if (per_actor) stats.print_actors(std::cout);
    if (g_print_summary) {
      g_print_summary = 0;
      stats.print_summary(std::cout);
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.duration_seconds > 0 && elapsed >= options.duration_seconds) break;
    if (gateway->generator_finished()) break;
  }
  gateway->stop();
  stats.print_summary(std::cout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"actorwire: a WireGuard-compatible VPN gateway on CAF actors over DPDK"};
  app.require_subcommand(1);
  auto* run_command = app.add_subcommand("run", "run the gateway (embedded default without -c)");
  RunOptions options;
  bool print_default = false;
  run_command->add_option("-c,--config", options.config_path, "gateway TOML file");
  run_command->add_option("-d,--duration", options.duration_seconds,
                          "stop after this many seconds (0: run until Ctrl-C)");
  run_command->add_option("-s,--packet-size", options.packet_sizes,
                          "generator: inner IP packet size(s) in bytes, e.g. -s 64 -s 1420");
  run_command->add_option("-f,--flows", options.flows, "generator: number of flows");
  run_command->add_option("--aead", options.aead, "openssl | libsodium");
  run_command->add_option("-t,--topology", options.topology,
                          "single | workers-mutex | workers-spinlock | pipeline");
  run_command->add_option("-w,--workers", options.workers, "crypto workers (pipeline, workers-*)");
  run_command->add_flag("--ordered", options.ordered, "restore input order at tx (pipeline)");
  run_command->add_flag("--actors", options.actors,
                        "a line per actor every second (default for pipeline and workers)");
  run_command->add_flag("--print-default-config", print_default,
                        "print the embedded default config as TOML and exit");
  CLI11_PARSE(app, argc, argv);
  if (print_default) {
    std::cout << actorwire::config::default_config_toml();
    return 0;
  }
  return run(options);
} catch (const std::exception& error) {
  // Library failures we did not foresee (allocation, CAF, DPDK): a message, not an abort.
  std::cerr << "actorwire: fatal: " << error.what() << "\n";
  return 1;
}
