// The systemd watchdog's rule: WATCHDOG=1 only while every polling actor polls and no
// scheduled stage sits on queued work.
#include "apps/data_plane_liveness.hpp"

#include <gtest/gtest.h>

namespace actorwire::apps {
namespace {

StageSample poller(const std::string& name, std::uint64_t heartbeat) {
  return {name, true, heartbeat, 0};
}
StageSample scheduled(const std::string& name, std::uint64_t heartbeat, std::int64_t queued) {
  return {name, false, heartbeat, queued};
}

TEST(DataPlaneLiveness, FirstCheckOnlyTakesTheBaseline) {
  DataPlaneLiveness liveness;
  EXPECT_TRUE(liveness.check({poller("rx", 0), scheduled("lookup", 0, 5)}).empty());
}

TEST(DataPlaneLiveness, EveryActorAdvancedIsAlive) {
  DataPlaneLiveness liveness;
  liveness.check({poller("rx", 10), scheduled("lookup", 3, 2), poller("sink", 7)});
  EXPECT_TRUE(
      liveness.check({poller("rx", 11), scheduled("lookup", 4, 2), poller("sink", 9)}).empty());
}

TEST(DataPlaneLiveness, AFrozenPollerIsStuckByName) {
  DataPlaneLiveness liveness;
  liveness.check({poller("worker0", 10), poller("worker1", 20)});
  const auto stuck = liveness.check({poller("worker0", 11), poller("worker1", 20)});
  ASSERT_EQ(stuck.size(), 1u);
  EXPECT_EQ(stuck[0].name, "worker1");
  EXPECT_NE(describe(stuck).find("worker1 (polling actor"), std::string::npos) << describe(stuck);
}

TEST(DataPlaneLiveness, AnIdleScheduledStageWithNothingQueuedIsAlive) {
  DataPlaneLiveness liveness;
  liveness.check({poller("rx", 1), scheduled("crypto0", 40, 0)});
  EXPECT_TRUE(liveness.check({poller("rx", 2), scheduled("crypto0", 40, 0)}).empty());
}

TEST(DataPlaneLiveness, WorkJustQueuedIsNotYetStuck) {
  // Batches that arrived since the last check: the stage has had no full period for them.
  DataPlaneLiveness liveness;
  liveness.check({scheduled("tx", 40, 0)});
  EXPECT_TRUE(liveness.check({scheduled("tx", 40, 3)}).empty());
}

TEST(DataPlaneLiveness, QueuedWorkWithoutProgressIsStuck) {
  DataPlaneLiveness liveness;
  liveness.check({poller("rx", 1), scheduled("crypto0", 40, 2), scheduled("crypto1", 50, 2)});
  const auto stuck =
      liveness.check({poller("rx", 2), scheduled("crypto0", 40, 8), scheduled("crypto1", 51, 8)});
  ASSERT_EQ(stuck.size(), 1u);
  EXPECT_EQ(stuck[0].name, "crypto0");
  EXPECT_NE(stuck[0].why.find("8 batch(es) queued"), std::string::npos) << stuck[0].why;
}

TEST(DataPlaneLiveness, ItRecoversWhenTheStageMovesAgain) {
  DataPlaneLiveness liveness;
  liveness.check({poller("single", 5)});
  EXPECT_EQ(liveness.check({poller("single", 5)}).size(), 1u);
  EXPECT_TRUE(liveness.check({poller("single", 6)}).empty());
}

}  // namespace
}  // namespace actorwire::apps
