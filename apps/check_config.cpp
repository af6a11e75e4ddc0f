#include "apps/check_config.hpp"

#include <ostream>

#include "config/load_config.hpp"
#include "config/topology_kind.hpp"

namespace actorwire::apps {

int check_config(const std::string& path, std::ostream& out, std::ostream& err) {
  const config::LoadResult loaded = config::load_config_file(path);
  for (const auto& warning : loaded.warnings) err << "warning: " << warning << "\n";
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) err << error.to_string() << "\n";
    err << "actorwire: " << path << ": " << loaded.errors.size()
        << (loaded.errors.size() == 1 ? " error" : " errors") << ", not valid\n";
    return 2;
  }
  const config::GatewayConfig& config = *loaded.config;
  out << "actorwire: " << path << ": valid (" << config.peers.size() << " peer"
      << (config.peers.size() == 1 ? "" : "s") << ", " << config.ports.size() << " port"
      << (config.ports.size() == 1 ? "" : "s") << ", topology "
      << config::to_string(config.topology.kind) << ")\n";
  return 0;
}

}  // namespace actorwire::apps
