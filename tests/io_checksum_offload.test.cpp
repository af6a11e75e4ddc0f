// The outer checksums of a frame in an mbuf (io/checksum_offload.hpp): in software where the
// port offers no offload (net_ring, the one port the tests have), and otherwise the request the
// NIC needs (ol_flags, l2_len, l3_len, the UDP field holding the pseudo-header sum). A NIC's
// part is done here by hand: summing the UDP datagram from the field the driver left must give
// the software checksum, bit for bit.
#include <gtest/gtest.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "dpdk_test_config.hpp"
#include "io/byte_order.hpp"
#include "io/checksum_offload.hpp"
#include "io/decapsulation.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/port.hpp"

using namespace actorwire;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::uint16_t kIpId = 0x1234;
constexpr std::size_t kPayloadSize = 45;  // odd: the last checksum word is half a byte pair

io::OuterUdp outer_of(bool v6, io::ChecksumOffloads offloads) {
  io::OuterUdp outer;
  outer.source_mac = *config::parse_mac_address("02:00:00:00:00:01");
  outer.destination_mac = *config::parse_mac_address("02:00:00:00:00:02");
  outer.source = *config::parse_ip_address(v6 ? "2001:db8::1" : "192.0.2.1");
  outer.destination = *config::parse_ip_address(v6 ? "2001:db8::99" : "198.51.100.7");
  outer.source_port = 51820;
  outer.destination_port = 40000;
  outer.offloads = offloads;
  return outer;
}

Bytes payload() {
  Bytes bytes(kPayloadSize);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(7 * i + 3);
  return bytes;
}

// What a NIC does with RTE_MBUF_F_TX_UDP_CKSUM: the one's complement sum of the UDP datagram,
// starting from what the field holds (the pseudo-header sum), complemented; 0 goes out as 0xFFFF.
std::uint16_t nic_udp_checksum(const std::uint8_t* udp, std::size_t udp_length) {
  const std::uint16_t sum = rte_raw_cksum(udp, udp_length);
  const std::uint16_t checksum = static_cast<std::uint16_t>(~sum);
  return checksum == 0 ? 0xFFFF : checksum;
}

class ChecksumOffload : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(io::start_eal(test_support::default_test_config().dpdk.eal_args, error)) << error;
    pool_ =
        rte_pktmbuf_pool_create("offload_pool", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ASSERT_NE(pool_, nullptr);
  }
  static void TearDownTestSuite() {
    if (pool_ != nullptr) rte_mempool_free(pool_);
    pool_ = nullptr;
  }

  // A frame built by build_udp_frame with `offloads`; the caller frees it.
  rte_mbuf* build(bool v6, io::ChecksumOffloads offloads) {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
    EXPECT_NE(mbuf, nullptr);
    if (mbuf == nullptr) return nullptr;
    const Bytes bytes = payload();
    EXPECT_TRUE(
        io::build_udp_frame(mbuf, outer_of(v6, offloads), bytes.data(), bytes.size(), kIpId));
    return mbuf;
  }
  static Bytes contents(const rte_mbuf* mbuf) {
    const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
    return Bytes(data, data + mbuf->data_len);
  }

  inline static rte_mempool* pool_ = nullptr;
};

constexpr std::size_t kIp = io::kEthernetHeaderSize;
constexpr std::size_t kUdp4 = kIp + io::kIpv4HeaderSize;
constexpr std::size_t kUdp6 = kIp + io::kIpv6HeaderSize;
constexpr std::uint64_t kTxFlags = RTE_MBUF_F_TX_OFFLOAD_MASK;

TEST_F(ChecksumOffload, WithoutOffloadsBothChecksumsAreComputedAndNothingIsAsked) {
  rte_mbuf* mbuf = build(false, {});
  ASSERT_NE(mbuf, nullptr);
  const Bytes frame = contents(mbuf);
  // The byte-level writer is the reference (its output is checked against scapy elsewhere).
  Bytes expected = frame;
  io::write_outer_udp(expected.data(), kPayloadSize, outer_of(false, {}), kIpId);
  EXPECT_EQ(frame, expected);
  EXPECT_TRUE(io::ipv4_udp_checksum_ok(frame.data() + kIp));
  EXPECT_EQ(rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(frame.data() + kIp)), 0)
      << "a correct header sums to 0xFFFF: rte_ipv4_cksum over it gives 0";
  EXPECT_EQ(mbuf->ol_flags & kTxFlags, 0u);
  rte_pktmbuf_free(mbuf);
}

TEST_F(ChecksumOffload, Ipv4WithBothOffloadsLeavesThemToTheNic) {
  rte_mbuf* reference = build(false, {});
  rte_mbuf* mbuf = build(false, {true, true});
  ASSERT_NE(reference, nullptr);
  ASSERT_NE(mbuf, nullptr);
  EXPECT_EQ(mbuf->ol_flags & kTxFlags,
            RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM);
  EXPECT_EQ(mbuf->l2_len, io::kEthernetHeaderSize);
  EXPECT_EQ(mbuf->l3_len, io::kIpv4HeaderSize);
  Bytes frame = contents(mbuf);
  const Bytes expected = contents(reference);
  EXPECT_EQ(io::load_be16(frame.data() + kIp + 10), 0) << "IP checksum left to the NIC";
  const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(frame.data() + kIp);
  std::uint16_t pseudo = 0;
  std::memcpy(&pseudo, frame.data() + kUdp4 + 6, 2);
  EXPECT_EQ(pseudo, rte_ipv4_phdr_cksum(ip, mbuf->ol_flags));
  // The NIC's part, by hand: then the frame is the software one, byte for byte.
  const std::uint16_t udp = nic_udp_checksum(frame.data() + kUdp4, frame.size() - kUdp4);
  std::memcpy(frame.data() + kUdp4 + 6, &udp, 2);
  const std::uint16_t header = rte_ipv4_cksum(ip);
  std::memcpy(frame.data() + kIp + 10, &header, 2);
  EXPECT_EQ(frame, expected);
  rte_pktmbuf_free(mbuf);
  rte_pktmbuf_free(reference);
}

TEST_F(ChecksumOffload, Ipv4HeaderOffloadAloneStillComputesTheUdpChecksum) {
  rte_mbuf* mbuf = build(false, {true, false});
  ASSERT_NE(mbuf, nullptr);
  EXPECT_EQ(mbuf->ol_flags & kTxFlags, RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM);
  const Bytes frame = contents(mbuf);
  EXPECT_TRUE(io::ipv4_udp_checksum_ok(frame.data() + kIp));
  EXPECT_NE(io::load_be16(frame.data() + kUdp4 + 6), 0);
  EXPECT_EQ(io::load_be16(frame.data() + kIp + 10), 0);
  rte_pktmbuf_free(mbuf);
}

TEST_F(ChecksumOffload, Ipv6UdpOffloadLeavesThePseudoHeaderSum) {
  rte_mbuf* reference = build(true, {});
  rte_mbuf* mbuf = build(true, {true, true});  // the IPv4 one has nothing to do on IPv6
  ASSERT_NE(reference, nullptr);
  ASSERT_NE(mbuf, nullptr);
  EXPECT_EQ(reference->ol_flags & kTxFlags, 0u);
  EXPECT_TRUE(io::udp_checksum_ok(contents(reference).data() + kIp, true));
  EXPECT_EQ(mbuf->ol_flags & kTxFlags, RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM);
  EXPECT_EQ(mbuf->l2_len, io::kEthernetHeaderSize);
  EXPECT_EQ(mbuf->l3_len, io::kIpv6HeaderSize);
  Bytes frame = contents(mbuf);
  const std::uint16_t udp = nic_udp_checksum(frame.data() + kUdp6, frame.size() - kUdp6);
  std::memcpy(frame.data() + kUdp6 + 6, &udp, 2);
  EXPECT_EQ(frame, contents(reference));
  rte_pktmbuf_free(mbuf);
  rte_pktmbuf_free(reference);
}

TEST_F(ChecksumOffload, RewritingAFrameClearsAnEarlierRequest) {
  rte_mbuf* mbuf = build(false, {true, true});
  ASSERT_NE(mbuf, nullptr);
  io::write_outer_udp(mbuf, kPayloadSize, outer_of(false, {}), kIpId);
  EXPECT_EQ(mbuf->ol_flags & kTxFlags, 0u);
  EXPECT_TRUE(io::ipv4_udp_checksum_ok(contents(mbuf).data() + kIp));
  rte_pktmbuf_free(mbuf);
}

TEST(ChecksumOffloads, OnlyWhatTheDeviceOffersIsEnabled) {
  EXPECT_EQ(io::wanted_tx_checksum_offloads(0), 0u);
  const std::uint64_t all = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
                            RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
  EXPECT_EQ(io::wanted_tx_checksum_offloads(all),
            RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
  const io::ChecksumOffloads udp_only =
      io::checksum_offloads_of(io::wanted_tx_checksum_offloads(RTE_ETH_TX_OFFLOAD_UDP_CKSUM));
  EXPECT_FALSE(udp_only.ipv4);
  EXPECT_TRUE(udp_only.udp);
}

TEST_F(ChecksumOffload, RingPortsOfferNoneSoSoftwareIsUsed) {
  config::GatewayConfig config = test_support::default_test_config();
  const config::PortConfig* wan = config.port(config::PortRole::kWan);
  ASSERT_NE(wan, nullptr);
  std::string error;
  auto port = io::Port::open(*wan, config.dpdk, pool_, 1, error);
  ASSERT_NE(port, nullptr) << error;
  EXPECT_FALSE(port->tx_checksum_offloads().ipv4);
  EXPECT_FALSE(port->tx_checksum_offloads().udp);
}

}  // namespace
