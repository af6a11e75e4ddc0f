// `actorwire reload [NAME]`: asks a running gateway, over its control socket, to re-read its
// config file and apply its peers (as SIGHUP does). Prints one line per change, or the errors
// (file:line:col, or the key that needs a restart) when nothing was changed.
#pragma once

#include <iosfwd>
#include <string>

#include "apps/control_socket.hpp"

namespace actorwire::apps {

struct ReloadOptions {
  std::string name = "aw0";
  std::string socket_dir = kDefaultSocketDir;
};

// 0 applied; 2 the file or the change was refused (nothing changed); 1 no daemon answered.
int reload_command(const ReloadOptions& options, std::ostream& out, std::ostream& err);

}  // namespace actorwire::apps
