#include "actors/cluster/peer_assignment.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace actorwire::actors::cluster {

std::uint64_t rendezvous_weight(const crypto::PublicKey& peer, const std::string& node) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, sizeof(std::uint64_t));
  crypto_generichash_update(&state, peer.bytes.data(), peer.bytes.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(node.data()),
                            node.size());
  unsigned char digest[sizeof(std::uint64_t)];
  crypto_generichash_final(&state, digest, sizeof(digest));
  std::uint64_t weight = 0;
  std::memcpy(&weight, digest, sizeof(weight));
  return weight;
}

PeerAssignment::PeerAssignment(config::AssignmentPolicy policy,
                               std::vector<crypto::PublicKey> peers,
                               const std::vector<config::PeerPin>& pins,
                               std::chrono::milliseconds rejoin_hold)
    : policy_(policy),
      peers_(std::move(peers)),
      pinned_node_(peers_.size()),
      rejoin_hold_(rejoin_hold) {
  for (const auto& pin : pins) {
    const auto peer = std::find(peers_.begin(), peers_.end(), pin.peer);
    if (peer != peers_.end()) pinned_node_[peer - peers_.begin()] = pin.node;
  }
}

void PeerAssignment::node_up(const std::string& node, ClusterClock::time_point now) {
  auto& state = nodes_[node];
  if (state.up) return;
  state.up = true;
  state.up_since = now;
}

void PeerAssignment::node_down(const std::string& node) {
  const auto found = nodes_.find(node);
  if (found == nodes_.end() || !found->second.up) return;
  found->second.up = false;
  found->second.joined_before = true;
}

bool PeerAssignment::eligible(const std::string& node, ClusterClock::time_point now) const {
  const auto found = nodes_.find(node);
  if (found == nodes_.end() || !found->second.up) return false;
  return !found->second.joined_before || now - found->second.up_since >= rejoin_hold_;
}

std::vector<std::optional<std::string>> PeerAssignment::assign(ClusterClock::time_point now) const {
  std::vector<const std::string*> candidates;
  for (const auto& [name, state] : nodes_) {
    if (eligible(name, now)) candidates.push_back(&name);
  }
  std::vector<std::optional<std::string>> out(peers_.size());
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    if (pinned_node_[i]) {
      if (eligible(*pinned_node_[i], now)) {
        out[i] = *pinned_node_[i];
        continue;
      }
      if (policy_ == config::AssignmentPolicy::kExplicit) continue;  // waits for its node
    } else if (policy_ == config::AssignmentPolicy::kExplicit) {
      continue;  // the loader refuses unpinned peers under this policy
    }
    const std::string* best = nullptr;
    std::uint64_t best_weight = 0;
    for (const auto* name : candidates) {
      const auto weight = rendezvous_weight(peers_[i], *name);
      // Ties (as likely as a 64-bit collision) go to the smaller name: still deterministic.
      if (best == nullptr || weight > best_weight || (weight == best_weight && *name < *best)) {
        best = name;
        best_weight = weight;
      }
    }
    if (best != nullptr) out[i] = *best;
  }
  return out;
}

std::optional<ClusterClock::time_point> PeerAssignment::next_change(
    ClusterClock::time_point now) const {
  std::optional<ClusterClock::time_point> next;
  for (const auto& [name, state] : nodes_) {
    if (!state.up || !state.joined_before) continue;
    const auto at = state.up_since + rejoin_hold_;
    if (at > now && (!next || at < *next)) next = at;
  }
  return next;
}

std::map<std::string, std::vector<std::size_t>> peers_by_node(
    const std::vector<std::optional<std::string>>& assignment) {
  std::map<std::string, std::vector<std::size_t>> out;
  for (std::size_t i = 0; i < assignment.size(); ++i) {
    if (assignment[i]) out[*assignment[i]].push_back(i);
  }
  return out;
}

}  // namespace actorwire::actors::cluster
