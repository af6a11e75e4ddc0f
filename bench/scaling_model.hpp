// The pipeline's scaling model (issue 13, item 7): from each stage's measured cost per packet on
// one core and the cost of a message between cores, the rate of rx -> lookup -> N crypto workers
// -> tx for any N, and the stage that caps it. Each stage is a server of its own: it moves
// 1 / (cost per packet + message cost / batch size) packets per second; the crypto workers
// share the packets round-robin, so N of them move N times that. The pipeline runs at the
// slowest stage's rate (the paper's plateau at 7 workers: lookup, its copy stage, saturated).
// With fewer cores than stages, the cores themselves cap it: cores / (every stage's cost of one
// packet and the harness's, summed). A pure function, so it can be tested and read without a
// machine.
#pragma once

#include <string_view>

namespace actorwire::bench {

struct StageCosts {
  double rx_ns = 0;  // per packet, the stage's own time on one core
  double lookup_ns = 0;
  double crypto_ns = 0;  // one crypto worker
  double tx_ns = 0;
  double message_ns = 0;   // CPU time of one batch message between cores (send, receive, credit)
  double batch_size = 32;  // packets per message
  // What else shares the cores per packet: the bench's own generator and sink. Counted only
  // when the cores are shared (`cores` below); a real NIC does this work for free.
  double harness_ns = 0;
};

enum class PipelineCap { kRx, kLookup, kCrypto, kTx, kCores };
std::string_view to_string(PipelineCap cap);

struct ScalingPrediction {
  double mpps = 0;
  PipelineCap cap = PipelineCap::kCrypto;
};

// `cores` = 0: every stage has a core of its own (a machine with workers + 3 cores or more).
ScalingPrediction predict_pipeline(const StageCosts& costs, unsigned workers, unsigned cores = 0);

}  // namespace actorwire::bench
