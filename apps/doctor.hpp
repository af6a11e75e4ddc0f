// `actorwire doctor [-c FILE]`: does this host give the configured ports what DPDK needs?
// Runs the host checks of io/host_checks.hpp for the config (the embedded default without
// -c) and prints one line per check: ok, a note, or a problem with the command that fixes
// it. Exit status 0 when nothing is wrong, 1 when something is, 2 for a config that does not
// load (as `check`). Starts neither DPDK nor an actor.
#pragma once

#include <iosfwd>
#include <string>

namespace actorwire::apps {

// `root` replaces "/" for /sys, /proc and /dev (tests).
int doctor(const std::string& config_path, const std::string& root, std::ostream& out,
           std::ostream& err);

}  // namespace actorwire::apps
