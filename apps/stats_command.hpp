// `actorwire stats [NAME]`: asks a running gateway's control socket for its counters and
// prints them: --json one snapshot as JSON, --once (the default for now) one text frame, the
// actor graph's stages with their mailboxes, then the peers.
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
};

// 0, or 1 when no daemon answered (one line on `err`).
int stats_command(const StatsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace actorwire::apps
