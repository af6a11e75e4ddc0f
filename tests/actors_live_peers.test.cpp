// Changing the peer set of running gateways (Gateway::change_peers, what reload, SIGHUP and
// `wg set` use): two gateways in one process, WAN to WAN over in-process rings, real
// handshakes. An unchanged peer keeps its keypair, counters and packets across a change made
// while its traffic is in flight; a removed peer's traffic stops at once; a peer added back
// handshakes and carries traffic; an allowed-IPs move routes by the new table; a change that
// needs a restart is refused and changes nothing. Every topology kind that owns peer state
// differently: `single` (one actor), `workers-spinlock` (shared under a lock), `pipeline`.
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "actors/gateway.hpp"
#include "config/load_config.hpp"
#include "crypto/keys.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/rss.hpp"
#include "io/traffic_generator.hpp"
#include "ring_relay.hpp"

using namespace actorwire;
using namespace std::chrono_literals;

namespace {

std::string base64(const crypto::SecretKey& key) {
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(out, sizeof out, key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
  return out;
}

struct Param {
  const char* kind;
  std::uint32_t workers;
};

// Gateway `self` ('a' or 'b', WAN 192.0.2.1 / .2, LAN subnet 10.10.0.0/24 / 10.20.0.0/24) with
// the given [[peer]] tables.
std::string config_text(char self, const crypto::SecretKey& key, const std::string& peers,
                        const Param& param, const char* kind_override = nullptr) {
  const char other = self == 'a' ? 'b' : 'a';
  const std::string s(1, self);
  const std::string wan_ip = self == 'a' ? "192.0.2.1" : "192.0.2.2";
  const std::string other_ip = self == 'a' ? "192.0.2.2" : "192.0.2.1";
  const std::string router = self == 'a' ? "10.98.0.2" : "10.99.0.2";  // LAN next hop
  std::string text = "[interface]\nprivate_key = \"" + base64(key) + "\"\n";
  text += "[[port]]\nrole = \"lan\"\ndevice = \"net_ring_" + s + "lan\"\naddresses = [\"" +
          router.substr(0, router.size() - 1) + "1/24\"]\nnext_hop = \"" + router +
          "\"\nneighbours = [{ ip = \"" + router + "\", mac = \"02:00:00:00:0" + s + ":fe\" }]\n";
  text += "[[port]]\nrole = \"wan\"\ndevice = \"net_ring_" + s + "wan\"\nmac = \"02:00:00:00:0" +
          s + ":01\"\naddresses = [\"" + wan_ip + "/24\"]\nneighbours = [{ ip = \"" + other_ip +
          "\", mac = \"02:00:00:00:0" + std::string(1, other) + ":01\" }]\n";
  text += peers;
  text += std::string("[topology]\nkind = \"") + (kind_override ? kind_override : param.kind) +
          "\"\ncrypto_workers = " + std::to_string(param.workers) + "\n";
  text +=
      "[dpdk]\neal_args = [\"--no-huge\", \"-m\", \"512\", \"--no-pci\", \"--no-shconf\", "
      "\"--file-prefix=" ACTORWIRE_TEST_NAME "\", \"--log-level=error\"]\nmbuf_count = 4096\n";
  return text;
}

std::string peer_text(const crypto::PublicKey& key, const std::string& endpoint,
                      const std::string& allowed_ips) {
  return "[[peer]]\npublic_key = \"" + crypto::to_base64(key) + "\"\nendpoint = \"" + endpoint +
         "\"\nallowed_ips = [" + allowed_ips + "]\n";
}

config::GatewayConfig load(const std::string& text) {
  auto loaded = config::load_config_string(text, "<test>");
  for (const auto& error : loaded.errors) ADD_FAILURE() << error.to_string();
  return loaded.ok() ? *loaded.config : config::GatewayConfig{};
}

class LivePeers : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    key_a_ = crypto::random_secret_key();
    key_b_ = crypto::random_secret_key();
    stranger_ = crypto::derive_public_key(crypto::random_secret_key());
    std::string error;
    actors::GatewayOptions options;
    options.attach_generator = false;
    options.attach_sink = false;
    options.scheduler_threads = 1;
    a_ = actors::Gateway::start(config_a({"\"10.20.0.0/24\""}), options, error);
    ASSERT_TRUE(a_) << error;
    b_ = actors::Gateway::start(load(config_text('b', key_b_,
                                                 peer_text(crypto::derive_public_key(key_a_),
                                                           "192.0.2.1:51820", "\"10.10.0.0/24\""),
                                                 GetParam())),
                                options, error);
    ASSERT_TRUE(b_) << error;
    pool_ = io::make_mbuf_pool("live_pool_" + std::to_string(pool_serial_++), 4096, error);
    ASSERT_NE(pool_, nullptr) << error;
  }

  void TearDown() override {
    if (a_) a_->stop();
    if (b_) b_->stop();
    a_to_b_.clear();
    b_to_a_.clear();
    for (auto* gateway : {a_.get(), b_.get()}) {
      if (gateway == nullptr) continue;
      for (auto role : {config::PortRole::kLan, config::PortRole::kWan}) {
        for (rte_mbuf* m : drain_port(gateway->port(role))) rte_pktmbuf_free(m);
      }
    }
    a_.reset();
    b_.reset();
    if (pool_ != nullptr) rte_mempool_free(pool_);
  }

  // A's config: peer B with these allowed IPs (none: no peer B), plus `extra` peers.
  config::GatewayConfig config_a(std::optional<std::string> b_allowed_ips,
                                 const std::string& extra = "", const char* kind = nullptr) {
    std::string peers;
    if (b_allowed_ips) {
      peers += peer_text(crypto::derive_public_key(key_b_), "192.0.2.2:51820", *b_allowed_ips);
    }
    return load(config_text('a', key_a_, peers + extra, GetParam(), kind));
  }

  static std::vector<rte_mbuf*> drain_port(io::Port& port) {
    std::vector<rte_mbuf*> out;
    for (std::uint16_t q = 0; q < port.queues(); ++q) {
      void* object = nullptr;
      while (rte_ring_dequeue(port.capture_ring(q), &object) == 0) {
        out.push_back(static_cast<rte_mbuf*>(object));
      }
    }
    return out;
  }

  void pump() {
    a_to_b_.pass(a_->port(config::PortRole::kWan), b_->port(config::PortRole::kWan));
    b_to_a_.pass(b_->port(config::PortRole::kWan), a_->port(config::PortRole::kWan));
  }

  static io::TrafficGenerator traffic(actors::Gateway& from, std::uint32_t source,
                                      const char* destination) {
    io::TrafficPattern pattern;
    pattern.destination_mac = from.port(config::PortRole::kLan).identity().mac;
    pattern.source_ip = source;
    pattern.destination_prefix = *config::parse_ip_prefix(destination);
    pattern.flows = 8;
    pattern.ip_sizes = {64, 200, 1420};
    return io::TrafficGenerator(pattern);
  }

  void inject(actors::Gateway& from, const io::TrafficGenerator& generator, std::uint64_t first,
              std::uint64_t count) {
    io::Port& lan = from.port(config::PortRole::kLan);
    for (std::uint64_t seq = first; seq < first + count; ++seq) {
      rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
      ASSERT_NE(mbuf, nullptr);
      const auto length = static_cast<std::uint16_t>(generator.frame_length(seq));
      generator.write_frame(seq, rte_pktmbuf_mtod(mbuf, std::uint8_t*));
      rte_pktmbuf_append(mbuf, length);
      const auto queue = io::rss_queue_for_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*),
                                                 mbuf->data_len, lan.queues());
      ASSERT_EQ(rte_ring_enqueue(lan.inject_ring(queue), mbuf), 0);
    }
  }

  // Pumps the WAN until `count` packets left `to`'s LAN or `wait` passed; how many did.
  std::uint64_t receive(actors::Gateway& to, std::uint64_t count, std::chrono::milliseconds wait) {
    std::uint64_t received = 0;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (received < count && std::chrono::steady_clock::now() < deadline) {
      pump();
      for (rte_mbuf* mbuf : drain_port(to.port(config::PortRole::kLan))) {
        rte_pktmbuf_free(mbuf);
        ++received;
      }
      std::this_thread::sleep_for(1ms);
    }
    return received;
  }

  // Every packet A sends to B's LAN arrives (waiting for a handshake first if needed).
  void expect_a_to_b(const io::TrafficGenerator& generator, std::uint64_t first,
                     std::uint64_t count) {
    inject(*a_, generator, first, count);
    EXPECT_EQ(receive(*b_, count, 10s), count) << "A to B: packets missing (waited 10 s)";
  }

  // A drop reason summed over A's data-plane stages.
  std::uint64_t a_drops(actors::DropReason reason) {
    std::uint64_t total = 0;
    for (const auto& counters : a_->counters()) {
      if (counters->name != "handshake") total += counters->drops_of(reason);
    }
    return total;
  }

  // Waits (at most 10 s) until A's drops for `reason` reach `target`.
  bool a_drops_reach(actors::DropReason reason, std::uint64_t target) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (a_drops(reason) < target && std::chrono::steady_clock::now() < deadline) {
      pump();
      std::this_thread::sleep_for(1ms);
    }
    return a_drops(reason) >= target;
  }

  crypto::SecretKey key_a_;
  crypto::SecretKey key_b_;
  crypto::PublicKey stranger_;  // a peer nobody runs
  std::unique_ptr<actors::Gateway> a_;
  std::unique_ptr<actors::Gateway> b_;
  test_support::RingRelay a_to_b_;
  test_support::RingRelay b_to_a_;
  rte_mempool* pool_ = nullptr;
  static inline int pool_serial_ = 0;
};

TEST_P(LivePeers, UnchangedPeerKeepsSessionCountersAndPacketsAcrossAChangeUnderTraffic) {
  const auto to_b = traffic(*a_, 0x0A0A0005, "10.20.0.0/24");
  expect_a_to_b(to_b, 0, 100);  // handshake, then traffic
  const auto peer_b = a_->peer_counters().at(0);
  ASSERT_EQ(peer_b->sessions_installed.get(), 1u);
  const auto keypair_before = peer_b->status.read().current_keypair_created;
  ASSERT_TRUE(keypair_before.has_value());

  // Packets in flight while a stranger is added: none of B's may be lost.
  inject(*a_, to_b, 100, 300);
  const auto report = a_->change_peers(
      config_a({"\"10.20.0.0/24\""}, peer_text(stranger_, "192.0.2.9:51820", "\"10.30.0.0/24\"")));
  ASSERT_TRUE(report.applied) << report.error;
  ASSERT_EQ(report.changes.size(), 1u);
  EXPECT_EQ(report.changes[0],
            "added peer " + crypto::to_base64(stranger_) + " (allowed_ips 10.30.0.0/24)");
  EXPECT_EQ(receive(*b_, 300, 10s), 300u) << "B's packets lost across the change";
  expect_a_to_b(to_b, 400, 100);

  const auto peers = a_->peer_counters();
  ASSERT_EQ(peers.size(), 2u) << "stats list the added peer at once";
  EXPECT_EQ(peers[0], peer_b) << "the same counters, not fresh ones";
  EXPECT_EQ(peers[1]->public_key, crypto::to_base64(stranger_));
  EXPECT_EQ(peer_b->sessions_installed.get(), 1u) << "no new handshake";
  EXPECT_EQ(peer_b->status.read().current_keypair_created, keypair_before) << "same keypair";
  EXPECT_GE(peer_b->tx_packets.get(), 500u);
  EXPECT_EQ(a_->running_config()->peers.size(), 2u);
  EXPECT_EQ(a_drops(actors::DropReason::kNoPeer), 0u);
}

TEST_P(LivePeers, RemovedPeerStopsAtOnceAndAddedBackHandshakesAgain) {
  const auto to_b = traffic(*a_, 0x0A0A0005, "10.20.0.0/24");
  expect_a_to_b(to_b, 0, 50);
  const auto old_counters = a_->peer_counters().at(0);

  // B removed: A routes nothing to it, and what B still sends under the old keys is refused.
  auto report = a_->change_peers(config_a(std::nullopt));
  ASSERT_TRUE(report.applied) << report.error;
  ASSERT_EQ(report.changes.size(), 1u);
  EXPECT_EQ(report.changes[0], "removed peer " + old_counters->public_key);
  EXPECT_TRUE(a_->peer_counters().empty());
  const std::uint64_t tx_before = old_counters->tx_packets.get();
  inject(*a_, to_b, 50, 20);
  EXPECT_TRUE(a_drops_reach(actors::DropReason::kNoPeer, 20)) << "no_peer drops at A";
  EXPECT_EQ(receive(*b_, 1, 100ms), 0u);
  EXPECT_EQ(old_counters->tx_packets.get(), tx_before);
  const auto to_a = traffic(*b_, 0x0A140007, "10.10.0.0/24");
  inject(*b_, to_a, 0, 10);
  EXPECT_TRUE(a_drops_reach(actors::DropReason::kUnknownIndex, 10))
      << "B's packets under the removed peer's keys are dropped (unknown_index)";

  // Added back: a new peer to A (fresh counters), which handshakes and carries traffic again.
  report = a_->change_peers(config_a({"\"10.20.0.0/24\""}));
  ASSERT_TRUE(report.applied) << report.error;
  const auto new_counters = a_->peer_counters().at(0);
  EXPECT_NE(new_counters, old_counters);
  expect_a_to_b(to_b, 100, 50);
  EXPECT_EQ(new_counters->sessions_installed.get(), 1u);
  EXPECT_EQ(new_counters->tx_packets.get(), 50u + new_counters->keepalives_sent.get());
}

TEST_P(LivePeers, AllowedIpsMoveTakesEffectAtOnce) {
  expect_a_to_b(traffic(*a_, 0x0A0A0005, "10.20.0.0/24"), 0, 20);
  auto report = a_->change_peers(config_a({"\"10.21.0.0/24\""}));
  ASSERT_TRUE(report.applied) << report.error;
  ASSERT_EQ(report.changes.size(), 1u);
  EXPECT_NE(report.changes[0].find(": allowed_ips"), std::string::npos) << report.changes[0];
  // The old prefix routes nowhere now; the new one goes to B on the same session.
  inject(*a_, traffic(*a_, 0x0A0A0005, "10.20.0.0/24"), 20, 10);
  EXPECT_TRUE(a_drops_reach(actors::DropReason::kNoPeer, 10));
  expect_a_to_b(traffic(*a_, 0x0A0A0005, "10.21.0.0/24"), 30, 20);
  EXPECT_EQ(a_->peer_counters().at(0)->sessions_installed.get(), 1u);
}

TEST_P(LivePeers, ChangeThatNeedsARestartIsRefusedAndChangesNothing) {
  const char* other = std::string(GetParam().kind) == "single" ? "pipeline" : "single";
  const auto report = a_->change_peers(config_a(std::nullopt, "", other));
  EXPECT_FALSE(report.applied);
  ASSERT_EQ(report.refused.size(), 1u);
  EXPECT_EQ(report.refused[0].key, "topology.kind");
  EXPECT_EQ(a_->peer_counters().size(), 1u) << "peer B is still there";
  expect_a_to_b(traffic(*a_, 0x0A0A0005, "10.20.0.0/24"), 0, 20);
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  std::string name = info.param.kind;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Topologies, LivePeers,
                         ::testing::Values(Param{"single", 1}, Param{"workers-spinlock", 2},
                                           Param{"pipeline", 2}),
                         param_name);

}  // namespace
