// End to end through the `single` topology over in-process net_ring ports: generated traffic
// goes in on the LAN port, and every packet that leaves the WAN port is checked as a peer
// would: outer headers, checksums, receiver index, counter, and the decrypted inner packet
// byte for byte against what went in.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "actors/gateway.hpp"
#include "crypto/transport.hpp"
#include "dpdk_test_config.hpp"
#include "io/byte_order.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/icmp.hpp"
#include "poll_until.hpp"

using namespace actorwire;
using namespace std::chrono_literals;

namespace {

struct Verified {
  std::uint64_t packets = 0;
  std::vector<bool> seen;
};

std::uint64_t total_drops(const actors::StageCounters& counters) {
  return counters.drops_total();
}

// Checks one WAN frame as the peer would and records its sequence number.
void verify_wan_frame(rte_mbuf* mbuf, const config::GatewayConfig& config,
                      const io::TrafficGenerator& traffic, crypto::Aead& aead,
                      std::uint64_t expected_counter, Verified& verified) {
  const auto& peer = config.peers.at(0);
  const auto& session = *peer.static_session;
  auto* frame = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
  io::ParsedFrame parsed;
  ASSERT_EQ(io::parse_frame(frame, mbuf->data_len, parsed), io::FrameError::kNone);
  ASSERT_EQ(parsed.kind, io::FrameKind::kIpv4);
  const auto* wan = config.port(config::PortRole::kWan);
  ASSERT_EQ(std::memcmp(frame, wan->neighbours.at(0).mac.bytes.data(), 6), 0) << "next-hop MAC";
  std::uint8_t* ip = frame + parsed.l3_offset;
  io::UdpView udp;
  ASSERT_EQ(io::parse_ipv4_udp(ip, parsed.l3_length, udp), io::FrameError::kNone);
  ASSERT_TRUE(io::ipv4_udp_checksum_ok(ip));
  ASSERT_EQ(udp.destination, peer.endpoint->address);
  ASSERT_EQ(udp.destination_port, peer.endpoint->port);
  ASSERT_EQ(udp.source_port, config.interface.listen_port);

  std::uint8_t* message = ip + udp.payload_offset;
  const auto header = crypto::parse_transport_header(message, udp.payload_length);
  ASSERT_TRUE(header.has_value());
  ASSERT_EQ(header->receiver_index, session.send_index);
  ASSERT_EQ(header->counter, expected_counter) << "single keeps order: counters are sequential";
  // The peer receives with the key we send with.
  const auto plaintext_length =
      crypto::open_transport(aead, session.send_key, *header, message, udp.payload_length);
  ASSERT_TRUE(plaintext_length.has_value()) << "authentication failed";
  const std::uint8_t* inner = message + wg::kTransportHeaderSize;
  const std::size_t inner_length = (std::size_t{inner[2]} << 8) | inner[3];
  ASSERT_LE(inner_length, *plaintext_length);
  ASSERT_EQ(*plaintext_length % 16 == 0 || *plaintext_length == config.interface.mtu, true);
  for (std::size_t i = inner_length; i < *plaintext_length; ++i)
    ASSERT_EQ(inner[i], 0) << "padding";
  const auto seq = io::TrafficGenerator::sequence_of(inner, inner_length);
  ASSERT_TRUE(seq.has_value());
  std::vector<std::uint8_t> expected(traffic.frame_length(*seq));
  traffic.write_frame(*seq, expected.data());
  ASSERT_EQ(inner_length, expected.size() - io::kEthernetHeaderSize);
  ASSERT_EQ(std::memcmp(inner, expected.data() + io::kEthernetHeaderSize, inner_length), 0)
      << "inner packet " << *seq << " differs from what went in";
  ASSERT_LT(*seq, verified.seen.size());
  ASSERT_FALSE(verified.seen[*seq]) << "duplicate " << *seq;
  verified.seen[*seq] = true;
  ++verified.packets;
}

}  // namespace

TEST(SingleTopology, EveryGeneratedPacketLeavesEncryptedAndDecryptsToItsInput) {
  for (const auto aead_kind : {crypto::AeadKind::kOpenSsl, crypto::AeadKind::kLibsodium}) {
    SCOPED_TRACE(crypto::to_string(aead_kind));
    config::GatewayConfig config = test_support::default_test_config();
    constexpr std::uint64_t kPackets = 100000;
    config.crypto.aead = aead_kind;
    config.generator.max_packets = kPackets;
    config.generator.flows = 1024;
    config.generator.packet_sizes = {64, 1420, 36, 576, 100, 1000, 1419, 48, 1280, 700};
    actors::GatewayOptions options;
    options.attach_sink = false;
    std::string error;
    auto gateway = actors::Gateway::start(config, options, error);
    ASSERT_NE(gateway, nullptr) << error;
    auto aead = crypto::make_aead(crypto::AeadKind::kLibsodium);  // the reference opens
    Verified verified;
    verified.seen.resize(kPackets);
    rte_ring* wan_out = gateway->port(config::PortRole::kWan).capture_ring();
    const auto& single = *gateway->counters().front();
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto mbufs = test_support::drain(wan_out);
      for (rte_mbuf* mbuf : mbufs) {
        verify_wan_frame(mbuf, config, *gateway->traffic(), *aead, verified.packets, verified);
        rte_pktmbuf_free(mbuf);
        if (HasFatalFailure()) return;
      }
      if (mbufs.empty()) {
        if (gateway->generator_finished() && single.packets_in.get() == kPackets &&
            single.packets_out.get() + total_drops(single) == single.packets_in.get()) {
          break;
        }
        std::this_thread::sleep_for(100us);
      }
    }
    gateway->stop();
    EXPECT_EQ(gateway->generator_counters()->packets_out.get(), kPackets);
    EXPECT_EQ(single.packets_in.get(), kPackets);
    EXPECT_EQ(total_drops(single), 0u) << "nothing may be lost";
    EXPECT_EQ(single.packets_out.get(), kPackets);
    EXPECT_EQ(verified.packets, kPackets);
    // The gateway's own actors: every stage, not the generator and sink that stand for the wire.
    std::vector<std::string> own;
    for (const auto& counters : gateway->gateway_counters()) own.push_back(counters->name);
    const std::size_t harness = (gateway->generator_counters() != nullptr ? 1u : 0u) +
                                (gateway->sink_counters() != nullptr ? 1u : 0u);
    EXPECT_EQ(harness, 1u) << "this test runs the generator and captures the WAN itself";
    EXPECT_EQ(own.size() + harness, gateway->counters().size());
    EXPECT_NE(std::find(own.begin(), own.end(), "single"), own.end());
    EXPECT_EQ(std::find(own.begin(), own.end(), "generator"), own.end());
    EXPECT_EQ(std::find(own.begin(), own.end(), "sink"), own.end());
  }
}

TEST(SingleTopology, CountersBalanceWithDropsByReason) {
  config::GatewayConfig config = test_support::default_test_config();
  config.generator.max_packets = 0;
  std::string error;
  actors::GatewayOptions options;
  options.attach_generator = false;
  options.attach_sink = false;
  auto gateway = actors::Gateway::start(config, options, error);
  ASSERT_NE(gateway, nullptr) << error;
  auto& lan = gateway->port(config::PortRole::kLan);
  // Frames of every length 0..100 cut from a valid 100-byte frame, plus frames the gateway
  // has no peer or no room for.
  io::TrafficPattern pattern;
  pattern.destination_mac = lan.identity().mac;
  pattern.source_ip = 0x0A0A0064;
  pattern.destination_prefix = config.peers[0].allowed_ips[0];
  pattern.ip_sizes = {86};
  const io::TrafficGenerator traffic(pattern);
  io::TrafficPattern no_peer_pattern = pattern;
  no_peer_pattern.destination_prefix = *config::parse_ip_prefix("172.16.0.0/12");
  const io::TrafficGenerator no_peer_traffic(no_peer_pattern);
  io::TrafficPattern too_big_pattern = pattern;
  too_big_pattern.ip_sizes = {1500};
  const io::TrafficGenerator too_big_traffic(too_big_pattern);

  rte_mempool* pool = nullptr;
  {
    // Borrow mbufs from the gateway's own pool through a frame it would allocate.
    std::string pool_error;
    pool = io::make_mbuf_pool(ACTORWIRE_TEST_NAME "_pool", 1024, pool_error);
    ASSERT_NE(pool, nullptr) << pool_error;
  }
  std::map<actors::DropReason, std::uint64_t> expected;
  std::uint64_t sent = 0;
  auto inject = [&](const io::TrafficGenerator& source, std::size_t length) {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool);
    ASSERT_NE(mbuf, nullptr);
    ASSERT_TRUE(source.fill(mbuf, sent));
    rte_pktmbuf_trim(mbuf, static_cast<std::uint16_t>(mbuf->data_len - length));
    ASSERT_TRUE(test_support::poll_until(
        10s, "room in the LAN inject ring",
        [&] { return rte_ring_enqueue(lan.inject_ring(), mbuf) == 0; },
        [] { std::this_thread::sleep_for(10us); }));
    ++sent;
  };
  // The same, with DF set on the IPv4 packet (its header checksum fixed up).
  auto inject_dont_fragment = [&](const io::TrafficGenerator& source, std::size_t length) {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool);
    ASSERT_NE(mbuf, nullptr);
    ASSERT_TRUE(source.fill(mbuf, sent));
    rte_pktmbuf_trim(mbuf, static_cast<std::uint16_t>(mbuf->data_len - length));
    std::uint8_t* ip = rte_pktmbuf_mtod(mbuf, std::uint8_t*) + io::kEthernetHeaderSize;
    ip[6] |= 0x40;
    ip[10] = ip[11] = 0;
    const std::uint16_t checksum = io::ipv4_header_checksum(ip);
    std::memcpy(ip + 10, &checksum, sizeof checksum);
    ASSERT_TRUE(test_support::poll_until(
        10s, "room in the LAN inject ring",
        [&] { return rte_ring_enqueue(lan.inject_ring(), mbuf) == 0; },
        [] { std::this_thread::sleep_for(10us); }));
    ++sent;
  };
  for (std::size_t length = 0; length <= 100; ++length) {
    inject(traffic, length);
    if (length < io::kEthernetHeaderSize) {
      ++expected[actors::DropReason::kTruncatedEthernet];
    } else if (length < 100) {
      ++expected[actors::DropReason::kTruncatedIp];
    }
  }
  for (int i = 0; i < 10; ++i) inject(no_peer_traffic, no_peer_traffic.frame_length(0));
  expected[actors::DropReason::kNoPeer] += 10;
  // Above the MTU without DF: fragmented (1480 bytes of data at MTU 1420: 1400 + 80).
  for (int i = 0; i < 5; ++i) inject(too_big_traffic, too_big_traffic.frame_length(0));
  // With DF: dropped, and the sender hears "fragmentation needed" on the LAN.
  for (int i = 0; i < 4; ++i) {
    inject_dont_fragment(too_big_traffic, too_big_traffic.frame_length(0));
  }
  expected[actors::DropReason::kInnerTooBig] += 4;

  const auto& single = *gateway->counters().front();
  rte_ring* wan_out = gateway->port(config::PortRole::kWan).capture_ring();
  rte_ring* lan_out = lan.capture_ring();
  std::uint64_t out = 0;
  EXPECT_TRUE(test_support::poll_until(
      30s, "the single actor to take every injected frame and account for it",
      [&] {
        return single.packets_in.get() >= sent &&
               single.packets_in.get() + single.packets_generated.get() ==
                   single.packets_out.get() + single.packets_consumed.get() + single.drops_total();
      },
      [] { std::this_thread::sleep_for(1ms); },
      [&] { return std::to_string(single.packets_in.get()) + " of " + std::to_string(sent); }));
  gateway->stop();
  for (rte_mbuf* mbuf : test_support::drain(wan_out)) {
    ++out;
    rte_pktmbuf_free(mbuf);
  }
  std::uint64_t icmp_errors = 0;
  for (rte_mbuf* mbuf : test_support::drain(lan_out)) {
    const std::uint8_t* ip = rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + io::kEthernetHeaderSize;
    // To the sender, ICMP type 3 code 4 with the tunnel MTU.
    EXPECT_EQ(io::load_be32(ip + 16), pattern.source_ip);
    EXPECT_EQ(ip[9], io::kIpProtoIcmp);
    EXPECT_EQ(ip[20], 3);
    EXPECT_EQ(ip[21], 4);
    EXPECT_EQ(io::load_be16(ip + 26), config.interface.mtu);
    ++icmp_errors;
    rte_pktmbuf_free(mbuf);
  }
  EXPECT_EQ(single.packets_in.get(), sent);
  EXPECT_EQ(out, 1u + 5 * 2) << "the one complete 100-byte frame and 2 fragments per big one";
  EXPECT_EQ(single.packets_fragmented.get(), 5u);
  EXPECT_EQ(icmp_errors, 4u);
  EXPECT_EQ(single.icmp_sent.get(), 4u);
  EXPECT_EQ(single.packets_out.get(), out + icmp_errors);
  for (const auto& [reason, count] : expected) {
    EXPECT_EQ(single.drops_of(reason), count) << actors::to_string(reason);
  }
  EXPECT_EQ(single.packets_in.get() + single.packets_generated.get(),
            single.packets_out.get() + single.packets_consumed.get() + single.drops_total());
  gateway.reset();
  rte_mempool_free(pool);
}
