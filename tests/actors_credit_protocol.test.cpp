// The pipeline's credit protocol under CAF's deterministic test coordinator, with the real
// stages on in-process ports: a worker that never runs (a "slow" one) throttles lookup and
// makes rx back off, no mailbox holds more batches than mailbox_capacity, and once the worker
// runs again every credit comes back and every packet leaves, counted.
#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <memory>

#include "actors/pipeline/pipeline.hpp"
#include "actors/runtime/messages.hpp"
#include "caf/all.hpp"
#include "caf/scheduler/test_coordinator.hpp"
#include "dpdk_test_config.hpp"
#include "io/eal.hpp"
#include "io/traffic_generator.hpp"

using namespace actorwire;

namespace {

struct TestingConfig : caf::actor_system_config {
  TestingConfig() { set("scheduler.policy", caf::atom("testing")); }
};

constexpr std::uint32_t kCapacity = 4;
constexpr std::uint64_t kFrames = 1000;  // fits the port's inject ring (1024)

TEST(CreditProtocol, ASlowWorkerThrottlesRxAndNothingIsLost) {
  config::GatewayConfig config = test_support::default_test_config();
  config.topology.kind = config::TopologyKind::kPipeline;
  config.topology.crypto_workers = 2;
  config.topology.mailbox_capacity = kCapacity;
  config.topology.batch_size = 16;
  std::string error;
  ASSERT_TRUE(io::start_eal(config.dpdk.eal_args, error)) << error;
  rte_mempool* pool = io::make_mbuf_pool("credit_pool", 8192, error);
  ASSERT_NE(pool, nullptr) << error;
  auto lan = io::Port::open(*config.port(config::PortRole::kLan), config.dpdk, pool, 1, error);
  ASSERT_TRUE(lan) << error;
  auto wan = io::Port::open(*config.port(config::PortRole::kWan), config.dpdk, pool, 1, error);
  ASSERT_TRUE(wan) << error;

  TestingConfig system_config;
  caf::actor_system system(system_config);
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler());

  const actors::DataPlaneEnv env = actors::make_data_plane_env(config, *lan, *wan, pool);
  auto context = std::make_shared<actors::PipelineContext>();
  context->env = &env;
  context->settings = actors::pipeline_settings(config.topology);
  context->plane = std::make_unique<actors::PeerPlane>(config, "credit_peers");
  context->rx_counters = std::make_shared<actors::StageCounters>("rx");
  context->lookup_counters = std::make_shared<actors::StageCounters>("lookup");
  for (int i = 0; i < 2; ++i) {
    context->crypto_counters.push_back(std::make_shared<actors::StageCounters>("crypto"));
  }
  context->tx_counters = std::make_shared<actors::StageCounters>("tx");
  const actors::PipelineActors actors = actors::spawn_pipeline(system, context);

  // Frames waiting at the LAN port, as if a NIC had received them.
  io::TrafficPattern pattern;
  pattern.destination_mac = lan->identity().mac;
  pattern.source_ip = 0x0A000064;
  pattern.destination_prefix = config.peers[0].allowed_ips[0];
  const io::TrafficGenerator traffic(pattern);
  for (std::uint64_t seq = 0; seq < kFrames; ++seq) {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool);
    ASSERT_NE(mbuf, nullptr);
    ASSERT_TRUE(traffic.fill(mbuf, seq));
    ASSERT_EQ(rte_ring_enqueue(lan->inject_ring(), mbuf), 0);
  }

  // Phase 1: crypto worker 1 never gets to run.
  auto* slow =
      dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(actors.crypto[1]));
  auto not_slow = [slow](caf::resumable* job) { return job != slow; };
  // Let it take the wiring message first, so its mailbox holds only batches from now on.
  sched.run_jobs_filtered([slow](caf::resumable* job) { return job == slow; });
  for (int round = 0; round < 50; ++round) {
    sched.run_jobs_filtered(not_slow);
    EXPECT_LE(context->crypto_counters[1]->batches_queued.load(), kCapacity)
        << "credits bound the worker's mailbox";
    sched.trigger_timeouts();  // rx's back-off timer, tx's retries
  }
  const auto& rx = *context->rx_counters;
  const auto& lookup = *context->lookup_counters;
  EXPECT_EQ(context->crypto_counters[1]->packets_in.get(), 0u);
  EXPECT_EQ(context->crypto_counters[1]->batches_queued.load(), kCapacity) << "saturated";
  EXPECT_GE(rx.backoff_events.get(), 1u) << "rx backs off while lookup has no credit";
  EXPECT_GE(lookup.credit_stalls.get(), 1u);
  // rx took at most what the credits allow: kCapacity batches per worker in flight, plus what
  // lookup holds for the stalled worker (kCapacity from rx), so most frames still wait at the
  // port, where a NIC would drop them.
  EXPECT_LE(rx.packets_in.get(), 16u * (3 * kCapacity + 1)) << "rx kept polling without credit";
  EXPECT_GT(rte_ring_count(lan->inject_ring()), kFrames / 2);

  // Phase 2: the worker runs again; everything drains and all credits come back.
  std::uint64_t delivered = 0;
  for (int round = 0; round < 5000 && delivered < kFrames; ++round) {
    sched.run(2000);
    sched.trigger_timeouts();
    void* object = nullptr;
    while (rte_ring_dequeue(wan->capture_ring(), &object) == 0) {
      rte_pktmbuf_free(static_cast<rte_mbuf*>(object));
      ++delivered;
    }
  }
  EXPECT_EQ(delivered, kFrames);
  EXPECT_EQ(rx.packets_in.get(), kFrames);
  EXPECT_GT(context->crypto_counters[1]->packets_in.get(), 0u);
  for (const auto& worker : context->crypto_counters) {
    EXPECT_LE(worker->mailbox_high_water.get(), kCapacity);
  }
  for (const actors::StageCounters* counters : std::initializer_list<const actors::StageCounters*>{
           &rx, &lookup, context->crypto_counters[0].get(), context->crypto_counters[1].get(),
           context->tx_counters.get()}) {
    EXPECT_EQ(counters->drops_total(), 0u) << counters->name;
    EXPECT_EQ(counters->batches_queued.load(), 0) << counters->name;
    EXPECT_EQ(
        counters->packets_in.get() + counters->packets_generated.get(),
        counters->packets_out.get() + counters->packets_consumed.get() + counters->drops_total())
        << counters->name;
  }

  for (const auto& actor : actors.all())
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  sched.run();
}

}  // namespace
