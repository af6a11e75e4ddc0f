#include "bench/scaling_model.hpp"

#include <array>
#include <limits>
#include <utility>

namespace actorwire::bench {
namespace {

constexpr unsigned kStagesBesideWorkers = 3;  // rx, lookup, tx

// Mpps of a server spending `ns` per packet.
double mpps_at(double ns) {
  return ns > 0 ? 1e3 / ns : std::numeric_limits<double>::infinity();
}

}  // namespace

std::string_view to_string(PipelineCap cap) {
  switch (cap) {
    case PipelineCap::kRx:
      return "rx";
    case PipelineCap::kLookup:
      return "lookup";
    case PipelineCap::kCrypto:
      return "crypto";
    case PipelineCap::kTx:
      return "tx";
    case PipelineCap::kCores:
      return "cores";
  }
  return "?";
}

ScalingPrediction predict_pipeline(const StageCosts& costs, unsigned workers, unsigned cores) {
  // Every stage handles one message per batch on top of its own work.
  const double per_packet_message =
      costs.batch_size > 0 ? costs.message_ns / costs.batch_size : costs.message_ns;
  const double rx = costs.rx_ns + per_packet_message;
  const double lookup = costs.lookup_ns + per_packet_message;
  const double crypto = costs.crypto_ns + per_packet_message;
  const double tx = costs.tx_ns + per_packet_message;
  const std::array<std::pair<PipelineCap, double>, 4> stages = {{
      {PipelineCap::kRx, mpps_at(rx)},
      {PipelineCap::kLookup, mpps_at(lookup)},
      {PipelineCap::kCrypto, workers * mpps_at(crypto)},
      {PipelineCap::kTx, mpps_at(tx)},
  }};
  ScalingPrediction best{std::numeric_limits<double>::infinity(), PipelineCap::kCrypto};
  for (const auto& [cap, mpps] : stages) {
    if (mpps < best.mpps) best = {mpps, cap};
  }
  if (cores != 0 && cores < workers + kStagesBesideWorkers) {
    const double shared = cores * mpps_at(rx + lookup + crypto + tx + costs.harness_ns);
    if (shared < best.mpps) best = {shared, PipelineCap::kCores};
  }
  return best;
}

}  // namespace actorwire::bench
