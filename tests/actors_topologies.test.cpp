// Every topology end to end, both directions: gateway A (LAN -> encrypt -> WAN) and gateway B
// (WAN -> decrypt -> LAN) run the same topology over in-process rings with mirrored static
// sessions. 200 000 packets (fewer under sanitizers) of mixed sizes, 1 and 1024 flows, go in
// at A's LAN; every one must leave B's LAN byte-exact, exactly once, and with `ordered = true`
// in input order; every actor's counters must balance.
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "actors/gateway.hpp"
#include "config/load_config.hpp"
#include "crypto/keys.hpp"
#include "io/eal.hpp"
#include "io/rss.hpp"
#include "io/traffic_generator.hpp"
#include "poll_until.hpp"
#include "ring_relay.hpp"

using namespace actorwire;
using namespace std::chrono_literals;

namespace {

#ifdef ACTORWIRE_SANITIZED
constexpr std::uint64_t kPackets = 20'000;
#else
constexpr std::uint64_t kPackets = 200'000;
#endif

std::string secret_base64(const crypto::SecretKey& key) {
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(out, sizeof out, key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
  return out;
}

struct Case {
  const char* kind;
  std::uint32_t workers;
  bool ordered;
  std::uint32_t flows;
};

std::string name_of(const ::testing::TestParamInfo<Case>& info) {
  std::string name = std::string(info.param.kind) + "_w" + std::to_string(info.param.workers) +
                     (info.param.ordered ? "_ordered" : "") + "_f" +
                     std::to_string(info.param.flows);
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

struct Keys {
  crypto::SecretKey a_private = crypto::random_secret_key();
  crypto::SecretKey b_private = crypto::random_secret_key();
  crypto::SecretKey a_to_b = crypto::random_secret_key();
  crypto::SecretKey b_to_a = crypto::random_secret_key();
};

// Gateway `self` ('a' or 'b'); A sends with a_to_b under index 2001, B receives it.
std::string config_text(char self, const Case& c, const Keys& keys) {
  const bool a = self == 'a';
  const std::string me(1, self);
  const std::string other = a ? "b" : "a";
  std::string t;
  t +=
      "[interface]\nprivate_key = \"" + secret_base64(a ? keys.a_private : keys.b_private) + "\"\n";
  t += "[[port]]\nrole = \"lan\"\ndevice = \"net_ring_t" + me + "lan\"\naddresses = [\"" +
       (a ? "10.98.0.1/24" : "10.99.0.1/24") + "\"]\nnext_hop = \"" +
       (a ? "10.98.0.2" : "10.99.0.2") + "\"\nneighbours = [{ ip = \"" +
       (a ? "10.98.0.2" : "10.99.0.2") + "\", mac = \"02:00:00:00:0" + me + ":fe\" }]\n";
  t += "[[port]]\nrole = \"wan\"\ndevice = \"net_ring_t" + me + "wan\"\nmac = \"02:00:00:00:0" +
       me + ":01\"\naddresses = [\"" + (a ? "192.0.2.1" : "192.0.2.2") +
       "/24\"]\nneighbours = [{ ip = \"" + (a ? "192.0.2.2" : "192.0.2.1") +
       "\", mac = \"02:00:00:00:0" + other + ":01\" }]\n";
  t += "[[peer]]\npublic_key = \"" +
       crypto::to_base64(crypto::derive_public_key(a ? keys.b_private : keys.a_private)) + "\"\n";
  t += std::string("endpoint = \"") + (a ? "192.0.2.2" : "192.0.2.1") + ":51820\"\n";
  t += std::string("allowed_ips = [\"") + (a ? "10.20.0.0/16" : "10.10.0.0/16") + "\"]\n";
  t += "[peer.static_session]\nsend_key = \"" + secret_base64(a ? keys.a_to_b : keys.b_to_a) +
       "\"\nreceive_key = \"" + secret_base64(a ? keys.b_to_a : keys.a_to_b) + "\"\n";
  t += std::string("send_index = ") + (a ? "2001" : "1001") +
       "\nreceive_index = " + (a ? "1001" : "2001") + "\n";
  t += std::string("[topology]\nkind = \"") + c.kind +
       "\"\ncrypto_workers = " + std::to_string(c.workers) +
       "\nordered = " + (c.ordered ? "true" : "false") + "\n";
  t += "[dpdk]\neal_args = [\"--no-huge\", \"-m\", \"512\", \"--no-pci\", \"--no-shconf\", "
       "\"--file-prefix=" ACTORWIRE_TEST_NAME "\", \"--log-level=error\"]\nmbuf_count = 8192\n";
  return t;
}

config::GatewayConfig load(const std::string& text) {
  auto loaded = config::load_config_string(text, "<test>");
  for (const auto& error : loaded.errors) ADD_FAILURE() << error.to_string();
  return loaded.ok() ? *loaded.config : config::GatewayConfig{};
}

std::vector<rte_mbuf*> drain(rte_ring* ring, unsigned max = 256) {
  std::vector<rte_mbuf*> mbufs(max);
  const unsigned n =
      rte_ring_dequeue_burst(ring, reinterpret_cast<void**>(mbufs.data()), max, nullptr);
  mbufs.resize(n);
  return mbufs;
}

void expect_balanced(const actors::StageCounters& c) {
  EXPECT_EQ(c.packets_in.get() + c.packets_generated.get(),
            c.packets_out.get() + c.packets_consumed.get() + c.drops_total())
      << c.name;
}

class Topology : public ::testing::TestWithParam<Case> {};

TEST_P(Topology, EveryPacketArrivesByteExactOnceAndCountersBalance) {
  const Case c = GetParam();
  const Keys keys;
  const auto config_a = load(config_text('a', c, keys));
  const auto config_b = load(config_text('b', c, keys));
  actors::GatewayOptions options;
  options.attach_generator = false;
  options.attach_sink = false;
  std::string error;
  auto a = actors::Gateway::start(config_a, options, error);
  ASSERT_TRUE(a) << error;
  auto b = actors::Gateway::start(config_b, options, error);
  ASSERT_TRUE(b) << error;
  static int pool_serial = 0;  // mempool names are short (RTE_MEMPOOL_NAMESIZE)
  auto pool = io::make_mbuf_pool("topo" + std::to_string(pool_serial++), 8192, error);
  ASSERT_NE(pool, nullptr) << error;

  io::TrafficPattern pattern;
  pattern.destination_mac = a->port(config::PortRole::kLan).identity().mac;
  pattern.source_ip = 0x0A0A0005;  // 10.10.0.5, inside B's allowed IPs for A
  pattern.destination_prefix = *config::parse_ip_prefix("10.20.0.0/16");
  pattern.flows = c.flows;
  pattern.ip_sizes = {64, 1420, 200, 36, 777, 1000, 512};  // >= 36: room for the sequence
  const io::TrafficGenerator traffic(pattern);

  io::Port& a_lan = a->port(config::PortRole::kLan);
  io::Port& a_wan = a->port(config::PortRole::kWan);
  io::Port& b_wan = b->port(config::PortRole::kWan);
  io::Port& b_lan = b->port(config::PortRole::kLan);
  std::vector<bool> seen(kPackets, false);
  std::uint64_t injected = 0;
  std::uint64_t received = 0;
  std::uint64_t next_in_order = 0;
  std::uint64_t out_of_order = 0;
  std::vector<std::uint8_t> expected(io::TrafficGenerator::kMaxIpSize + 64);
  // A's WAN output is B's WAN input; frames B has no room for yet wait in the relay, so this
  // thread never stops draining B's LAN (blocking there deadlocked B, see ring_relay.hpp).
  test_support::RingRelay wan_wire;
  auto pass = [&] {
    // Offer a few bursts at A's LAN, each frame on its RSS queue (like a NIC).
    for (int burst = 0; burst < 4 && injected < kPackets; ++burst) {
      for (int i = 0; i < 32 && injected < kPackets; ++i) {
        rte_mbuf* mbuf = rte_pktmbuf_alloc(pool);
        if (mbuf == nullptr) break;
        traffic.fill(mbuf, injected);
        const auto queue = io::rss_queue_for_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*),
                                                   mbuf->data_len, a_lan.queues());
        if (rte_ring_enqueue(a_lan.inject_ring(queue), mbuf) != 0) {
          rte_pktmbuf_free(mbuf);  // ring full: try again later
          break;
        }
        ++injected;
      }
    }
    wan_wire.pass(a_wan, b_wan);
    for (std::uint16_t q = 0; q < b_lan.queues(); ++q) {
      for (rte_mbuf* mbuf : drain(b_lan.capture_ring(q))) {
        const auto* frame = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
        const auto seq = io::TrafficGenerator::sequence_of(
            frame + io::kEthernetHeaderSize, mbuf->data_len - io::kEthernetHeaderSize);
        EXPECT_TRUE(seq.has_value());
        if (seq && *seq < kPackets) {
          EXPECT_FALSE(seen[*seq]) << "duplicate " << *seq;
          seen[*seq] = true;
          const std::size_t length = traffic.write_frame(*seq, expected.data());
          EXPECT_EQ(mbuf->data_len, length) << *seq;
          EXPECT_EQ(std::memcmp(frame + io::kEthernetHeaderSize,
                                expected.data() + io::kEthernetHeaderSize,
                                length - io::kEthernetHeaderSize),
                    0)
              << "packet " << *seq << " differs";
          if (*seq != next_in_order) ++out_of_order;
          next_in_order = *seq + 1;
        }
        rte_pktmbuf_free(mbuf);
        ++received;
      }
    }
  };
  // The deadline is for a hang, not for speed: 200 000 packets take seconds, but a sanitizer
  // build on a busy 2-core CI machine is many times slower.
  EXPECT_TRUE(test_support::poll_until(
      120s, "every packet to leave B's LAN", [&] { return received >= kPackets || HasFailure(); },
      pass,
      [&] {
        return "received " + std::to_string(received) + " of " + std::to_string(kPackets) +
               ", injected " + std::to_string(injected) + ", " +
               std::to_string(wan_wire.pending()) + " waiting for B's WAN ring";
      }));
  EXPECT_EQ(received, kPackets) << "injected " << injected;
  if (c.ordered || std::string(c.kind) == "single") {
    EXPECT_EQ(out_of_order, 0u) << "the output order must equal the input order";
  }
  a->stop();
  b->stop();
  wan_wire.clear();
  for (auto* gateway : {a.get(), b.get()}) {
    for (const auto& counters : gateway->counters()) {
      expect_balanced(*counters);
      EXPECT_EQ(counters->drops_total(), 0u) << counters->name;
    }
  }
  a.reset();
  b.reset();
  rte_mempool_free(pool);
}

INSTANTIATE_TEST_SUITE_P(
    AllTopologies, Topology,
    ::testing::Values(Case{"single", 1, false, 1}, Case{"single", 1, false, 1024},
                      Case{"workers-mutex", 2, false, 1}, Case{"workers-mutex", 2, false, 1024},
                      Case{"workers-spinlock", 2, false, 1},
                      Case{"workers-spinlock", 2, false, 1024}, Case{"pipeline", 2, false, 1},
                      Case{"pipeline", 2, false, 1024}, Case{"pipeline", 2, true, 1},
                      Case{"pipeline", 2, true, 1024}),
    name_of);

}  // namespace
