// `actorwire check -c FILE`: validates a gateway config the way `nginx -t` does, without
// starting DPDK or any actor. Every error is printed with its file:line:col; exit status 0 when
// the file is valid, 2 when it is not (the status `run` gives for a bad config).
#pragma once

#include <iosfwd>
#include <string>

namespace actorwire::apps {

// Loads `path` and reports on `out` (the verdict) and `err` (errors, warnings).
int check_config(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace actorwire::apps
