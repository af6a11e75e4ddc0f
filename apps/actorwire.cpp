// actorwire: the gateway daemon. Wiring only: parse the command line, load the config, start
// the gateway, tell systemd (READY, watchdog, STOPPING), print live stats on a terminal until
// Ctrl-C / SIGTERM or the generator is done.
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "actors/gateway.hpp"
#include "apps/check_config.hpp"
#include "apps/control_socket.hpp"
#include "apps/controller_command.hpp"
#include "apps/core_dumps.hpp"
#include "apps/daemon_status.hpp"
#include "apps/data_plane_watchdog.hpp"
#include "apps/doctor.hpp"
#include "apps/graceful_stop.hpp"
#include "apps/live_stats.hpp"
#include "apps/log.hpp"
#include "apps/metrics_server.hpp"
#include "apps/peer_reload.hpp"
#include "apps/port_preflight.hpp"
#include "apps/privileges.hpp"
#include "apps/reload_command.hpp"
#include "apps/stats_command.hpp"
#include "apps/stats_snapshot.hpp"
#include "apps/systemd_notify.hpp"
#include "apps/uapi_socket.hpp"
#include "apps/wg_config_commands.hpp"
#include "apps/wg_key_commands.hpp"
#include "bench/bench_runner.hpp"
#include "bench/latency_sweep.hpp"
#include "bench/peer_population.hpp"
#include "bench/peer_scale.hpp"
#include "bench/stage_cost.hpp"
#include "bench/sweep.hpp"
#include "config/default_config.hpp"
#include "config/load_config.hpp"
#include "crypto/aead.hpp"
#include "io/port.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_print_summary = 0;
volatile std::sig_atomic_t g_reload = 0;
void on_signal(int signal) {
  g_stop = signal;
}
void on_reload_signal(int) {
  g_reload = 1;
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
  std::string socket_dir = actorwire::apps::kDefaultSocketDir;  // <dir>/<name>.sock
  // The wg(8) socket's directory; empty: /var/run/wireguard with the default socket_dir, else
  // <socket_dir>/wireguard, so that instances with socket directories of their own (tests) never
  // meet there.
  std::string wg_socket_dir;
  bool live = false;        // the live view even when stdout is not a terminal
  bool core_dumps = false;  // keep the process dumpable (it holds keys: off by default)
  actorwire::apps::LogLevel log_level = actorwire::apps::LogLevel::kInfo;
};

int run(const RunOptions& options) {
  using namespace actorwire;
  apps::Log log(std::cerr, apps::Log::stderr_wants_journal_style(), options.log_level);
  apps::SystemdNotify systemd(log);
  // Before the config (and its private key) is read.
  if (!options.core_dumps) {
    std::string error;
    if (!apps::disable_core_dumps(error)) {
      log.error(error);
      return 1;
    }
  } else {
    log.warning("core dumps are on (--core-dumps): a core file would hold the keys");
  }
  const std::string& config_path = options.config_path;
  config::LoadResult loaded =
      config_path.empty()
          ? config::load_config_string(config::default_config_toml(), "<embedded default>")
          : config::load_config_file(config_path);
  for (const auto& warning : loaded.warnings) log.warning(warning);
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) log.error(error.to_string());
    return 2;
  }
  if (!options.aead.empty() && !crypto::parse_aead_kind(options.aead)) {
    log.error("--aead must be auto, ipsec-mb, openssl or libsodium");
    return 2;
  }
  if (!options.topology.empty() && !config::parse_topology_kind(options.topology)) {
    log.error("--topology must be one of " + config::topology_kind_names(", "));
    return 2;
  }
  // The command line's overrides and the resolved AEAD: applied to the file at start and again
  // to each reload of it, so that a reload does not read them as changes that need a restart.
  const apps::ConfigAdjust adjust = [&options](config::GatewayConfig& config) {
    if (!options.packet_sizes.empty()) config.generator.packet_sizes = options.packet_sizes;
    if (options.flows != 0) config.generator.flows = options.flows;
    if (!options.aead.empty()) config.crypto.aead = *crypto::parse_aead_kind(options.aead);
    if (!options.topology.empty()) {
      config.topology.kind = *config::parse_topology_kind(options.topology);
    }
    if (options.workers != 0) config.topology.crypto_workers = options.workers;
    if (options.ordered) config.topology.ordered = true;
    config.crypto.aead = crypto::resolve_aead(config.crypto.aead).kind;
  };
  const crypto::AeadChoice aead = crypto::resolve_aead(
      options.aead.empty() ? loaded.config->crypto.aead : *crypto::parse_aead_kind(options.aead));
  adjust(*loaded.config);
  log.info("AEAD " + std::string(crypto::to_string(aead.kind)) + ": " + aead.why);
  // A port this host cannot give the gateway is a config error at its `device` key, found before
  // the EAL would print the driver's own message.
  const apps::PortPreflight preflight = apps::port_preflight(*loaded.config, io::HostTree("/"));
  for (const auto& warning : preflight.warnings) log.warning(warning.to_string());
  if (preflight.error) {
    log.error(preflight.error->to_string());
    return 2;
  }
  // The user to drop to must exist before anything starts: like any config error, exit 2.
  apps::PrivilegePlan privileges;
  if (const auto error = apps::plan_privileges(*loaded.config, privileges)) {
    log.error(error->to_string());
    return 2;
  }
  // SIGTERM/SIGINT from here on stop the daemon through the normal exit path, which removes the
  // sockets it is about to create (a signal during the start is acted on once it is up).
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  // SIGHUP: re-read the -c file and apply its peers (as `actorwire reload`); one that comes
  // during the start is acted on once the gateway runs.
  std::signal(SIGHUP, on_reload_signal);
  std::string error;
  // The control socket first: a second daemon of the same name fails before it touches DPDK.
  // Requests that come before the gateway is up get an error answer.
  std::atomic<actors::Gateway*> running{nullptr};
  const auto started = std::chrono::steady_clock::now();
  // The counters as the control socket and /metrics serve them; null while not running.
  const auto snapshot = [&running, started]() -> nlohmann::json {
    const actors::Gateway* gateway = running.load();
    return gateway == nullptr ? nlohmann::json(nullptr) : apps::stats_snapshot(*gateway, started);
  };
  // Reloads from the control socket, SIGHUP and set=1 each log one line per change.
  const auto reload = [&running, &adjust, &log, &config_path](const std::string& how) {
    actors::Gateway* gateway = running.load();
    if (gateway == nullptr) return apps::ReloadResult{false, {}, {"starting"}};
    apps::ReloadResult result = apps::reload_peers(*gateway, config_path, adjust);
    for (const auto& error : result.errors) log.error(std::string(how).append(": ").append(error));
    for (const auto& change : result.changes)
      log.info(std::string(how).append(": ").append(change));
    if (result.applied && result.changes.empty()) log.info(how + ": no peer changed");
    return result;
  };
  auto control = apps::ControlSocket::open(
      options.socket_dir, loaded.config->interface.name,
      [&snapshot, &reload](const std::string& command) -> nlohmann::json {
        if (command == "reload") return apps::reload_json(reload("reload"));
        if (command != "stats") return nullptr;
        nlohmann::json stats = snapshot();
        if (stats.is_null()) {
          return {{"version", apps::kControlProtocolVersion}, {"error", "starting"}};
        }
        return stats;
      },
      error);
  if (!control) {
    log.error(error);
    return 1;
  }
  // And the wg(8) socket: `wg show` reads the configuration and the counters from it.
  const std::string wg_socket_dir = !options.wg_socket_dir.empty() ? options.wg_socket_dir
                                    : options.socket_dir == apps::kDefaultSocketDir
                                        ? std::string(apps::kDefaultWgSocketDir)
                                        : options.socket_dir + "/wireguard";
  auto uapi = apps::UapiSocket::open(
      wg_socket_dir, loaded.config->interface.name,
      [&running, &snapshot, &loaded](std::string& out) {
        const actors::Gateway* gateway = running.load();
        apps::append_uapi_get(out, gateway == nullptr ? *loaded.config : *gateway->running_config(),
                              snapshot());
      },
      [&running, &log](const std::vector<std::string>& lines) {
        actors::Gateway* gateway = running.load();
        if (gateway == nullptr) return EAGAIN;
        std::string message;
        std::vector<std::string> changes;
        const int result = apps::uapi_set_peers(*gateway, lines, message, changes);
        if (result != 0) log.error("wg set: " + message + " (nothing changed)");
        for (const auto& change : changes) log.info("wg set: " + change);
        return result;
      },
      error);
  if (!uapi) {
    log.error(error);
    return 1;
  }
  // Likewise the Prometheus endpoint: its port is bound before the gateway starts.
  std::unique_ptr<apps::MetricsServer> metrics;
  if (const auto& listen = loaded.config->metrics.listen) {
    metrics = apps::MetricsServer::start(*listen, snapshot, error);
    if (!metrics) {
      log.error(error);
      return 1;
    }
  }
  auto gateway = actors::Gateway::start(*loaded.config, {}, error);
  if (!gateway) {
    // Most start-up failures are the host's (huge pages, drivers, devices): doctor checks all.
    log.error(error + " (actorwire doctor" + (config_path.empty() ? "" : " -c " + config_path) +
              " checks this host)");
    return 1;
  }
  // Ports up, sockets and the metrics port bound: from here on the daemon needs neither root
  // nor more than its ports' capabilities.
  if (!apps::drop_privileges_after_start(privileges, options.core_dumps, log)) return 1;
  running = gateway.get();
  // SIGUSR1: print the per-actor and per-peer summary now, keep running (for scripts).
  std::signal(SIGUSR1, on_summary_signal);
  const std::string what =
      "topology " + std::string(config::to_string(loaded.config->topology.kind)) + ", " +
      std::to_string(loaded.config->peers.size()) + " peer(s), config " + loaded.config->source +
      ", AEAD " + std::string(crypto::to_string(loaded.config->crypto.aead));
  log.info(what + " (Ctrl-C to stop)");
  // Ports up, actors spawned: systemd may start what comes after us.
  systemd.notify("READY=1\nSTATUS=started: " + what);
  apps::DataPlaneWatchdog watchdog(*gateway, systemd, log);
  if (watchdog.enabled()) {
    log.info("watchdog: WATCHDOG=1 every " + std::to_string(watchdog.period().count() / 1000) +
             " ms while every stage makes progress");
    watchdog.check();
  }
  // The live view is for people: a terminal, or --live (scripts that read it from a file).
  const bool live = options.live || ::isatty(STDOUT_FILENO) != 0;
  if (metrics) {
    log.info("metrics on http://" + config::to_string(*loaded.config->metrics.listen) + "/metrics");
  }
  apps::LiveStats stats(*gateway);
  // Multi-actor topologies show their actors by default: that is where back-pressure shows.
  const bool per_actor =
      options.actors || loaded.config->topology.kind != config::TopologyKind::kSingle;
  const auto start = std::chrono::steady_clock::now();
  auto next_second = start + std::chrono::seconds(1);
  auto next_watchdog = start + watchdog.period();
  while (!g_stop) {
    const auto wake = watchdog.enabled() ? std::min(next_second, next_watchdog) : next_second;
    // In short steps: a signal does not cut a sleep short (libstdc++ sleeps the rest), and a
    // SIGTERM should not wait for the next second.
    while (!g_stop && std::chrono::steady_clock::now() < wake) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (g_stop) break;
    if (g_reload) {
      g_reload = 0;
      reload("SIGHUP");
    }
    const auto now = std::chrono::steady_clock::now();
    if (watchdog.enabled() && now >= next_watchdog) {
      watchdog.check();
      // From now, not from the missed deadline: checks in a burst after this thread was held
      // up would give the actors no time to show progress.
      next_watchdog = now + watchdog.period();
    }
    if (now < next_second) continue;
    next_second += std::chrono::seconds(1);
    if (live) {
      stats.print_line(std::cout);
      if (per_actor) stats.print_actors(std::cout);
    }
    if (!watchdog.stuck())
      systemd.notify("STATUS=" +
                     apps::daemon_status(
                         *gateway, std::chrono::duration_cast<std::chrono::seconds>(now - start)));
    if (g_print_summary) {
      g_print_summary = 0;
      stats.print_summary(std::cout);
      std::cout << std::flush;
    }
    const double elapsed = std::chrono::duration<double>(now - start).count();
    if (options.duration_seconds > 0 && elapsed >= options.duration_seconds) break;
    if (gateway->generator_finished()) break;
  }
  if (g_stop) log.info(std::string("stopping on ") + (g_stop == SIGINT ? "SIGINT" : "SIGTERM"));
  systemd.notify("STOPPING=1\nSTATUS=stopping");
  running = nullptr;
  metrics.reset();  // no request may read a gateway that is stopping
  control.reset();
  uapi.reset();
  apps::stop_gateway(*gateway, stats, std::cout, std::cerr);
  return 0;
}

struct BenchOptions {
  std::string config_path;
  std::string topology = "single";
  std::uint32_t workers = 1;
  bool ordered = false;
  std::vector<std::uint32_t> flows{1};
  std::vector<std::uint32_t> peers{0};  // 0: the config's own peers
  std::vector<std::uint16_t> sizes{64};
  bool imix = false;
  std::vector<std::uint64_t> rates{0};
  double duration_seconds = 3;
  double warmup_seconds = 0.5;
  std::string sweep_path;
  std::string csv_path;
  std::string direction = "encrypt";
  bool latency = false;     // each point at 10/50/90 % of its peak and overloaded: percentiles
  bool stage_cost = false;  // the pipeline's stage costs and scaling prediction
};

std::string minutes(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(seconds) / 60,
                static_cast<int>(seconds) % 60);
  return text;
}

int bench(const BenchOptions& options) {
  using namespace actorwire;
  const auto load_start = std::chrono::steady_clock::now();
  config::LoadResult loaded =
      options.config_path.empty()
          ? config::load_config_string(config::default_config_toml(), "<embedded default>")
          : config::load_config_file(options.config_path);
  const std::chrono::duration<double, std::milli> load_time =
      std::chrono::steady_clock::now() - load_start;
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) std::cerr << error.to_string() << "\n";
    return 2;
  }
  const config::GatewayConfig& base = *loaded.config;
  std::cerr << "config " << base.source << ": " << base.peers.size() << " peer(s), loaded in "
            << static_cast<long>(load_time.count()) << " ms" << std::endl;
  const auto* lan = base.port(config::PortRole::kLan);
  if (lan == nullptr || !io::is_ring_device(lan->device)) {
    std::cerr << "actorwire bench: needs in-process net_ring ports (the embedded default has "
                 "them)\n";
    return 2;
  }
  std::vector<bench::BenchPoint> points;
  std::string error;
  if (!options.sweep_path.empty()) {
    if (!bench::load_sweep(options.sweep_path, base.interface.mtu, points, error)) {
      std::cerr << error << "\n";
      return 2;
    }
  } else {
    const auto kind = config::parse_topology_kind(options.topology);
    if (!kind) {
      std::cerr << "actorwire bench: unknown topology '" << options.topology << "'\n";
      return 2;
    }
    std::vector<std::pair<std::string, std::vector<std::uint16_t>>> mixes;
    if (options.imix) mixes.emplace_back("imix", bench::imix_sizes(base.interface.mtu));
    if (!options.imix) {
      for (auto size : options.sizes) mixes.emplace_back(std::to_string(size), std::vector{size});
    }
    for (auto flows : options.flows) {
      for (const auto& [label, sizes] : mixes) {
        for (auto rate : options.rates) {
          // Peers vary fastest: a noisy machine's drift hits every peer count alike.
          for (auto peers : options.peers) {
            bench::BenchPoint point;
            point.topology = *kind;
            point.crypto_workers = options.workers;
            point.ordered = options.ordered;
            point.flows = flows;
            point.peers = peers;
            point.sizes = sizes;
            point.size_label = label;
            point.rate_pps = rate;
            point.duration_s = options.duration_seconds;
            point.warmup_s = options.warmup_seconds;
            point.direction = options.direction;
            points.push_back(point);
          }
        }
      }
    }
  }
  std::ofstream csv;
  if (!options.csv_path.empty()) {
    csv.open(options.csv_path);
    if (!csv) {
      std::cerr << "actorwire bench: cannot write " << options.csv_path << "\n";
      return 2;
    }
    csv << (options.latency ? bench::latency_csv_header() : bench::csv_header()) << "\n";
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  bench::Ceiling ceiling;
  if (options.stage_cost) {
    if (points.empty()) {
      std::cerr << "actorwire bench: --stage-cost needs a point (its size and flows)\n";
      return 2;
    }
    if (!bench::run_stage_cost(base, points.front(), ceiling, std::cout, error)) {
      std::cerr << "actorwire bench: " << error << "\n";
      return 1;
    }
    return 0;
  }
  bench::PointConfigs configs(base);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < points.size() && !g_stop; ++i) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double eta =
        i == 0 ? (points.size() * (points[0].duration_s + points[0].warmup_s + 1.0))
               : elapsed / static_cast<double>(i) * static_cast<double>(points.size() - i);
    std::cerr << "[" << (i + 1) << "/" << points.size() << "] elapsed " << minutes(elapsed)
              << ", ETA " << minutes(eta) << ": " << config::to_string(points[i].topology) << " w"
              << points[i].crypto_workers << " " << points[i].flows << " flows "
              << points[i].size_label << " B"
              << (points[i].peers == 0 ? "" : " " + std::to_string(points[i].peers) + " peers")
              << std::endl;
    std::optional<bench::PeerScale> built;
    const config::GatewayConfig* config = configs.for_peers(points[i].peers, built, error);
    if (config == nullptr) {
      std::cerr << "actorwire bench: " << error << "\n";
      return 1;
    }
    if (built) std::cout << bench::describe(*built) << std::endl;
    if (options.latency) {
      const auto print = [&](const bench::LatencyRow& row) {
        std::cout << bench::describe(row) << std::endl;
        if (csv) csv << bench::latency_csv_row(row) << "\n" << std::flush;
      };
      if (!bench::run_latency_sweep(*config, points[i], ceiling, print, error)) {
        std::cerr << "actorwire bench: " << error << "\n";
        return 1;
      }
      continue;
    }
    bench::BenchResult result;
    if (!bench::run_point(*config, points[i], ceiling, result, error)) {
      std::cerr << "actorwire bench: " << error << "\n";
      return 1;
    }
    std::cout << bench::describe(result) << std::endl;
    if (csv) csv << bench::csv_row(result) << "\n" << std::flush;
  }
  return g_stop ? 130 : 0;
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
  run_command->add_option("--aead", options.aead, "auto | ipsec-mb | openssl | libsodium");
  run_command->add_option("-t,--topology", options.topology,
                          actorwire::config::topology_kind_names(" | "));
  run_command->add_option("-w,--workers", options.workers, "crypto workers (pipeline, workers-*)");
  run_command->add_flag("--ordered", options.ordered, "restore input order at tx (pipeline)");
  run_command->add_flag("--actors", options.actors,
                        "a line per actor every second (default for pipeline and workers)");
  run_command
      ->add_option("--socket-dir", options.socket_dir,
                   "directory of the control socket <name>.sock")
      ->capture_default_str();
  run_command->add_flag("--core-dumps", options.core_dumps,
                        "keep the process dumpable for debugging (a core file holds the keys)");
  run_command->add_option("--wg-socket-dir", options.wg_socket_dir,
                          "directory of the wg(8) socket <name>.sock (default: /var/run/wireguard, "
                          "or <socket-dir>/wireguard with --socket-dir)");
  run_command->add_flag("--live", options.live,
                        "the live stats line every second even when stdout is not a terminal");
  std::string log_level = "info";
  run_command
      ->add_option("--log-level", log_level,
                   "error | warning | info | debug (stderr; journald levels under systemd)")
      ->check([](const std::string& value) {
        return actorwire::apps::parse_log_level(value) ? std::string()
                                                       : "must be error, warning, info or debug";
      })
      ->capture_default_str();
  run_command->add_flag("--print-default-config", print_default,
                        "print the embedded default config as TOML and exit");
  auto* check_command =
      app.add_subcommand("check",
                         "validate a config like nginx -t: every error with file:line:col; "
                         "exit 0 (valid) or 2");
  std::string check_path;
  check_command->add_option("-c,--config", check_path, "gateway TOML file")->required();
  auto* doctor_command = app.add_subcommand(
      "doctor",
      "check this host for the config's ports (huge pages, IOMMU, vfio-pci, NUMA, privileges, "
      "CPU features): a line per check, the fix for each problem; exit 0 (fine), 1 or 2 (bad "
      "config)");
  std::string doctor_path;
  std::string doctor_root = "/";
  doctor_command->add_option("-c,--config", doctor_path, "gateway TOML file (default: embedded)");
  doctor_command->add_option("--root", doctor_root, "read /sys, /proc and /dev under this root")
      ->group("");  // for tests
  auto* stats_subcommand =
      app.add_subcommand("stats",
                         "a running gateway's actor graph, live like top (q quits, t switches "
                         "rates/totals), from its control socket");
  actorwire::apps::StatsOptions stats_options;
  stats_subcommand->add_option("name", stats_options.name, "[interface] name (default aw0)");
  stats_subcommand->add_flag("--json", stats_options.json, "one snapshot as JSON");
  stats_subcommand->add_flag("--once", stats_options.once,
                             "one text frame of the live view (two snapshots 1 s apart, for the "
                             "rates and the bottleneck), for scripts");
  stats_subcommand->add_flag("--totals", stats_options.totals,
                             "totals instead of rates (with --once: one snapshot, no wait)");
  stats_subcommand
      ->add_option("--socket-dir", stats_options.socket_dir, "directory of the control socket")
      ->capture_default_str();
  auto* reload_subcommand = app.add_subcommand(
      "reload",
      "re-read a running gateway's config file and apply its peers without a restart (as "
      "SIGHUP): prints each change, or the errors and changes nothing");
  actorwire::apps::ReloadOptions reload_options;
  reload_subcommand->add_option("name", reload_options.name, "[interface] name (default aw0)");
  reload_subcommand
      ->add_option("--socket-dir", reload_options.socket_dir, "directory of the control socket")
      ->capture_default_str();
  auto* bench_command = app.add_subcommand(
      "bench", "measure the gateway in-process (in-memory ports, built-in generator)");
  BenchOptions bench_options;
  bench_command->add_option("-c,--config", bench_options.config_path,
                            "base config (needs net_ring ports; default: the embedded one)");
  bench_command->add_option("-t,--topology", bench_options.topology,
                            actorwire::config::topology_kind_names(" | "));
  bench_command->add_option("-w,--workers", bench_options.workers, "crypto workers");
  bench_command->add_flag("--ordered", bench_options.ordered, "pipeline: restore input order");
  bench_command->add_option("-f,--flows", bench_options.flows, "flows (repeatable: a sweep)");
  bench_command
      ->add_option("--peers", bench_options.peers,
                   "this many generated peers instead of the config's, 10 prefixes each; prints "
                   "their load time, lookup cost and memory per peer (repeatable: a sweep)")
      ->check(CLI::Range(1u, actorwire::bench::kMaxPopulationPeers));
  bench_command->add_option("-s,--packet-size", bench_options.sizes,
                            "inner IP packet size (repeatable)");
  bench_command->add_flag("--imix", bench_options.imix, "the simple IMIX instead of -s");
  bench_command->add_option("-r,--rate", bench_options.rates,
                            "offered packets/s, 0 = as fast as accepted (repeatable)");
  bench_command->add_option("-d,--duration", bench_options.duration_seconds,
                            "seconds measured per point");
  bench_command->add_option("--warmup", bench_options.warmup_seconds, "seconds before measuring");
  bench_command->add_option("--sweep", bench_options.sweep_path,
                            "a sweep file (bench/sweeps/*.toml); overrides the options above");
  bench_command->add_option("--csv", bench_options.csv_path, "also write the results as CSV");
  bench_command
      ->add_option("--direction", bench_options.direction,
                   "encrypt | decrypt (a second gateway decrypts) | both (and encrypts back)")
      ->check(CLI::IsMember({"encrypt", "decrypt", "both"}));
  auto* latency_flag = bench_command->add_flag(
      "--latency", bench_options.latency,
      "latency (p50, p99, p99.9) of each point at its peak, 10/50/90 % of it and 150 % "
      "(overload); --csv writes these instead");
  bench_command
      ->add_flag("--stage-cost", bench_options.stage_cost,
                 "the pipeline's per-stage cost on one core, a message's cost between cores, and "
                 "the predicted rate for 1..16 crypto workers beside the measured 1 and 2 (uses "
                 "-s, -f, -d, --warmup)")
      ->excludes(latency_flag);
  // The wg(8) tools: keys, and wg-quick files in and out.
  auto* genkey_command = app.add_subcommand("genkey", "a new private key, base64 (as wg genkey)");
  auto* genpsk_command = app.add_subcommand("genpsk", "a new preshared key, base64 (as wg genpsk)");
  auto* pubkey_command = app.add_subcommand(
      "pubkey", "the public key of the private key on stdin, base64 (as wg pubkey)");
  auto* import_command = app.add_subcommand(
      "import", "convert a wg-quick file (wg0.conf) to a gateway TOML on stdout");
  std::string import_path;
  actorwire::config::WgQuickImportOptions import_options;
  import_command->add_option("file", import_path, "the wg-quick file (- for stdin)")->required();
  import_command->add_option("--lan", import_options.lan_device,
                             "the LAN port's DPDK device (default: a commented placeholder)");
  import_command->add_option("--wan", import_options.wan_device,
                             "the WAN port's DPDK device (default: a commented placeholder)");
  import_command->add_option("--name", import_options.name,
                             "[interface] name (default: the file's name without .conf)");
  auto* export_command = app.add_subcommand(
      "export", "a configured peer's side of the tunnel as a wg-quick file, on stdout");
  std::string export_path;
  std::string export_peer;
  export_command->add_option("-c,--config", export_path, "gateway TOML file")->required();
  export_command
      ->add_option("--peer", export_peer,
                   "the peer: its public key, a unique start of it, or peer[N] (0-based)")
      ->required();
  auto* controller_subcommand = app.add_subcommand(
      "controller", "run a gateway cluster's controller (nodes join it; see README, cluster)");
  std::string controller_path;
  controller_subcommand->add_option("-c,--config", controller_path, "cluster TOML file")
      ->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version exit 0; a usage error exits 2, the status of a bad config.
    return app.exit(error) == 0 ? 0 : 2;
  }
  if (check_command->parsed())
    return actorwire::apps::check_config(check_path, std::cout, std::cerr);
  if (doctor_command->parsed()) {
    return actorwire::apps::doctor(doctor_path, doctor_root, std::cout, std::cerr);
  }
  if (reload_subcommand->parsed()) {
    return actorwire::apps::reload_command(reload_options, std::cout, std::cerr);
  }
  if (stats_subcommand->parsed()) {
    return actorwire::apps::stats_command(stats_options, std::cout, std::cerr);
  }
  if (bench_command->parsed()) return bench(bench_options);
  if (controller_subcommand->parsed()) {
    return actorwire::apps::controller_command(controller_path, std::cout, std::cerr);
  }
  if (genkey_command->parsed()) return actorwire::apps::genkey_command(STDOUT_FILENO, std::cerr);
  if (genpsk_command->parsed()) return actorwire::apps::genpsk_command(STDOUT_FILENO, std::cerr);
  if (pubkey_command->parsed()) {
    return actorwire::apps::pubkey_command(STDIN_FILENO, STDOUT_FILENO, std::cerr);
  }
  if (import_command->parsed()) {
    return actorwire::apps::import_command(import_path, import_options, STDOUT_FILENO, std::cerr);
  }
  if (export_command->parsed()) {
    return actorwire::apps::export_command(export_path, export_peer, std::cout, std::cerr);
  }
  if (print_default) {
    std::cout << actorwire::config::default_config_toml();
    return 0;
  }
  options.log_level = *actorwire::apps::parse_log_level(log_level);
  return run(options);
} catch (const std::exception& error) {
  // Library failures we did not foresee (allocation, CAF, DPDK): a message, not an abort.
  actorwire::apps::Log(std::cerr, actorwire::apps::Log::stderr_wants_journal_style(),
                       actorwire::apps::LogLevel::kError)
      .error(std::string("fatal: ") + error.what());
  return 1;
}
