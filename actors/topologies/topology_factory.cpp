// make_topology: the table of kinds (config/topology_kinds.def) expanded into one factory call
// per kind. Each factory is defined in its topology's own file.
#include <thread>

#include "actors/topologies/topology.hpp"

namespace actorwire::actors {

#define ACTORWIRE_TOPOLOGY(enumerator, name, factory, reads, summary) \
  std::unique_ptr<Topology> factory(const config::GatewayConfig& config);
#include "config/topology_kinds.def"

std::unique_ptr<Topology> make_topology(const config::GatewayConfig& config) {
  switch (config.topology.kind) {
#define ACTORWIRE_TOPOLOGY(enumerator, name, factory, reads, summary) \
  case config::TopologyKind::enumerator:                              \
    return factory(config);
#include "config/topology_kinds.def"
  }
  return nullptr;
}

bool cores_for_detached(const config::TopologyConfig& topology, unsigned pollers) {
  if (topology.io != config::IoScheduling::kAuto) {
    return topology.io == config::IoScheduling::kDetached;
  }
  return std::thread::hardware_concurrency() >= pollers;
}

}  // namespace actorwire::actors
