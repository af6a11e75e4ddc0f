// Multi-queue in-process ports fed like a NIC with RSS: the generator's frames, spread by
// io::TrafficInjector (what the generator actor calls), arrive on the rx queue software RSS
// names for them. One flow uses one queue; many flows use all queues about evenly (the flow
// count effect of the paper's Fig. 11). Queue i's rings are rx/tx queue i's, and a full queue
// stops (or drops, at a fixed rate) without leaking mbufs.
#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dpdk_test_config.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/port.hpp"
#include "io/rss.hpp"
#include "io/traffic_generator.hpp"
#include "io/traffic_injector.hpp"

using namespace actorwire;

namespace {

constexpr std::uint16_t kQueues = 4;

std::shared_ptr<const io::TrafficGenerator> traffic_with(std::uint32_t flows,
                                                         const char* destination_prefix) {
  io::TrafficPattern pattern;
  pattern.destination_mac = config::MacAddress{{0x02, 0, 0, 0, 0, 0x01}};
  pattern.source_ip = 0x0A010064;  // 10.1.0.100
  pattern.destination_prefix = *config::parse_ip_prefix(destination_prefix);
  pattern.flows = flows;
  pattern.ip_sizes = {64, 200, 1400};
  return std::make_shared<const io::TrafficGenerator>(pattern);
}

// What each rx queue received, through the ethdev rx path.
using FramesByQueue = std::vector<std::vector<rte_mbuf*>>;

class MultiQueuePort : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(io::start_eal(test_support::default_test_config().dpdk.eal_args, error)) << error;
    pool_ = io::make_mbuf_pool(ACTORWIRE_TEST_NAME "_pool", 8192, error);
    ASSERT_NE(pool_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    rte_mempool_free(pool_);
    pool_ = nullptr;
  }

  void SetUp() override { open_port(kQueues); }

  void TearDown() override {
    if (!port_) return;
    for (std::uint16_t queue = 0; queue < port_->queues(); ++queue) {
      for (rte_ring* ring : {port_->inject_ring(queue), port_->capture_ring(queue)}) {
        for (rte_mbuf* mbuf : test_support::drain(ring, 4096)) rte_pktmbuf_free(mbuf);
      }
    }
    port_.reset();
    EXPECT_EQ(rte_mempool_avail_count(pool_), pool_->size) << "mbufs leaked";
  }

  void open_port(std::uint16_t queues) {
    port_.reset();
    config::PortConfig port_config;
    port_config.role = config::PortRole::kLan;
    port_config.device = "net_ring_mq";
    std::string error;
    port_ = io::Port::open(port_config, config::DpdkConfig{}, pool_, queues, error);
    ASSERT_TRUE(port_) << error;
    ASSERT_EQ(port_->queues(), queues);
    ASSERT_EQ(port_->inject_rings().size(), queues);
    ASSERT_EQ(port_->capture_rings().size(), queues);
  }

  io::TrafficInjector injector_for(std::shared_ptr<const io::TrafficGenerator> traffic) {
    return io::TrafficInjector(std::move(traffic), port_->inject_rings(), pool_);
  }

  // Injects frames 0 .. count-1 in generator-sized bursts; all must be accepted.
  static void inject_all(io::TrafficInjector& injector, unsigned count) {
    constexpr unsigned kBurst = 32;
    for (unsigned seq = 0; seq < count; seq += kBurst) {
      const unsigned want = std::min(kBurst, count - seq);
      const io::InjectedBurst burst = injector.inject(seq, want);
      ASSERT_EQ(burst.offered, want);
      ASSERT_EQ(burst.enqueued, want);
    }
  }

  FramesByQueue receive_all() {
    FramesByQueue frames(port_->queues());
    std::array<rte_mbuf*, 64> burst;
    for (std::uint16_t queue = 0; queue < port_->queues(); ++queue) {
      while (const std::uint16_t count = port_->rx_burst(queue, burst.data(), burst.size())) {
        frames[queue].insert(frames[queue].end(), burst.begin(), burst.begin() + count);
      }
    }
    return frames;
  }

  static void free_all(const FramesByQueue& frames) {
    for (const auto& queue : frames) {
      for (rte_mbuf* mbuf : queue) rte_pktmbuf_free(mbuf);
    }
  }

  // Every frame sits on the queue software RSS picks for it and on its flow's only queue, in
  // sequence order per queue (a queue never reorders a flow).
  static void expect_rss_placement(const FramesByQueue& frames,
                                   const io::TrafficGenerator& traffic) {
    std::map<std::uint32_t, std::uint16_t> queue_of_flow;
    const auto queues = static_cast<std::uint16_t>(frames.size());
    for (std::uint16_t queue = 0; queue < queues; ++queue) {
      std::uint64_t previous_seq = 0;
      bool first = true;
      for (rte_mbuf* mbuf : frames[queue]) {
        const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
        const std::size_t length = rte_pktmbuf_data_len(mbuf);
        ASSERT_EQ(io::rss_queue_for_frame(data, length, queues), queue);
        const auto seq = io::TrafficGenerator::sequence_of(data + io::kEthernetHeaderSize,
                                                           length - io::kEthernetHeaderSize);
        ASSERT_TRUE(seq.has_value());
        EXPECT_TRUE(first || *seq > previous_seq) << "queue " << queue << " reordered";
        first = false;
        previous_seq = *seq;
        const auto [entry, inserted] = queue_of_flow.emplace(traffic.flow_of(*seq), queue);
        EXPECT_EQ(entry->second, queue) << "flow " << entry->first << " on two queues";
      }
    }
  }

  static std::size_t total(const FramesByQueue& frames) {
    std::size_t sum = 0;
    for (const auto& queue : frames) sum += queue.size();
    return sum;
  }

  static rte_mempool* pool_;
  std::unique_ptr<io::Port> port_;
};

rte_mempool* MultiQueuePort::pool_ = nullptr;

TEST_F(MultiQueuePort, OneFlowLandsOnExactlyOneQueue) {
  const auto traffic = traffic_with(1, "10.2.0.0/16");
  io::TrafficInjector injector = injector_for(traffic);
  ASSERT_EQ(injector.queues(), kQueues);
  inject_all(injector, 512);
  const FramesByQueue frames = receive_all();
  ASSERT_EQ(total(frames), 512u);
  unsigned used_queues = 0;
  for (const auto& queue : frames) used_queues += queue.empty() ? 0 : 1;
  EXPECT_EQ(used_queues, 1u);
  EXPECT_EQ(frames[injector.queue_of(0)].size(), 512u);
  expect_rss_placement(frames, *traffic);
  free_all(frames);
}

TEST_F(MultiQueuePort, ManyFlowsSpreadOverAllQueuesAboutEvenly) {
  // Flows vary the destination address (/16) or, on a small prefix, the source port too.
  for (const char* prefix : {"10.2.0.0/16", "10.2.0.0/30"}) {
    SCOPED_TRACE(prefix);
    const auto traffic = traffic_with(1024, prefix);
    io::TrafficInjector injector = injector_for(traffic);
    constexpr unsigned kFrames = 2 * 1024;  // every flow twice
    inject_all(injector, kFrames);
    const FramesByQueue frames = receive_all();
    ASSERT_EQ(total(frames), kFrames);
    for (std::uint16_t queue = 0; queue < kQueues; ++queue) {
      const double share = static_cast<double>(frames[queue].size()) / kFrames;
      EXPECT_GE(share, 0.15) << "queue " << queue;
      EXPECT_LE(share, 0.35) << "queue " << queue;
    }
    expect_rss_placement(frames, *traffic);
    free_all(frames);
  }
}

TEST_F(MultiQueuePort, TransmitQueueIFillsCaptureRingI) {
  const auto traffic = traffic_with(1, "10.2.0.0/16");
  for (std::uint16_t queue = 0; queue < kQueues; ++queue) {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
    ASSERT_NE(mbuf, nullptr);
    ASSERT_TRUE(traffic->fill(mbuf, queue));
    ASSERT_EQ(port_->tx_burst(queue, &mbuf, 1), 1);
    for (std::uint16_t other = 0; other < kQueues; ++other) {
      const auto captured = test_support::drain(port_->capture_ring(other));
      EXPECT_EQ(captured.size(), other == queue ? 1u : 0u) << "tx " << queue << " ring " << other;
      for (rte_mbuf* m : captured) rte_pktmbuf_free(m);
    }
  }
}

TEST_F(MultiQueuePort, AsFastAsAcceptedStopsAtTheFirstFullQueueWithoutDropping) {
  const auto traffic = traffic_with(1, "10.2.0.0/16");
  io::TrafficInjector injector = injector_for(traffic);
  rte_ring* ring = port_->inject_ring(injector.queue_of(0));
  std::uint64_t seq = 0;
  while (const unsigned fit = injector.frames_that_fit(seq, 32)) {
    const io::InjectedBurst burst = injector.inject(seq, fit);
    ASSERT_EQ(burst.enqueued, fit);
    seq += fit;
  }
  EXPECT_EQ(seq, rte_ring_get_capacity(ring));
  EXPECT_EQ(rte_ring_free_count(ring), 0u);

  // The worker polls a few frames: exactly that much room comes back.
  std::array<rte_mbuf*, 5> polled;
  ASSERT_EQ(port_->rx_burst(injector.queue_of(0), polled.data(), polled.size()), polled.size());
  rte_pktmbuf_free_bulk(polled.data(), polled.size());
  EXPECT_EQ(injector.frames_that_fit(seq, 32), polled.size());
}

TEST_F(MultiQueuePort, AtAFixedRateAFullQueueDropsAndFreesItsFrames) {
  const auto traffic = traffic_with(1, "10.2.0.0/16");
  io::TrafficInjector injector = injector_for(traffic);
  rte_ring* ring = port_->inject_ring(injector.queue_of(0));
  std::uint64_t seq = 0;
  while (rte_ring_free_count(ring) != 0) {
    const unsigned offered = injector.inject(seq, 32).offered;
    ASSERT_EQ(offered, 32u);
    seq += offered;
  }
  const unsigned available = rte_mempool_avail_count(pool_);
  const io::InjectedBurst burst = injector.inject(seq, 32);
  EXPECT_EQ(burst.offered, 32u);
  EXPECT_EQ(burst.enqueued, 0u);
  EXPECT_EQ(rte_mempool_avail_count(pool_), available);
}

TEST_F(MultiQueuePort, ASingleQueuePortTakesEveryFlowOnQueueZero) {
  open_port(1);
  const auto traffic = traffic_with(1024, "10.2.0.0/16");
  io::TrafficInjector injector = injector_for(traffic);
  ASSERT_EQ(injector.queues(), 1);
  inject_all(injector, 256);
  const FramesByQueue frames = receive_all();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].size(), 256u);
  expect_rss_placement(frames, *traffic);
  free_all(frames);
}

}  // namespace
