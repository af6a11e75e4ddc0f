// Which gateway node of a cluster serves which peer: the controller's policy, CAF-free and with
// time passed in, so tests drive it. Rendezvous (highest random weight) hashing of each peer's
// public key over the eligible nodes, pins first; a node that comes back becomes eligible again
// only after staying connected for the rejoin hold, so a flapping node does not move peers back
// and forth (a move costs the peer a handshake with its new node).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/cluster_config.hpp"
#include "crypto/keys.hpp"

namespace actorwire::actors::cluster {

using ClusterClock = std::chrono::steady_clock;

// The rendezvous weight of `peer` on `node`: the first 8 bytes of BLAKE2b(public key || name).
// Every controller computes the same weights, so a standby would assign identically.
std::uint64_t rendezvous_weight(const crypto::PublicKey& peer, const std::string& node);

class PeerAssignment {
 public:
  // `peers` in the order of the cluster file; results are indexed the same way.
  PeerAssignment(config::AssignmentPolicy policy, std::vector<crypto::PublicKey> peers,
                 const std::vector<config::PeerPin>& pins, std::chrono::milliseconds rejoin_hold);

  // Membership, as the controller learns it (join, down message or timeout). A node's first
  // join makes it eligible at once; a later one after `rejoin_hold` of staying up.
  void node_up(const std::string& node, ClusterClock::time_point now);
  void node_down(const std::string& node);

  bool eligible(const std::string& node, ClusterClock::time_point now) const;
  // The node each peer goes to now (nullopt: no eligible node for it; an explicitly pinned peer
  // whose node is down waits for it).
  std::vector<std::optional<std::string>> assign(ClusterClock::time_point now) const;
  // When a node waiting out its hold becomes eligible (the controller re-assigns then).
  std::optional<ClusterClock::time_point> next_change(ClusterClock::time_point now) const;

 private:
  struct Node {
    bool up = false;
    bool joined_before = false;  // then a (re)join waits out the hold
    ClusterClock::time_point up_since{};
  };

  config::AssignmentPolicy policy_;
  std::vector<crypto::PublicKey> peers_;
  std::vector<std::optional<std::string>> pinned_node_;  // per peer
  std::chrono::milliseconds rejoin_hold_;
  std::map<std::string, Node> nodes_;
};

// Per node, the indices of the peers `assignment` gives it (nodes with none are absent).
std::map<std::string, std::vector<std::size_t>> peers_by_node(
    const std::vector<std::optional<std::string>>& assignment);

}  // namespace actorwire::actors::cluster
