// Shared by the unit tests of actors/dataplane/: a fixture that starts the EAL once per process
// and owns one mbuf pool (every test must give back every mbuf it took), a config with a second
// peer that has no keys, and builders for the frames and inner packets those tests feed in.
#pragma once

#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "actors/common/stage_counters.hpp"
#include "config/gateway_config.hpp"
#include "crypto/keys.hpp"
#include "dpdk_test_config.hpp"
#include "io/byte_order.hpp"
#include "io/decapsulation.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"

namespace actorwire::test_support {

inline constexpr std::uint32_t kPoolSize = 4096;

class DataPlaneTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(io::start_eal(default_test_config().dpdk.eal_args, error)) << error;
    // One pool per suite; the name can be reused because the previous suite freed its pool.
    pool_ = io::make_mbuf_pool("dp_test_pool", kPoolSize, error);
    ASSERT_NE(pool_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    if (pool_ != nullptr) rte_mempool_free(pool_);
    pool_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(pool_, nullptr);
    // Counted per test, so that one test's leak fails that test only.
    start_avail_ = rte_mempool_avail_count(pool_);
  }
  void TearDown() override {
    if (pool_ == nullptr) return;
    EXPECT_EQ(rte_mempool_avail_count(pool_), start_avail_) << "mbufs leaked or freed twice";
  }

  // A name unique in the process, for the LPM tables of a PeerTable/PeerPlane.
  static std::string unique_name(const char* stem) {
    static int serial = 0;
    return std::string(stem) + std::to_string(serial++);
  }

  inline static rte_mempool* pool_ = nullptr;
  unsigned start_avail_ = 0;
};

// The embedded default config (peer 0: allowed 10.20.0.0/16, endpoint 192.0.2.2:51820, a
// static session) with fixed static-session indices, plus peer 1: allowed 10.30.0.0/16,
// endpoint 192.0.2.3:51820, and no keys (it needs a handshake).
inline constexpr std::uint32_t kStaticSendIndex = 0x11111111;
inline constexpr std::uint32_t kStaticReceiveIndex = 0x22222222;
inline config::GatewayConfig two_peer_config() {
  config::GatewayConfig config = default_test_config();
  EXPECT_EQ(config.peers.size(), 1u);
  EXPECT_TRUE(config.peers.at(0).static_session.has_value());
  config.peers[0].static_session->send_index = kStaticSendIndex;
  config.peers[0].static_session->receive_index = kStaticReceiveIndex;
  config::PeerConfig second;
  second.public_key = crypto::derive_public_key(crypto::random_secret_key());
  second.endpoint = *config::parse_endpoint("192.0.2.3:51820");
  second.allowed_ips = {*config::parse_ip_prefix("10.30.0.0/16")};
  config.peers.push_back(second);
  return config;
}

inline std::uint32_t ipv4(const char* text) {
  return config::parse_ip_address(text)->v4_host_order();
}

// A valid IPv4 header (UDP, correct header checksum) followed by zero bytes: `total_length`
// bytes in all.
// The IP id field tells packets apart (e.g. to check an order).
inline std::vector<std::uint8_t> ipv4_packet(std::uint32_t source, std::uint32_t destination,
                                             std::size_t total_length, std::uint16_t ip_id = 0) {
  std::vector<std::uint8_t> packet(total_length, 0);
  std::uint8_t* ip = packet.data();
  ip[0] = 0x45;
  io::store_be16(ip + 2, static_cast<std::uint16_t>(total_length));
  io::store_be16(ip + 4, ip_id);
  ip[8] = io::kDefaultTtl;
  ip[9] = io::kIpProtoUdp;
  io::store_be32(ip + 12, source);
  io::store_be32(ip + 16, destination);
  const std::uint16_t checksum = io::ipv4_header_checksum(ip);
  std::memcpy(ip + 10, &checksum, 2);  // already in network order
  return packet;
}

// A minimal IPv6 header (no extension headers) followed by `payload_length` zero bytes.
inline std::vector<std::uint8_t> ipv6_packet(const config::IpAddress& source,
                                             const config::IpAddress& destination,
                                             std::size_t payload_length) {
  std::vector<std::uint8_t> packet(io::kIpv6HeaderSize + payload_length, 0);
  packet[0] = 0x60;
  io::store_be16(packet.data() + 4, static_cast<std::uint16_t>(payload_length));
  packet[6] = io::kIpProtoUdp;
  packet[7] = io::kDefaultTtl;
  std::memcpy(packet.data() + 8, source.bytes.data(), 16);
  std::memcpy(packet.data() + 24, destination.bytes.data(), 16);
  return packet;
}

// An mbuf holding exactly `bytes`.
inline rte_mbuf* mbuf_with(rte_mempool* pool, const std::vector<std::uint8_t>& bytes) {
  rte_mbuf* mbuf = rte_pktmbuf_alloc(pool);
  EXPECT_NE(mbuf, nullptr);
  if (mbuf == nullptr) return nullptr;
  auto* data = reinterpret_cast<std::uint8_t*>(
      rte_pktmbuf_append(mbuf, static_cast<std::uint16_t>(bytes.size())));
  EXPECT_NE(data, nullptr);
  if (data != nullptr && !bytes.empty()) std::memcpy(data, bytes.data(), bytes.size());
  return mbuf;
}

// An Ethernet frame around an IP packet. The destination MAC is zero unless given, as in the
// frames the gateway builds before PortSide writes the neighbour's.
inline std::vector<std::uint8_t> ethernet_frame(const std::vector<std::uint8_t>& l3,
                                                std::uint16_t ether_type,
                                                const config::MacAddress& destination = {}) {
  std::vector<std::uint8_t> frame(io::kEthernetHeaderSize + l3.size());
  io::write_ethernet_header(frame.data(), destination, config::MacAddress{{0x02, 0, 0, 0, 0, 0xFE}},
                            ether_type);
  std::memcpy(frame.data() + io::kEthernetHeaderSize, l3.data(), l3.size());
  return frame;
}

// A complete Ethernet/IPv4/UDP frame carrying `payload` (both checksums correct).
inline rte_mbuf* udp_frame(rte_mempool* pool, const io::OuterIpv4Udp& outer,
                           const std::vector<std::uint8_t>& payload) {
  rte_mbuf* mbuf = rte_pktmbuf_alloc(pool);
  EXPECT_NE(mbuf, nullptr);
  if (mbuf == nullptr) return nullptr;
  EXPECT_TRUE(io::build_udp_frame(mbuf, outer, payload.data(), payload.size(), 1));
  return mbuf;
}

// An Ethernet/ARP frame.
inline rte_mbuf* arp_frame(rte_mempool* pool, const config::MacAddress& ethernet_destination,
                           const io::ArpPacket& arp) {
  std::vector<std::uint8_t> bytes(io::kArpFrameSize);
  io::write_arp_frame(bytes.data(), ethernet_destination, arp);
  return mbuf_with(pool, bytes);
}

inline void expect_balanced(const actors::StageCounters& c) {
  EXPECT_EQ(c.packets_in.get() + c.packets_generated.get(),
            c.packets_out.get() + c.packets_consumed.get() + c.drops_total())
      << c.name << ": in " << c.packets_in.get() << " generated " << c.packets_generated.get()
      << " out " << c.packets_out.get() << " consumed " << c.packets_consumed.get() << " drops "
      << c.drops_total();
}

}  // namespace actorwire::test_support

namespace actorwire::actors {
// Readable failure messages for drop reasons (found by gtest through ADL).
inline void PrintTo(DropReason reason, std::ostream* os) {
  *os << to_string(reason);
}
}  // namespace actorwire::actors
