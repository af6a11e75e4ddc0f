// What the cluster's controller and nodes say to each other over CAF's distributed runtime
// (BASP over TCP, or TLS with caf_openssl). Control only: packets never cross nodes. Every type
// here is serialised (inspect) and registered with add_cluster_message_types, so that a remote
// node can decode it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "caf/all.hpp"
#include "config/gateway_config.hpp"

namespace actorwire::actors::cluster {

// node -> controller: (join, node name) when a node connects; the controller monitors it.
using join_atom = caf::atom_constant<caf::atom("cljoin")>;
// node -> controller: (beat, node name) every node_timeout / 4: a node cut off without its
// connection closing (a hung process, a dropped link) is noticed when these stop.
using beat_atom = caf::atom_constant<caf::atom("clbeat")>;
// controller -> node: (assign, NodeAssignment).
using assign_atom = caf::atom_constant<caf::atom("classign")>;
// Either side's own timer.
using check_atom = caf::atom_constant<caf::atom("clcheck")>;
// Anyone -> controller: (status) -> one line per node: "name version peer-key...".
using status_atom = caf::atom_constant<caf::atom("clstatus")>;

// One peer as the controller sends it: the gateway file's text formats, parsed on the node with
// the config parsers (from_wire), so a node checks what it is told like a file it reads.
struct ClusterPeer {
  std::string public_key;  // base64
  std::string endpoint;    // "ip:port", "[v6]:port" or empty
  std::vector<std::string> allowed_ips;
  std::uint16_t persistent_keepalive = 0;
  // Base64 or empty. Key material: wiped by the node after parsing; CAF's own serialisation
  // buffers are not under our control (README, "Running a cluster").
  std::string preshared_key;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ClusterPeer& x) {
  return f(caf::meta::type_name("actorwire.ClusterPeer"), x.public_key, x.endpoint, x.allowed_ips,
           x.persistent_keepalive, x.preshared_key);
}

// Everything a node serves: the cluster's identity and its share of the peers. `version` grows
// with every change the controller makes, so a node can ignore a stale one.
struct NodeAssignment {
  std::uint64_t version = 0;
  std::string private_key;  // base64, the cluster's shared identity (see ClusterPeer)
  std::uint16_t listen_port = 51820;
  std::vector<ClusterPeer> peers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, NodeAssignment& x) {
  return f(caf::meta::type_name("actorwire.NodeAssignment"), x.version, x.private_key,
           x.listen_port, x.peers);
}

void add_cluster_message_types(caf::actor_system_config& config);

ClusterPeer to_wire(const config::PeerConfig& peer);
// The peer, or nullopt with `error` naming the bad field; the PSK text is wiped either way.
std::optional<config::PeerConfig> from_wire(ClusterPeer& peer, std::string& error);

}  // namespace actorwire::actors::cluster
