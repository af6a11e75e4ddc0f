// The pipeline's batch pool (actors/pipeline/packet_batch.hpp): batches come back when their last
// handle goes, keep their slots, lose their keys and any packets left inside (counted), and a pool
// that runs dry allocates (counted as misses) instead of failing.
#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstring>
#include <memory>
#include <string>

#include "actors/common/stage_counters.hpp"
#include "actors/pipeline/packet_batch.hpp"
#include "dpdk_test_config.hpp"
#include "io/eal.hpp"

using namespace actorwire;
using actors::BatchPool;
using actors::BatchStream;
using actors::PacketBatch;

namespace {

class BatchPoolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(io::start_eal(test_support::default_test_config().dpdk.eal_args, error)) << error;
    mbufs_ = rte_pktmbuf_pool_create("batch_pool_mbufs", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                     SOCKET_ID_ANY);
    ASSERT_NE(mbufs_, nullptr);
  }
  static void TearDownTestSuite() {
    if (mbufs_ != nullptr) rte_mempool_free(mbufs_);
    mbufs_ = nullptr;
  }

  std::shared_ptr<actors::StageCounters> counters_ = std::make_shared<actors::StageCounters>("rx");
  inline static rte_mempool* mbufs_ = nullptr;
};

bool all_zero(const crypto::SecretKey& key) {
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key.data()[i] != 0) return false;
  }
  return true;
}

TEST_F(BatchPoolTest, ABatchComesBackWithItsSlotsAndWithoutItsKeys) {
  const auto pool = BatchPool::make(4);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->free_batches(), 4u);
  const actors::BatchData* first = nullptr;
  {
    PacketBatch batch = pool->take(BatchStream::kInbound, 7, 32, counters_);
    first = batch.data.get();
    EXPECT_EQ(pool->free_batches(), 3u);
    ASSERT_EQ(batch.data->slots.size(), 32u);
    EXPECT_EQ(batch.data->stream, BatchStream::kInbound);
    EXPECT_EQ(batch.data->sequence, 7u);
    EXPECT_EQ(batch.data->holder, counters_);
    batch.data->opened = true;
    batch.data->worker = 3;
    std::memset(batch.data->slots[5].verdict.args.key.data(), 0xAB, crypto::SecretKey::size());
    PacketBatch copy = batch;  // CAF copies handles: the last one returns it
    batch.data.reset();
    EXPECT_EQ(pool->free_batches(), 3u);
  }
  EXPECT_EQ(pool->free_batches(), 4u);
  // The ring hands batches out in order: take the other three to reach the first again.
  PacketBatch a = pool->take(BatchStream::kOutbound, 0, 1, counters_);
  PacketBatch b = pool->take(BatchStream::kOutbound, 0, 1, counters_);
  PacketBatch c = pool->take(BatchStream::kOutbound, 0, 1, counters_);
  PacketBatch again = pool->take(BatchStream::kOutbound, 1, 16, counters_);
  EXPECT_EQ(again.data.get(), first);
  EXPECT_EQ(again.data->slots.size(), 16u);
  EXPECT_FALSE(again.data->opened);
  EXPECT_EQ(again.data->worker, 0u);
  EXPECT_EQ(again.data->stream, BatchStream::kOutbound);
  EXPECT_TRUE(all_zero(again.data->slots[5].verdict.args.key));
  EXPECT_EQ(counters_->batch_pool_misses.get(), 0u);
}

TEST_F(BatchPoolTest, ADryPoolAllocatesAndCountsAMiss) {
  const auto pool = BatchPool::make(1);
  ASSERT_NE(pool, nullptr);
  {
    PacketBatch one = pool->take(BatchStream::kOutbound, 0, 8, counters_);
    PacketBatch two = pool->take(BatchStream::kOutbound, 1, 8, counters_);
    EXPECT_NE(one.data, two.data);
    EXPECT_EQ(counters_->batch_pool_misses.get(), 1u);
  }
  EXPECT_EQ(pool->free_batches(), 1u) << "the extra one is freed, the pool stays its size";
}

TEST_F(BatchPoolTest, PacketsLeftInAReturnedBatchAreFreedAndCounted) {
  const unsigned available = rte_mempool_avail_count(mbufs_);
  const auto pool = BatchPool::make(2);
  ASSERT_NE(pool, nullptr);
  {
    PacketBatch batch = pool->take(BatchStream::kOutbound, 0, 3, counters_);
    batch.data->slots[0].mbuf = rte_pktmbuf_alloc(mbufs_);
    batch.data->slots[1].mbuf = nullptr;  // a hole: a packet a stage dropped
    batch.data->slots[2].mbuf = rte_pktmbuf_alloc(mbufs_);
    ASSERT_NE(batch.data->slots[0].mbuf, nullptr);
    ASSERT_NE(batch.data->slots[2].mbuf, nullptr);
  }
  EXPECT_EQ(rte_mempool_avail_count(mbufs_), available) << "mbufs leaked or freed twice";
  EXPECT_EQ(counters_->drops_total(), 2u);
  PacketBatch next = pool->take(BatchStream::kOutbound, 0, 3, counters_);
  for (const actors::PacketSlot& slot : next.data->slots) EXPECT_EQ(slot.mbuf, nullptr);
}

TEST_F(BatchPoolTest, BatchesKeepTheirPoolAlive) {
  const unsigned available = rte_mempool_avail_count(mbufs_);
  std::shared_ptr<BatchPool> pool = BatchPool::make(2);
  ASSERT_NE(pool, nullptr);
  const std::weak_ptr<BatchPool> watch = pool;
  PacketBatch batch = pool->take(BatchStream::kOutbound, 0, 4, counters_);
  batch.data->slots[0].mbuf = rte_pktmbuf_alloc(mbufs_);
  ASSERT_NE(batch.data->slots[0].mbuf, nullptr);
  pool.reset();  // the pipeline's context goes first
  EXPECT_FALSE(watch.expired()) << "a batch in a mailbox still returns to its pool";
  batch.data.reset();
  EXPECT_TRUE(watch.expired()) << "the last batch back frees the pool";
  EXPECT_EQ(rte_mempool_avail_count(mbufs_), available);
  EXPECT_EQ(counters_->drops_total(), 1u);
}

TEST(BatchPoolWithout, MakeBatchWithoutAPoolAllocates) {
  auto counters = std::make_shared<actors::StageCounters>("lookup");
  PacketBatch batch = actors::make_batch(nullptr, BatchStream::kUnordered, 0, 5, counters);
  ASSERT_NE(batch.data, nullptr);
  EXPECT_EQ(batch.data->slots.size(), 5u);
  EXPECT_EQ(batch.data->stream, BatchStream::kUnordered);
}

}  // namespace
