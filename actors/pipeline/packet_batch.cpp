#include "actors/pipeline/packet_batch.hpp"

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <string>

namespace actorwire::actors {

BatchData::~BatchData() {
  for (PacketSlot& slot : slots) {
    if (slot.mbuf == nullptr) continue;
    if (holder) holder->drop(DropReason::kShutdown);
    rte_pktmbuf_free(slot.mbuf);
  }
}

void BatchData::recycle() {
  for (PacketSlot& slot : slots) {
    if (slot.mbuf != nullptr) {
      if (holder) holder->drop(DropReason::kShutdown);
      rte_pktmbuf_free(slot.mbuf);
      slot.mbuf = nullptr;
    }
    slot.verdict.args.key.wipe();
  }
  holder.reset();
}

std::shared_ptr<BatchPool> BatchPool::make(std::size_t capacity) {
  // Ring names are process-wide: one per pool (tests make many gateways in one process).
  static std::atomic<unsigned> made{0};
  const std::string name = "aw_batches_" + std::to_string(made.fetch_add(1));
  rte_ring* ring = rte_ring_create(name.c_str(), static_cast<unsigned>(capacity), SOCKET_ID_ANY,
                                   RING_F_EXACT_SZ);
  if (ring == nullptr) return nullptr;
  std::shared_ptr<BatchPool> pool(new BatchPool());
  pool->ring_ = ring;
  for (std::size_t i = 0; i < capacity; ++i) {
    if (rte_ring_enqueue(ring, new BatchData()) != 0) break;
  }
  return pool;
}

BatchPool::~BatchPool() {
  void* object = nullptr;
  while (rte_ring_dequeue(ring_, &object) == 0) delete static_cast<BatchData*>(object);
  rte_ring_free(ring_);
}

std::size_t BatchPool::free_batches() const {
  return rte_ring_count(ring_);
}

PacketBatch BatchPool::take(BatchStream stream, std::uint64_t sequence, std::size_t slots,
                            std::shared_ptr<StageCounters> holder) {
  void* object = nullptr;
  BatchData* data = nullptr;
  if (rte_ring_dequeue(ring_, &object) == 0) {
    data = static_cast<BatchData*>(object);
  } else {
    data = new BatchData();
    if (holder) holder->batch_pool_misses.add(1);
  }
  // The deleter keeps the pool alive as long as any of its batches.
  PacketBatch batch{std::shared_ptr<BatchData>(
      data, [pool = shared_from_this()](BatchData* done) { pool->give_back(done); })};
  data->stream = stream;
  data->sequence = sequence;
  data->worker = 0;
  data->opened = false;
  data->slots.resize(slots);
  data->holder = std::move(holder);
  return batch;
}

void BatchPool::give_back(BatchData* data) {
  data->recycle();
  if (rte_ring_enqueue(ring_, data) != 0) delete data;  // the pool is full: a miss's extra
}

PacketBatch make_batch(BatchPool* pool, BatchStream stream, std::uint64_t sequence,
                       std::size_t slots, std::shared_ptr<StageCounters> holder) {
  if (pool != nullptr) return pool->take(stream, sequence, slots, std::move(holder));
  PacketBatch batch{std::make_shared<BatchData>()};
  batch.data->stream = stream;
  batch.data->sequence = sequence;
  batch.data->slots.resize(slots);
  batch.data->holder = std::move(holder);
  return batch;
}

}  // namespace actorwire::actors
