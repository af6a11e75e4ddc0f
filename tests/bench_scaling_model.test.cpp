// The pipeline's scaling model (bench/scaling_model.hpp): given stage costs, the predicted rate
// for N crypto workers and the stage that caps it, with and without shared cores.
#include "bench/scaling_model.hpp"

#include <gtest/gtest.h>

using namespace actorwire::bench;

namespace {

// Costs shaped like the paper's Variant 3 at 64 B: encryption dominates, lookup (the copy
// stage) is the dearest of the rest. No message cost, so the arithmetic is plain.
StageCosts paper_like() {
  StageCosts costs;
  costs.rx_ns = 50;
  costs.lookup_ns = 150;   // 6.67 Mpps
  costs.crypto_ns = 1000;  // 1 Mpps per worker
  costs.tx_ns = 80;
  costs.message_ns = 0;
  costs.batch_size = 32;
  return costs;
}

}  // namespace

TEST(ScalingModel, CryptoCapsUntilLookupSaturates) {
  const StageCosts costs = paper_like();
  for (unsigned workers = 1; workers <= 6; ++workers) {
    const ScalingPrediction prediction = predict_pipeline(costs, workers);
    EXPECT_NEAR(prediction.mpps, workers * 1.0, 1e-9) << workers << " workers";
    EXPECT_EQ(prediction.cap, PipelineCap::kCrypto) << workers << " workers";
  }
  for (unsigned workers = 7; workers <= 16; ++workers) {
    const ScalingPrediction prediction = predict_pipeline(costs, workers);
    EXPECT_NEAR(prediction.mpps, 1e3 / 150, 1e-9) << workers << " workers: the plateau";
    EXPECT_EQ(prediction.cap, PipelineCap::kLookup) << workers << " workers";
  }
}

TEST(ScalingModel, MessagesAddTheirCostPerBatchToEveryStage) {
  StageCosts costs = paper_like();
  costs.message_ns = 320;  // 10 ns per packet at 32 per batch
  EXPECT_NEAR(predict_pipeline(costs, 1).mpps, 1e3 / 1010, 1e-9);
  EXPECT_NEAR(predict_pipeline(costs, 16).mpps, 1e3 / 160, 1e-9);
  EXPECT_EQ(predict_pipeline(costs, 16).cap, PipelineCap::kLookup);
}

TEST(ScalingModel, TheSlowestOtherStageNamesItself) {
  StageCosts costs = paper_like();
  costs.rx_ns = 400;
  EXPECT_EQ(predict_pipeline(costs, 16).cap, PipelineCap::kRx);
  EXPECT_NEAR(predict_pipeline(costs, 16).mpps, 2.5, 1e-9);
  costs.rx_ns = 50;
  costs.tx_ns = 500;
  EXPECT_EQ(predict_pipeline(costs, 16).cap, PipelineCap::kTx);
  EXPECT_EQ(to_string(PipelineCap::kTx), "tx");
}

TEST(ScalingModel, SharedCoresCapTheSumOfEveryStage) {
  StageCosts costs = paper_like();
  costs.harness_ns = 20;  // generator and sink: only where they share the cores
  // 2 cores for 4+ stages: 2 / (50 + 150 + 1000 + 80 + 20) ns = 1.538 Mpps.
  const ScalingPrediction two = predict_pipeline(costs, 2, 2);
  EXPECT_EQ(two.cap, PipelineCap::kCores);
  EXPECT_NEAR(two.mpps, 2e3 / 1300, 1e-9);
  // One worker on 2 cores: the worker alone (1 Mpps) is still below what the cores allow.
  EXPECT_EQ(predict_pipeline(costs, 1, 2).cap, PipelineCap::kCrypto);
  // Enough cores for every stage: the cores do not count.
  EXPECT_EQ(predict_pipeline(costs, 2, 5).cap, PipelineCap::kCrypto);
  EXPECT_NEAR(predict_pipeline(costs, 2, 5).mpps, 2.0, 1e-9);
}
