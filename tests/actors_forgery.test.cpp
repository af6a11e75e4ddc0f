// Forged and replayed transport messages against a running gateway, which the test faces as
// its peer (the embedded default's static session: the test knows the keys the peer sends
// with). Each is counted under its own drop reason, none reaches the LAN, and none changes the
// peer's state: endpoint, last handshake, keypairs, the replay window (a forged high counter
// must not move it), the send counter and the peer's traffic counters. Then the peer floods
// garbage from its own endpoint: the endpoint stays, the session stays, traffic still flows.
#include <gtest/gtest.h>
#include <rte_mbuf.h>

#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "actors/gateway.hpp"
#include "crypto/aead.hpp"
#include "crypto/keys.hpp"
#include "crypto/messages.hpp"
#include "crypto/transport.hpp"
#include "dataplane_test_support.hpp"
#include "dpdk_test_config.hpp"
#include "io/byte_order.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/rss.hpp"
#include "poll_until.hpp"
#include "wan_injection.hpp"

using namespace actorwire;
using namespace std::chrono_literals;
using actors::DropReason;

namespace {

using Param = test_support::TopologyParam;

const config::MacAddress kLanHostMac{{0x02, 0, 0, 0, 0x0A, 0x05}};
const config::MacAddress kPeerMac{{0x02, 0, 0, 0, 0x02, 0x02}};
constexpr std::uint32_t kLanHost = 0x0A0A0005;     // 10.10.0.5, behind our LAN port
constexpr std::uint32_t kRemoteHost = 0x0A140007;  // 10.20.0.7, behind the peer
constexpr std::uint32_t kPeerIp = 0xC0000202;      // 192.0.2.2, the peer's endpoint
constexpr std::uint32_t kSpoofedIp = 0xCB007109;   // 203.0.113.9

// What a forgery must leave as it was.
struct PeerState {
  std::string endpoint;
  std::optional<actors::Clock::time_point> last_handshake;
  std::optional<actors::Clock::time_point> current_keypair;
  std::optional<actors::Clock::time_point> previous_keypair;
  std::uint64_t rx_packets = 0, rx_bytes = 0, keepalives_received = 0, sessions_installed = 0;
  bool operator==(const PeerState&) const = default;
};

void PrintTo(const PeerState& s, std::ostream* os) {
  *os << "{endpoint " << s.endpoint << ", handshake " << s.last_handshake.has_value()
      << ", current " << s.current_keypair.has_value() << ", previous "
      << s.previous_keypair.has_value() << ", rx " << s.rx_packets << "/" << s.rx_bytes
      << ", keepalives " << s.keepalives_received << ", sessions " << s.sessions_installed << "}";
}

class Forgeries : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    config_ = test_support::default_test_config();
    config_.topology.kind = *config::parse_topology_kind(GetParam().kind);
    config_.topology.crypto_workers = GetParam().workers;
    for (auto& port : config_.ports) {
      if (port.role == config::PortRole::kLan) {
        port.neighbours.push_back({config::IpAddress::v4(kLanHost), kLanHostMac});
      }
    }
    session_ = *config_.peers.at(0).static_session;
    actors::GatewayOptions options;
    options.attach_generator = false;
    options.attach_sink = false;
    std::string error;
    gateway_ = actors::Gateway::start(config_, options, error);
    ASSERT_NE(gateway_, nullptr) << error;
    pool_ = io::make_mbuf_pool("forgeries", 2048, error);
    ASSERT_NE(pool_, nullptr) << error;
    aead_ = crypto::make_aead(crypto::AeadKind::kLibsodium);
  }
  void TearDown() override {
    if (gateway_) {
      gateway_->stop();
      for (auto role : {config::PortRole::kLan, config::PortRole::kWan}) {
        for (rte_mbuf* mbuf : test_support::drain(gateway_->port(role).capture_ring(), 4096)) {
          rte_pktmbuf_free(mbuf);
        }
      }
    }
    gateway_.reset();
    if (pool_ != nullptr) rte_mempool_free(pool_);
  }

  // A transport message as the peer sends it: an inner IPv4 packet (`id` tells it apart) from
  // kRemoteHost to kLanHost, sealed with `key` for `receiver` under `counter`.
  std::vector<std::uint8_t> transport(std::uint64_t counter, std::uint16_t id,
                                      const crypto::SecretKey& key, std::uint32_t receiver) {
    const auto inner = test_support::ipv4_packet(kRemoteHost, kLanHost, 60, id);
    std::vector<std::uint8_t> message(crypto::sealed_size(inner.size(), config_.interface.mtu));
    std::memcpy(message.data() + wg::kTransportHeaderSize, inner.data(), inner.size());
    message.resize(crypto::seal_transport(*aead_, key, receiver, counter, message.data(),
                                          inner.size(), config_.interface.mtu));
    return message;
  }
  std::vector<std::uint8_t> valid(std::uint64_t counter, std::uint16_t id) {
    return transport(counter, id, session_.receive_key, session_.receive_index);
  }

  void inject(const std::vector<std::uint8_t>& message, std::uint32_t source_ip = kPeerIp,
              std::uint16_t source_port = 51820) {
    io::Port& wan = gateway_->port(config::PortRole::kWan);
    io::OuterIpv4Udp outer;
    outer.destination_mac = wan.identity().mac;
    outer.source_mac = kPeerMac;
    outer.source_ip = source_ip;
    outer.destination_ip = 0xC0000201;
    outer.source_port = source_port;
    outer.destination_port = config_.interface.listen_port;
    test_support::inject_datagram(wan, pool_, outer, message);
  }

  std::uint64_t data_drops(DropReason reason) const {
    std::uint64_t total = 0;
    for (const auto& counters : gateway_->gateway_counters()) {
      if (counters->name != "handshake") total += counters->drops_of(reason);
    }
    return total;
  }
  std::uint64_t all_drops() const {
    std::uint64_t total = 0;
    for (const auto& counters : gateway_->gateway_counters()) total += counters->drops_total();
    return total;
  }

  // The IP ids of the inner packets that left the LAN port within `wait`.
  std::vector<std::uint16_t> lan_output(std::size_t expected, std::chrono::milliseconds wait) {
    std::vector<std::uint16_t> ids;
    rte_ring* ring = gateway_->port(config::PortRole::kLan).capture_ring();
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (ids.size() < expected && std::chrono::steady_clock::now() < deadline) {
      for (rte_mbuf* mbuf : test_support::drain(ring)) {
        const auto* ip = rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + io::kEthernetHeaderSize;
        ids.push_back(io::load_be16(ip + 4));
        rte_pktmbuf_free(mbuf);
      }
      std::this_thread::sleep_for(200us);
    }
    return ids;
  }

  // Sends a packet from the LAN into the tunnel; returns the counter it left the WAN with.
  std::uint64_t send_counter() {
    auto frame = test_support::ethernet_frame(
        test_support::ipv4_packet(kLanHost, kRemoteHost, 60), io::kEtherTypeIpv4,
        gateway_->port(config::PortRole::kLan).identity().mac);
    rte_mbuf* mbuf = test_support::mbuf_with(pool_, frame);
    EXPECT_EQ(rte_ring_enqueue(gateway_->port(config::PortRole::kLan).inject_ring(), mbuf), 0);
    rte_ring* wan = gateway_->port(config::PortRole::kWan).capture_ring();
    std::vector<rte_mbuf*> out;
    EXPECT_TRUE(test_support::poll_until(
        5s, "the LAN packet sealed on the WAN",
        [&] {
          out = test_support::drain(wan);
          return !out.empty();
        },
        [] { std::this_thread::sleep_for(200us); }));
    std::uint64_t counter = ~std::uint64_t{0};
    for (rte_mbuf* sealed : out) {
      const auto* frame_bytes = rte_pktmbuf_mtod(sealed, const std::uint8_t*);
      constexpr std::size_t kMessage =
          io::kEthernetHeaderSize + io::kIpv4HeaderSize + io::kUdpHeaderSize;
      const auto header =
          crypto::parse_transport_header(frame_bytes + kMessage, sealed->data_len - kMessage);
      if (header) counter = header->counter;
      rte_pktmbuf_free(sealed);
    }
    return counter;
  }

  PeerState peer_state() const {
    const auto& peer = *gateway_->peer_counters().at(0);
    const auto status = peer.status.read();
    PeerState state;
    state.endpoint = status.endpoint ? config::to_string(*status.endpoint) : "none";
    state.last_handshake = status.last_handshake;
    state.current_keypair = status.current_keypair_created;
    state.previous_keypair = status.previous_keypair_created;
    state.rx_packets = peer.rx_packets.get();
    state.rx_bytes = peer.rx_bytes.get();
    state.keepalives_received = peer.keepalives_received.get();
    state.sessions_installed = peer.sessions_installed.get();
    return state;
  }

  // Injects `message` and waits until it is counted as a drop for `reason`.
  void expect_refused(const char* what, const std::vector<std::uint8_t>& message, DropReason reason,
                      std::uint32_t source_ip = kPeerIp) {
    SCOPED_TRACE(what);
    const std::uint64_t before = data_drops(reason);
    const std::uint64_t total_before = all_drops();
    inject(message, source_ip);
    EXPECT_TRUE(test_support::poll_until(
        5s, std::string("a ") + actors::to_string(reason).data() + " drop",
        [&] { return all_drops() > total_before; }, [] { std::this_thread::sleep_for(200us); }));
    EXPECT_EQ(data_drops(reason), before + 1) << "counted under another reason";
    EXPECT_EQ(all_drops(), total_before + 1);
  }

  config::GatewayConfig config_;
  config::StaticSession session_;
  std::unique_ptr<actors::Gateway> gateway_;
  rte_mempool* pool_ = nullptr;
  std::unique_ptr<crypto::Aead> aead_;
};

TEST_P(Forgeries, EachIsCountedUnderItsOwnReasonAndChangesNothing) {
  // The peer's genuine traffic: counters 10 and 9000 (the window's top is now 9000).
  inject(valid(10, 1));
  inject(valid(9000, 2));
  EXPECT_EQ(lan_output(2, 5s), (std::vector<std::uint16_t>{1, 2}));
  const std::uint64_t first_send = send_counter();
  const PeerState before = peer_state();
  ASSERT_EQ(before.rx_packets, 2u);

  auto flipped = [](std::vector<std::uint8_t> message, std::size_t byte) {
    message.at(byte) ^= 0x01;
    return message;
  };
  expect_refused("wrong key", transport(11, 3, crypto::random_secret_key(), session_.receive_index),
                 DropReason::kDecryptFailed);
  expect_refused("wrong receiver index",
                 transport(12, 4, session_.receive_key, session_.receive_index + 1),
                 DropReason::kUnknownIndex);
  expect_refused("flipped ciphertext bit", flipped(valid(13, 5), wg::kTransportHeaderSize + 3),
                 DropReason::kDecryptFailed);
  expect_refused("flipped tag bit", flipped(valid(14, 6), valid(14, 6).size() - 1),
                 DropReason::kDecryptFailed);
  // A forged counter far ahead: if it moved the window, 9001 below would be too old.
  auto ahead = valid(15, 7);
  const std::uint64_t far_ahead = 100000;  // little-endian on the wire, as on this host
  std::memcpy(ahead.data() + 8, &far_ahead, sizeof far_ahead);
  expect_refused("forged counter far ahead", ahead, DropReason::kDecryptFailed);
  expect_refused("replayed inside the window", valid(9000, 8), DropReason::kReplayed);
  expect_refused("authentic but behind the window", valid(5, 9), DropReason::kReplayTooOld);
  expect_refused("counter at REJECT_AFTER_MESSAGES", valid(wg::kRejectAfterMessages, 10),
                 DropReason::kCounterLimit);
  // From another address: refused as well, and the endpoint must not follow it.
  expect_refused("flipped bit from a spoofed address", flipped(valid(16, 11), 20),
                 DropReason::kDecryptFailed, kSpoofedIp);
  expect_refused("replay from a spoofed address", valid(10, 12), DropReason::kReplayTooOld,
                 kSpoofedIp);
  expect_refused("replay of the top from a spoofed address", valid(9000, 13), DropReason::kReplayed,
                 kSpoofedIp);

  EXPECT_TRUE(lan_output(1, 50ms).empty()) << "a forgery reached the LAN";
  EXPECT_EQ(peer_state(), before) << "a forgery changed the peer's state";
  EXPECT_EQ(send_counter(), first_send + 1) << "the send counter moved";
  // The window did not move: the next genuine counters are accepted, from the same endpoint.
  inject(valid(9001, 14));
  inject(valid(1000, 15));  // behind 9001 by less than the window: still new
  EXPECT_EQ(lan_output(2, 5s), (std::vector<std::uint16_t>{14, 15}));
  EXPECT_EQ(peer_state().endpoint, "192.0.2.2:51820");
  for (const auto& counters : gateway_->gateway_counters())
    test_support::expect_balanced(*counters);
}

TEST_P(Forgeries, ASessionSurvivesGarbageFloodedFromThePeersOwnEndpoint) {
  inject(valid(1, 1));
  EXPECT_EQ(lan_output(1, 5s), (std::vector<std::uint16_t>{1}));
  const PeerState before = peer_state();
  const std::uint64_t first_send = send_counter();
  const std::uint64_t drops_before = all_drops();
  // Garbage from 192.0.2.2:51820 itself: transport-shaped for our index with random bytes and
  // counters, random handshake-shaped and typeless datagrams, truncated ones.
  std::mt19937 random(4);
  constexpr int kGarbage = 3000;
  for (int i = 0; i < kGarbage; ++i) {
    std::vector<std::uint8_t> message;
    switch (i % 4) {
      case 0:
        message.resize(32 + random() % 1400);
        for (auto& byte : message) byte = static_cast<std::uint8_t>(random());
        message[0] = 4;
        message[1] = message[2] = message[3] = 0;
        std::memcpy(message.data() + 4, &session_.receive_index, 4);  // little-endian
        break;
      case 1:
        message.resize(wg::kInitiationSize);
        for (auto& byte : message) byte = static_cast<std::uint8_t>(random());
        message[0] = 1;
        message[1] = message[2] = message[3] = 0;
        break;
      case 2:
        message.resize(1 + random() % 31);
        for (auto& byte : message) byte = static_cast<std::uint8_t>(random());
        break;
      default:
        message.resize(1 + random() % 600);
        for (auto& byte : message) byte = static_cast<std::uint8_t>(random());
        break;
    }
    inject(message);
  }
  EXPECT_TRUE(test_support::poll_until(
      10s, "a counted drop for every garbage datagram",
      [&] { return all_drops() >= drops_before + kGarbage; },
      [] { std::this_thread::sleep_for(1ms); },
      [&] {
        return std::to_string(all_drops() - drops_before) + " of " + std::to_string(kGarbage);
      }));
  EXPECT_EQ(all_drops(), drops_before + kGarbage);
  EXPECT_TRUE(lan_output(1, 50ms).empty()) << "garbage reached the LAN";
  EXPECT_EQ(peer_state(), before) << "the garbage changed the session";
  // The tunnel still works both ways.
  EXPECT_EQ(send_counter(), first_send + 1);
  inject(valid(2, 2));
  EXPECT_EQ(lan_output(1, 5s), (std::vector<std::uint16_t>{2}));
  EXPECT_EQ(peer_state().endpoint, "192.0.2.2:51820");
}

INSTANTIATE_TEST_SUITE_P(Topologies, Forgeries,
                         ::testing::Values(Param{"single", 1}, Param{"pipeline", 2}),
                         test_support::topology_param_name);

}  // namespace
