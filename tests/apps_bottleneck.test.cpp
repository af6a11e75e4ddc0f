// The bottleneck rule (apps/bottleneck.hpp) on synthetic snapshot pairs.
#include <gtest/gtest.h>

#include "apps/bottleneck.hpp"
#include "stats_samples.hpp"

namespace actorwire::apps {
namespace {

using testing::advanced;
using Stages = std::vector<std::string>;

TEST(Bottleneck, SaturatedCryptoWorkerWithStallingUpstream) {
  const StatsSample before = testing::pipeline(2);
  const StatsSample now = advanced(before, {{"rx", 0.2, 1000, 0, 40},
                                            {"lookup", 0.3, 1000, 500},
                                            {"crypto0", 0.4, 500},
                                            {"crypto1", 1.0, 500},
                                            {"tx", 0.1, 1000}});
  const Bottleneck found = find_bottleneck(before, now);
  EXPECT_EQ(found.stages, Stages{"crypto1"});
  EXPECT_NE(found.why.find("busy 100%"), std::string::npos) << found.why;
  EXPECT_NE(found.why.find("upstream lookup stalls 500/s"), std::string::npos) << found.why;
}

TEST(Bottleneck, NothingBusyNoMarker) {
  const StatsSample before = testing::pipeline(2);
  const StatsSample now =
      advanced(before, {{"rx", 0.01, 10}, {"lookup", 0.01, 10}, {"crypto0", 0.02, 5}});
  EXPECT_TRUE(find_bottleneck(before, now).stages.empty());
}

TEST(Bottleneck, SaturatedButNobodyWaitsIsNoBottleneck) {
  const StatsSample before = testing::pipeline(2);
  const StatsSample now = advanced(before, {{"crypto1", 1.0, 500}, {"lookup", 0.3, 1000}});
  EXPECT_TRUE(find_bottleneck(before, now).stages.empty());
}

TEST(Bottleneck, AFullMailboxIsPressureToo) {
  const StatsSample before = testing::pipeline(2);
  const StatsSample now = advanced(before, {{"crypto0", 0.95, 500, 0, 0, 8}});
  const Bottleneck found = find_bottleneck(before, now);
  EXPECT_EQ(found.stages, Stages{"crypto0"});
  EXPECT_NE(found.why.find("mailbox is full"), std::string::npos) << found.why;
}

TEST(Bottleneck, TheMostDownstreamSaturatedStageWins) {
  // lookup is saturated and rx stalls on it, but lookup stalls on crypto1: the limit is crypto1.
  const StatsSample before = testing::pipeline(2);
  const StatsSample now = advanced(
      before, {{"rx", 0.2, 1000, 0, 40}, {"lookup", 0.97, 1000, 300}, {"crypto1", 1.0, 500}});
  EXPECT_EQ(find_bottleneck(before, now).stages, Stages{"crypto1"});
}

TEST(Bottleneck, LookupWhenTheWorkersKeepUp) {
  const StatsSample before = testing::pipeline(2);
  const StatsSample now = advanced(before, {{"rx", 0.2, 1000, 0, 40},
                                            {"lookup", 0.97, 1000},
                                            {"crypto0", 0.3, 500},
                                            {"crypto1", 0.3, 500}});
  EXPECT_EQ(find_bottleneck(before, now).stages, Stages{"lookup"});
}

TEST(Bottleneck, AllSaturatedWorkersOfTheCryptoStage) {
  const StatsSample before = testing::pipeline(2);
  const StatsSample now = advanced(
      before, {{"lookup", 0.5, 1000, 200}, {"crypto0", 0.99, 500}, {"crypto1", 0.98, 500}});
  EXPECT_EQ(find_bottleneck(before, now).stages, (Stages{"crypto0", "crypto1"}));
}

TEST(Bottleneck, SingleAtFullSpeedUnlessItWaitsForItsPort) {
  const StatsSample before = testing::single();
  EXPECT_EQ(find_bottleneck(before, advanced(before, {{"single", 1.0, 1000}})).stages,
            Stages{"single"});
  EXPECT_TRUE(
      find_bottleneck(before, advanced(before, {{"single", 1.0, 1000, 50}})).stages.empty());
}

TEST(Bottleneck, OnlyTheSaturatedWorker) {
  const StatsSample before = testing::workers(2);
  const StatsSample now = advanced(before, {{"worker0", 1.0, 1000}, {"worker1", 0.3, 300}});
  EXPECT_EQ(find_bottleneck(before, now).stages, Stages{"worker0"});
}

TEST(Bottleneck, TheHandshakeActorIsNeverTheBottleneck) {
  const StatsSample before = testing::pipeline(2);
  const StatsSample now = advanced(before, {{"handshake", 1.0, 100, 0, 0, 8}});
  EXPECT_TRUE(find_bottleneck(before, now).stages.empty());
}

TEST(Bottleneck, NoTimeOrARestartedDaemonShowsNothing) {
  const StatsSample before = testing::pipeline(2);
  EXPECT_TRUE(find_bottleneck(before, before).stages.empty());
  StatsSample restarted = testing::pipeline(2);
  restarted.uptime_s = 1;
  const StatsSample loaded = advanced(before, {{"lookup", 0.5, 1000, 200}, {"crypto0", 1.0, 500}});
  EXPECT_TRUE(find_bottleneck(loaded, restarted).stages.empty());
}

}  // namespace
}  // namespace actorwire::apps
