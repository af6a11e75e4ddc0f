// A gateway node's side of the cluster: connects to the controller (plain TCP or caf_openssl,
// as the system was prepared), joins under its name, beats, and hands every assignment to
// `apply` (the gateway's live peer-change path). When the controller goes away the node keeps
// serving what it has and reconnects every `retry` until it is back.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "actors/cluster/cluster_messages.hpp"
#include "caf/all.hpp"

namespace actorwire::actors::cluster {

struct NodeAgentOptions {
  std::string name;
  std::string controller_host;
  std::uint16_t controller_port = 0;
  bool tls = false;  // connect through caf_openssl (the system loaded its manager)
  std::chrono::milliseconds beat_interval{750};
  std::chrono::milliseconds retry{500};
  // Called on the agent's thread for every new assignment, in version order.
  std::function<void(NodeAssignment&)> apply;
  std::function<void(const std::string&)> log;
};

// `mute_atom` (tests only): the agent stops beating but stays connected, like a hung node.
using mute_atom = caf::atom_constant<caf::atom("clmute")>;

caf::actor spawn_node_agent(caf::actor_system& system, NodeAgentOptions options);

}  // namespace actorwire::actors::cluster
