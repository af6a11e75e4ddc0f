// The cluster controller as a CAF actor: nodes join it (join_atom), it monitors them (a closed
// connection is a down message) and hears their beats (a node silent for node_timeout_ms is
// failed over), and it pushes each node its share of the peers (assign_atom) whenever the
// assignment changes. Publishing it (plain TCP for tests, caf_openssl otherwise) is the
// caller's: see publish_controller.
#pragma once

#include <functional>
#include <string>

#include "caf/all.hpp"
#include "config/cluster_config.hpp"

namespace actorwire::actors::cluster {

struct ControllerOptions {
  config::ClusterConfig config;
  // One line per membership change ("node gw2 lost (no beat for 3000 ms): 4 peers move").
  std::function<void(const std::string&)> log;
};

caf::actor spawn_cluster_controller(caf::actor_system& system, ControllerOptions options);

// Publishes `controller` at the config's listen address: with TLS through caf_openssl (the
// system must have loaded caf::openssl::manager with the config's certificate, key and CA), or
// on plain TCP when the config says plain_tcp_for_tests. Returns the port, or an error text.
caf::expected<std::uint16_t> publish_controller(caf::actor_system& system,
                                                const caf::actor& controller,
                                                const config::ClusterConfig& config);

// An actor system config ready for the cluster: the io middleman, the message types, and with
// `tls` the OpenSSL manager and its files.
void prepare_cluster_system(caf::actor_system_config& system_config, const config::ClusterTls* tls);

}  // namespace actorwire::actors::cluster
