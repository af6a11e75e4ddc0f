// Internal to the pipeline: the stage behaviours and the wiring message that connects them
// after spawning (each stage needs handles of the others).
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "actors/pipeline/packet_batch.hpp"
#include "actors/pipeline/pipeline.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/poll_loop.hpp"
#include "caf/all.hpp"

namespace actorwire::actors {

struct PipelineWiring {
  caf::actor rx;
  caf::actor lookup;
  std::vector<caf::actor> crypto;
  caf::actor tx;
};

// The credit edge a batch came through into tx: a crypto worker's index, or lookup's.
inline constexpr std::uint32_t kLookupEdge = UINT32_MAX;

caf::actor spawn_rx_stage(caf::actor_system& system, std::shared_ptr<PipelineContext> context);
caf::actor spawn_lookup_stage(caf::actor_system& system, std::shared_ptr<PipelineContext> context);
caf::actor spawn_crypto_stage(caf::actor_system& system, std::shared_ptr<PipelineContext> context,
                              std::uint32_t index);
caf::actor spawn_tx_stage(caf::actor_system& system, std::shared_ptr<PipelineContext> context);

}  // namespace actorwire::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorwire::actors::PipelineWiring)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorwire::actors::PacketBatch)
