// Stopping a gateway under traffic (what SIGTERM does): every topology stops receiving, lets
// what is inside finish, frees what still waits (packets staged for a handshake that never
// completes), and then every mbuf of every mempool is back: nothing leaks, nothing is lost
// uncounted (every actor's counters balance).
#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <chrono>
#include <string>
#include <thread>

#include "actors/gateway.hpp"
#include "crypto/keys.hpp"
#include "crypto/secret_arena.hpp"
#include "dpdk_test_config.hpp"
#include "io/eal.hpp"
#include "io/rss.hpp"
#include "io/traffic_generator.hpp"
#include "poll_until.hpp"

using namespace actorwire;
using namespace std::chrono_literals;

namespace {

struct Case {
  const char* kind;
  std::uint32_t workers;
  bool ordered;
};

std::string name_of(const ::testing::TestParamInfo<Case>& info) {
  std::string name = std::string(info.param.kind) + "_w" + std::to_string(info.param.workers) +
                     (info.param.ordered ? "_ordered" : "");
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

constexpr std::uint64_t kStaged = 40;  // packets for the silent peer (a peer stages up to 128)

std::uint64_t waiting_drops(const actors::Gateway& gateway) {
  std::uint64_t n = 0;
  for (const auto& c : gateway.counters()) {
    n += c->drops_of(actors::DropReason::kNoSession) + c->drops_of(actors::DropReason::kShutdown) +
         c->drops_of(actors::DropReason::kHandshakeGaveUp);
  }
  return n;
}

class StopDrain : public ::testing::TestWithParam<Case> {};

TEST_P(StopDrain, EveryMbufComesBackAndEveryPacketIsCounted) {
  const Case c = GetParam();
  config::GatewayConfig config = test_support::default_test_config();
  config.topology.kind = *config::parse_topology_kind(c.kind);
  config.topology.crypto_workers = c.workers;
  config.topology.ordered = c.ordered;
  config.generator.flows = 64;
  config.generator.packet_sizes = {64, 1420};
  // A peer without keys whose handshake initiations nobody answers: its packets are staged.
  config::PeerConfig silent;
  silent.public_key = crypto::derive_public_key(crypto::random_secret_key());
  silent.endpoint = config::parse_endpoint("192.0.2.2:51821");
  silent.allowed_ips = {*config::parse_ip_prefix("10.77.0.0/16")};
  config.peers.push_back(silent);
  std::string error;
  // Every key the gateway makes (its identity, handshake state, keypairs, per-packet copies)
  // takes an arena slot, and a slot given back is wiped: at exit all must be back.
  const std::size_t key_slots_before = crypto::SecretArena::instance().usage().slots_in_use;
  auto gateway = actors::Gateway::start(config, {}, error);
  ASSERT_NE(gateway, nullptr) << error;
  gateway->pause_generator(true);
  static int pool_serial = 0;  // mempool names are short (RTE_MEMPOOL_NAMESIZE)
  rte_mempool* pool = io::make_mbuf_pool("drain" + std::to_string(pool_serial++), 512, error);
  ASSERT_NE(pool, nullptr) << error;

  // Packets for the silent peer first, each on its RSS queue, until the gateway took them all.
  io::Port& lan = gateway->port(config::PortRole::kLan);
  io::TrafficPattern pattern;
  pattern.destination_mac = lan.identity().mac;
  pattern.source_ip = 0x0A0A0064;
  pattern.destination_prefix = silent.allowed_ips[0];
  pattern.flows = 8;
  const io::TrafficGenerator to_silent(pattern);
  for (std::uint64_t i = 0; i < kStaged; ++i) {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool);
    ASSERT_NE(mbuf, nullptr);
    ASSERT_TRUE(to_silent.fill(mbuf, i));
    const auto queue = io::rss_queue_for_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*),
                                               mbuf->data_len, lan.queues());
    // The generator may have filled the ring before it paused.
    const bool enqueued = test_support::poll_until(
        10s, "room in the LAN inject ring",
        [&] { return rte_ring_enqueue(lan.inject_ring(queue), mbuf) == 0; },
        [] { std::this_thread::sleep_for(100us); });
    if (!enqueued) rte_pktmbuf_free(mbuf);
    ASSERT_TRUE(enqueued);
  }
  ASSERT_TRUE(test_support::poll_until(
      10s, "the gateway to take the packets for the silent peer",
      [&] {
        for (rte_ring* ring : lan.inject_rings()) {
          if (rte_ring_count(ring) != 0) return false;
        }
        return true;
      },
      [] { std::this_thread::sleep_for(1ms); }));

  // Then traffic, and the stop in the middle of it.
  gateway->pause_generator(false);
  const auto& generated = gateway->generator_counters()->packets_out;
  ASSERT_TRUE(test_support::poll_until(
      30s, "20,000 generated packets", [&] { return generated.get() >= 20000; },
      [] { std::this_thread::sleep_for(1ms); },
      [&] { return std::to_string(generated.get()) + " so far"; }));
  const actors::StopReport report = gateway->stop();
  EXPECT_TRUE(report.drained) << "the graph did not go quiet within the drain bound";

  for (const auto& counters : gateway->counters()) {
    EXPECT_EQ(
        counters->packets_in.get() + counters->packets_generated.get(),
        counters->packets_out.get() + counters->packets_consumed.get() + counters->drops_total())
        << counters->name << ": a packet disappeared uncounted";
  }
  EXPECT_GE(waiting_drops(*gateway), kStaged)
      << "the silent peer's staged packets must be freed and counted at stop";
  const std::vector<io::MempoolUsage> pools = gateway->close_ports();
  EXPECT_GE(pools.size(), 2u) << "the gateway's pool and ours";
  for (const auto& usage : pools) {
    EXPECT_EQ(usage.in_use, 0u) << "mempool " << usage.name << " (" << usage.size
                                << " objects) still has objects in use after stop";
  }
  gateway.reset();
  EXPECT_EQ(crypto::SecretArena::instance().usage().slots_in_use, key_slots_before)
      << "keys the gateway held were not given back (and wiped) when it went";
  rte_mempool_free(pool);
}

INSTANTIATE_TEST_SUITE_P(AllTopologies, StopDrain,
                         ::testing::Values(Case{"single", 1, false},
                                           Case{"workers-mutex", 2, false},
                                           Case{"workers-spinlock", 2, false},
                                           Case{"pipeline", 2, false}, Case{"pipeline", 2, true}),
                         name_of);

}  // namespace
