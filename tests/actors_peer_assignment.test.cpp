// The cluster's peer assignment (actors/cluster/peer_assignment.hpp): every peer on exactly one
// live node, spread evenly; a node's loss moves only its peers; a returning node waits out the
// rejoin hold before taking its peers back (no flapping); pins win while their node is up, and
// explicitly pinned peers wait for their node.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/cluster/peer_assignment.hpp"
#include "crypto/keys.hpp"

namespace actorwire::actors::cluster {
namespace {

using namespace std::chrono_literals;
using config::AssignmentPolicy;

std::vector<crypto::PublicKey> make_peers(std::size_t count) {
  std::vector<crypto::PublicKey> peers;
  for (std::size_t i = 0; i < count; ++i) {
    peers.push_back(crypto::derive_public_key(crypto::generate_private_key()));
  }
  return peers;
}

const ClusterClock::time_point kStart{};

TEST(PeerAssignment, WeightIsDeterministicAndDependsOnBoth) {
  const auto peers = make_peers(2);
  EXPECT_EQ(rendezvous_weight(peers[0], "gw1"), rendezvous_weight(peers[0], "gw1"));
  EXPECT_NE(rendezvous_weight(peers[0], "gw1"), rendezvous_weight(peers[0], "gw2"));
  EXPECT_NE(rendezvous_weight(peers[0], "gw1"), rendezvous_weight(peers[1], "gw1"));
}

TEST(PeerAssignment, EveryPeerOnOneLiveNodeSpreadEvenly) {
  const auto peers = make_peers(3000);
  PeerAssignment assignment(AssignmentPolicy::kRendezvous, peers, {}, 10s);
  for (const auto* node : {"gw1", "gw2", "gw3"}) assignment.node_up(node, kStart);
  const auto result = assignment.assign(kStart);
  const auto by_node = peers_by_node(result);
  ASSERT_EQ(by_node.size(), 3u);
  for (const auto& [node, indices] : by_node) {
    // 1000 expected; 6 standard deviations (sqrt(3000 * 1/3 * 2/3) ~ 26) either way.
    EXPECT_GT(indices.size(), 840u) << node;
    EXPECT_LT(indices.size(), 1160u) << node;
  }
  for (const auto& node : result) EXPECT_TRUE(node.has_value());
}

TEST(PeerAssignment, NoNodeNoAssignment) {
  const auto peers = make_peers(3);
  PeerAssignment assignment(AssignmentPolicy::kRendezvous, peers, {}, 10s);
  for (const auto& node : assignment.assign(kStart)) EXPECT_FALSE(node.has_value());
}

TEST(PeerAssignment, ALostNodeMovesOnlyItsPeersAndWaitsOutTheHoldToComeBack) {
  const auto peers = make_peers(600);
  PeerAssignment assignment(AssignmentPolicy::kRendezvous, peers, {}, 10s);
  for (const auto* node : {"gw1", "gw2", "gw3"}) assignment.node_up(node, kStart);
  const auto before = assignment.assign(kStart);

  assignment.node_down("gw2");
  const auto during = assignment.assign(kStart + 1s);
  std::size_t moved = 0;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    ASSERT_TRUE(during[i].has_value());
    EXPECT_NE(*during[i], "gw2");
    if (*before[i] != "gw2") {
      EXPECT_EQ(*during[i], *before[i]) << "peer " << i << " moved but its node is alive";
    } else {
      ++moved;
    }
  }
  EXPECT_GT(moved, 100u);

  // Back at 5 s: not eligible until 15 s, so nothing moves back before then.
  assignment.node_up("gw2", kStart + 5s);
  EXPECT_FALSE(assignment.eligible("gw2", kStart + 14s));
  EXPECT_EQ(assignment.assign(kStart + 14s), during);
  ASSERT_TRUE(assignment.next_change(kStart + 6s).has_value());
  EXPECT_EQ(*assignment.next_change(kStart + 6s), kStart + 15s);
  // Once eligible, it gets exactly its old share back.
  EXPECT_TRUE(assignment.eligible("gw2", kStart + 15s));
  EXPECT_EQ(assignment.assign(kStart + 15s), before);
  EXPECT_FALSE(assignment.next_change(kStart + 15s).has_value());
}

TEST(PeerAssignment, AFlappingNodeRestartsItsHold) {
  const auto peers = make_peers(50);
  PeerAssignment assignment(AssignmentPolicy::kRendezvous, peers, {}, 10s);
  assignment.node_up("gw1", kStart);
  assignment.node_up("gw2", kStart);
  assignment.node_down("gw2");
  assignment.node_up("gw2", kStart + 1s);
  assignment.node_down("gw2");
  assignment.node_up("gw2", kStart + 8s);
  EXPECT_FALSE(assignment.eligible("gw2", kStart + 12s));  // 11 s after the first return
  EXPECT_TRUE(assignment.eligible("gw2", kStart + 18s));
  for (const auto& node : assignment.assign(kStart + 12s)) EXPECT_EQ(node, "gw1");
}

TEST(PeerAssignment, PinsWinWhileTheirNodeIsUp) {
  const auto peers = make_peers(20);
  const std::vector<config::PeerPin> pins = {{peers[3], "gw3"}, {peers[7], "gw1"}};
  PeerAssignment assignment(AssignmentPolicy::kRendezvous, peers, pins, 0s);
  for (const auto* node : {"gw1", "gw2", "gw3"}) assignment.node_up(node, kStart);
  auto result = assignment.assign(kStart);
  EXPECT_EQ(result[3], "gw3");
  EXPECT_EQ(result[7], "gw1");
  assignment.node_down("gw3");
  result = assignment.assign(kStart);
  ASSERT_TRUE(result[3].has_value());  // rendezvous: falls back to hashing over the others
  EXPECT_NE(*result[3], "gw3");
}

TEST(PeerAssignment, ExplicitlyPinnedPeersWaitForTheirNode) {
  const auto peers = make_peers(2);
  const std::vector<config::PeerPin> pins = {{peers[0], "gw1"}, {peers[1], "gw2"}};
  PeerAssignment assignment(AssignmentPolicy::kExplicit, peers, pins, 0s);
  assignment.node_up("gw1", kStart);
  const auto result = assignment.assign(kStart);
  EXPECT_EQ(result[0], "gw1");
  EXPECT_FALSE(result[1].has_value());
}

}  // namespace
}  // namespace actorwire::actors::cluster
