// A gateway cluster's configuration (`actorwire controller -c cluster.toml`), as plain values:
// the controller's listen address and TLS files, failure detection, the WireGuard identity every
// node serves, how peers are assigned to nodes, and the peers. Loaded and validated like the
// gateway file, with file:line:col errors. Knows nothing of CAF.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/gateway_config.hpp"
#include "config/load_config.hpp"
#include "crypto/keys.hpp"

namespace actorwire::config {

// Mutual TLS between the controller and its nodes (CAF's caf_openssl): PEM files.
struct ClusterTls {
  std::string certificate;  // this side's certificate chain
  std::string key;          // its private key
  std::string ca;           // the CA file the other side's certificate must chain to
};

struct ControllerConfig {
  Endpoint listen;
  // Required unless `plain_tcp_for_tests`: unauthenticated BASP over TCP, for tests only.
  std::optional<ClusterTls> tls;
  bool plain_tcp_for_tests = false;
  // A node that has not been heard from for this long is failed over: its peers go to others.
  std::uint32_t node_timeout_ms = 3000;
  // A node that comes back gets its share of peers back only after it has stayed connected this
  // long, so a flapping node does not move peers back and forth.
  std::uint32_t rejoin_hold_ms = 10000;
};

enum class AssignmentPolicy {
  // Rendezvous (highest random weight) hashing of each peer's public key over the live nodes:
  // a node that leaves moves only its own peers, spread evenly over the others.
  kRendezvous,
  // Every peer is pinned to a node by name; a pinned peer of a dead node waits for it.
  kExplicit,
};
std::string_view to_string(AssignmentPolicy policy);

struct PeerPin {
  crypto::PublicKey peer;
  std::string node;  // a node name (is_valid_instance_name)
};

struct ClusterConfig {
  std::string source;
  // The one WireGuard identity every node serves (see README "Running a cluster": why shared).
  crypto::SecretKey private_key;
  std::uint16_t listen_port = 51820;
  ControllerConfig controller;
  AssignmentPolicy policy = AssignmentPolicy::kRendezvous;
  // With rendezvous, a pinned peer stays on its node while that node is alive.
  std::vector<PeerPin> pins;
  std::vector<PeerConfig> peers;
};

struct ClusterLoadResult {
  std::optional<ClusterConfig> config;  // set only when errors is empty
  std::vector<ConfigError> errors;
  std::vector<std::string> warnings;
  bool ok() const { return config.has_value(); }
};

ClusterLoadResult load_cluster_config_string(std::string_view toml_text,
                                             std::string_view source_name);
ClusterLoadResult load_cluster_config_file(const std::string& path);

}  // namespace actorwire::config
