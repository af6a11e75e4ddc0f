// The embedded default: two in-process net_ring ports, one generated peer with a static
// session, the built-in generator. Keys are generated fresh for every call, so the printed
// default is safe to copy; nothing secret is compiled in.
#pragma once

#include <string>

namespace actorwire::config {

std::string default_config_toml();

}  // namespace actorwire::config
