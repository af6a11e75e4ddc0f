#include "actors/pipeline/packet_batch.hpp"

#include <rte_mbuf.h>

namespace actorwire::actors {

BatchData::~BatchData() {
  for (PacketSlot& slot : slots) {
    if (slot.mbuf == nullptr) continue;
    if (holder) holder->drop(DropReason::kShutdown);
    rte_pktmbuf_free(slot.mbuf);
  }
}

PacketBatch make_batch(BatchStream stream, std::uint64_t sequence, std::size_t capacity,
                       std::shared_ptr<StageCounters> holder) {
  PacketBatch batch{std::make_shared<BatchData>()};
  batch.data->stream = stream;
  batch.data->sequence = sequence;
  batch.data->slots.reserve(capacity);
  batch.data->holder = std::move(holder);
  return batch;
}

}  // namespace actorwire::actors
