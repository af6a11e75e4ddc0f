// Every datagram that reaches the WAN port is accounted for, in every topology: a flood of
// garbage, initiation-shaped datagrams (bad mac1), transport messages for no keypair and
// datagrams for another port is injected into the WAN port's rx ring, and once the gateway has
// taken them all, the drops of its actors (data plane and handshake actor) add up to exactly
// what went in. The lead: with `pipeline` a 240,000-datagram flood was counted as
// 239,867 drops; in process nothing may go missing, and what the kernel drops before the
// gateway polls shows as the port's rx_missed (io/packet_socket_drops.hpp).
#include <gtest/gtest.h>
#include <rte_mbuf.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "actors/gateway.hpp"
#include "crypto/messages.hpp"
#include "dataplane_test_support.hpp"
#include "dpdk_test_config.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/rss.hpp"
#include "poll_until.hpp"
#include "wan_injection.hpp"

using namespace actorwire;
using namespace std::chrono_literals;

namespace {

using Param = test_support::TopologyParam;

class WanFloodAccounting : public ::testing::TestWithParam<Param> {};

// The datagram of flood message `k`: four shapes in turn, random bytes otherwise.
std::vector<std::uint8_t> flood_message(std::size_t k, std::mt19937& random) {
  std::vector<std::uint8_t> message;
  switch (k % 4) {
    case 0:  // initiation-shaped: right type and size, mac1 does not verify
      message.assign(wg::kInitiationSize, 0);
      message[0] = 1;
      break;
    case 1:  // transport message for a receiver index nobody has
      message.assign(wg::kTransportHeaderSize + wg::kAeadTagSize + 16, 0);
      message[0] = 4;
      break;
    case 2:  // an unknown message type
      message.assign(1 + random() % 200, 0);
      message[0] = static_cast<std::uint8_t>(5 + random() % 200);
      break;
    default:  // cookie-reply-shaped for no request
      message.assign(wg::kCookieReplySize, 0);
      message[0] = 3;
      break;
  }
  for (std::size_t i = 4; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(random());
  return message;
}

TEST_P(WanFloodAccounting, EveryDatagramOnTheWanIsCounted) {
  config::GatewayConfig config = test_support::default_test_config();
  config.topology.kind = *config::parse_topology_kind(GetParam().kind);
  config.topology.crypto_workers = GetParam().workers;
  actors::GatewayOptions options;
  options.attach_generator = false;
  options.attach_sink = false;
  std::string error;
  auto gateway = actors::Gateway::start(config, options, error);
  ASSERT_NE(gateway, nullptr) << error;
  rte_mempool* pool = io::make_mbuf_pool("wan_flood", 8192, error);
  ASSERT_NE(pool, nullptr) << error;

  io::Port& wan = gateway->port(config::PortRole::kWan);
  io::OuterIpv4Udp outer;
  outer.destination_mac = wan.identity().mac;
  outer.source_mac = config::MacAddress{{0x02, 0, 0, 0, 0x0F, 0x01}};
  outer.destination_ip = 0xC0000201;  // 192.0.2.1, the gateway's WAN address
  outer.destination_port = config.interface.listen_port;
  constexpr std::size_t kDatagrams = 20000;
  std::mt19937 random(15);
  for (std::size_t k = 0; k < kDatagrams; ++k) {
    // Many sources (198.18.0.0/15), as a flood would come.
    outer.source_ip = 0xC6120000u + static_cast<std::uint32_t>(k % 4096);
    outer.source_port = static_cast<std::uint16_t>(1024 + k % 50000);
    test_support::inject_datagram(wan, pool, outer, flood_message(k, random));
    if (HasFatalFailure()) break;
  }
  auto dropped = [&] {
    std::uint64_t total = 0;
    for (const auto& counters : gateway->gateway_counters()) total += counters->drops_total();
    return total;
  };
  auto summary = [&] {
    std::string out = "drops " + std::to_string(dropped()) + " of " + std::to_string(kDatagrams);
    for (const auto& counters : gateway->gateway_counters()) {
      for (std::size_t r = 1; r < actors::kDropReasonCount; ++r) {
        const auto reason = static_cast<actors::DropReason>(r);
        if (const auto n = counters->drops_of(reason)) {
          out.append("; ").append(counters->name).append(" ").append(actors::to_string(reason));
          out.append("=").append(std::to_string(n));
        }
      }
    }
    return out;
  };
  EXPECT_TRUE(test_support::poll_until(
      30s, "a counted drop for every flood datagram", [&] { return dropped() >= kDatagrams; },
      [] { std::this_thread::sleep_for(1ms); }, summary));
  std::this_thread::sleep_for(20ms);  // nothing may be counted twice either
  gateway->stop();
  EXPECT_EQ(dropped(), kDatagrams) << summary();
  for (const auto& counters : gateway->gateway_counters()) {
    test_support::expect_balanced(*counters);
  }
  const auto* control = gateway->control_counters();
  ASSERT_NE(control, nullptr);
  EXPECT_EQ(control->noise_messages.get(), 0u) << "nothing in the flood gets past mac1";
  EXPECT_EQ(wan.stats().rx_missed, 0u) << "in process the test waited for every one";
  for (rte_mbuf* mbuf : test_support::drain(wan.capture_ring(), 4096)) rte_pktmbuf_free(mbuf);
  gateway.reset();
  rte_mempool_free(pool);
}

INSTANTIATE_TEST_SUITE_P(Topologies, WanFloodAccounting,
                         ::testing::Values(Param{"single", 1}, Param{"pipeline", 2},
                                           Param{"workers-spinlock", 2}, Param{"workers-mutex", 2}),
                         test_support::topology_param_name);

}  // namespace
