#include "apps/stats_command.hpp"

#include <unistd.h>

#include <chrono>
#include <ostream>
#include <thread>

#include "apps/control_socket.hpp"
#include "apps/stats_frame.hpp"
#include "apps/stats_sample.hpp"
#include "apps/stats_terminal.hpp"

namespace actorwire::apps {
namespace {

double now_unix_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// One frame as text: rates from a second snapshot a second after `first`, or totals.
int print_once(const SnapshotSource& source, const nlohmann::json& first, FigureMode mode,
               const std::string& name, std::ostream& out, std::ostream& err) {
  FrameOptions options;
  options.mode = mode;
  if (mode == FigureMode::kTotals) {
    options.now_unix_s = now_unix_s();
    out << render_frame(nullptr, parse_stats_sample(first), options).text();
    return 0;
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::string error;
  const nlohmann::json second = source(error);
  if (second.is_null()) {
    err << "actorwire stats: lost the gateway '" << name << "': " << error << "\n";
    return 1;
  }
  options.now_unix_s = now_unix_s();
  const StatsSample before = parse_stats_sample(first);
  out << render_frame(&before, parse_stats_sample(second), options).text();
  return 0;
}

}  // namespace

int stats_command(const StatsOptions& options, std::ostream& out, std::ostream& err) {
  const SnapshotSource source = [&options](std::string& error) {
    return control_request(options.socket_dir, options.name, "stats", error);
  };
  std::string error;
  const nlohmann::json stats = source(error);
  if (stats.is_null()) {
    err << "actorwire stats: " << error << "\n";
    return 1;
  }
  if (options.json) {
    out << stats.dump(2) << "\n";
    return 0;
  }
  const FigureMode mode = options.totals ? FigureMode::kTotals : FigureMode::kRates;
  // The live view needs a terminal; a pipe gets the one frame a script can read.
  if (options.once || isatty(STDOUT_FILENO) == 0 || isatty(STDIN_FILENO) == 0) {
    return print_once(source, stats, mode, options.name, out, err);
  }
  return run_live_view(source, stats, mode, options.name, err);
}

}  // namespace actorwire::apps
