// `actorwire stats [NAME]`: a running gateway's counters, from its control socket.
//   (none)    the live, top-like view on a terminal (stats_terminal.hpp); on a pipe, one frame
//   --once    one text frame, the live view's layout: two snapshots a second apart, so that it
//             shows rates and the bottleneck (with --totals: one snapshot, totals, no wait)
//   --json    one snapshot as JSON, as the socket answers it
#pragma once

#include <iosfwd>
#include <string>

#include "apps/control_socket.hpp"

namespace actorwire::apps {

struct StatsOptions {
  std::string name = "aw0";
  std::string socket_dir = kDefaultSocketDir;
  bool json = false;
  bool once = false;
  bool totals = false;  // start with totals instead of rates
};

// 0, or 1 when no daemon answered or it went away (one line on `err`).
int stats_command(const StatsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace actorwire::apps
