// The cluster's control plane over CAF's distributed runtime, on loopback (plain TCP, the
// test-only mode; actors/harness/loopback_cluster.hpp): a controller and up to three nodes, each
// in its own actor system. Every peer is served by exactly one node, all with the same identity;
// a node that dies (its connection closes) or hangs (its beats stop) is failed over and only its
// peers move; a node that comes back gets its old share back after the rejoin hold.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <thread>

#include "actors/harness/loopback_cluster.hpp"
#include "tests/poll_until.hpp"

namespace actorwire::actors::harness {
namespace {

using namespace std::chrono_literals;
using test_support::poll_until;

class ClusterTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.ok()) << cluster_.error(); }

  ::testing::AssertionResult wait_for_cover(const std::set<std::string>& nodes,
                                            const std::string& what) {
    return poll_until(
        10s, what, [&] { return cluster_.covered_by(nodes); },
        [] { std::this_thread::sleep_for(10ms); }, [&] { return cluster_.progress(); });
  }

  bool logged(const std::string& start) {
    for (const auto& line : cluster_.log()) {
      if (line.rfind(start, 0) == 0) return true;
    }
    return false;
  }

  // 60 peers: the chance that one of three nodes gets none is 3 x (2/3)^60, about 1e-10.
  LoopbackCluster cluster_{60, 600ms, 300ms};
};

TEST_F(ClusterTest, NodesShareThePeersAndTheIdentity) {
  for (const auto* name : {"gw1", "gw2", "gw3"}) cluster_.start_node(name);
  ASSERT_TRUE(wait_for_cover({"gw1", "gw2", "gw3"}, "three nodes serving every peer once"));
  const auto identities = cluster_.identities();
  EXPECT_EQ(identities.at("gw1"), identities.at("gw2"));
  EXPECT_EQ(identities.at("gw1"), identities.at("gw3"));
  EXPECT_EQ(identities.at("gw1").size(), 44u);

  // The controller's own view agrees (the future `stats --cluster`).
  const auto status = cluster_.status();
  ASSERT_EQ(status.size(), 3u);
  EXPECT_EQ(status[0].rfind("gw1 ", 0), 0u) << status[0];
}

TEST_F(ClusterTest, ADeadNodesPeersMoveAndOnlyThey) {
  for (const auto* name : {"gw1", "gw2", "gw3"}) cluster_.start_node(name);
  ASSERT_TRUE(wait_for_cover({"gw1", "gw2", "gw3"}, "three nodes serving every peer once"));
  const auto before = cluster_.served();

  const auto killed_at = std::chrono::steady_clock::now();
  cluster_.kill_node("gw2");
  ASSERT_TRUE(wait_for_cover({"gw1", "gw3"}, "gw2's peers on gw1 and gw3 after it died"));
  const auto failover = std::chrono::steady_clock::now() - killed_at;
  const auto after = cluster_.served();
  for (const auto* name : {"gw1", "gw3"}) {
    for (const auto& key : before.at(name)) {
      EXPECT_EQ(after.at(name).count(key), 1u) << name << " lost a peer it did not have to";
    }
  }
  EXPECT_TRUE(logged("node gw2 lost (connection closed)"));
  // Not a speed goal, a figure for the log (bench/cluster_push measures it).
  std::printf("failover after a closed connection: %lld ms\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(failover).count()));
}

TEST_F(ClusterTest, AHungNodeIsFailedOverWhenItsBeatsStop) {
  cluster_.start_node("gw1");
  cluster_.start_node("gw2");
  ASSERT_TRUE(wait_for_cover({"gw1", "gw2"}, "two nodes serving every peer once"));
  cluster_.mute_node("gw2");
  ASSERT_TRUE(wait_for_cover({"gw1"}, "gw1 serving every peer after gw2's beats stopped"));
  EXPECT_TRUE(logged("node gw2 lost (no beat for 600 ms)"));
}

TEST_F(ClusterTest, AReturningNodeGetsItsShareBackAfterTheHold) {
  for (const auto* name : {"gw1", "gw2", "gw3"}) cluster_.start_node(name);
  ASSERT_TRUE(wait_for_cover({"gw1", "gw2", "gw3"}, "three nodes serving every peer once"));
  const auto share = cluster_.served().at("gw2");
  cluster_.kill_node("gw2");
  ASSERT_TRUE(wait_for_cover({"gw1", "gw3"}, "gw2's peers on gw1 and gw3 after it died"));

  const auto back_at = std::chrono::steady_clock::now();
  cluster_.start_node("gw2");
  ASSERT_TRUE(wait_for_cover({"gw1", "gw2", "gw3"}, "gw2 back with a share"));
  // The hold (300 ms) passed before it got anything: no flapping.
  EXPECT_GE(std::chrono::steady_clock::now() - back_at, 300ms);
  EXPECT_EQ(cluster_.served().at("gw2"), share);
}

}  // namespace
}  // namespace actorwire::actors::harness
