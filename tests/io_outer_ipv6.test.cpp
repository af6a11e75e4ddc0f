// WireGuard over an IPv6 outer header (io/headers, io/decapsulation), against known answers built
// by an independent implementation (scapy, tests/data/make_outer_ipv6_vectors.py writes
// tests/data/outer_ipv6_vectors.txt): write_outer_udp bit for bit (IPv6, a computed checksum of 0
// sent as 0xFFFF, and the IPv4 path as a regression check); udp_checksum_ok on both families;
// classify_inbound on IPv6 frames (ours, not ours, malformed); build_udp_frame into an mbuf (the
// only part that needs the EAL).
#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "dpdk_test_config.hpp"
#include "io/byte_order.hpp"
#include "io/decapsulation.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/ndp.hpp"
#include "known_answers.hpp"

using namespace actorwire;
using Bytes = std::vector<std::uint8_t>;
using io::FrameError;
using io::InboundError;

namespace {

// The constants of make_outer_ipv6_vectors.py.
constexpr std::uint16_t kSourcePort = 51820;
constexpr std::uint16_t kDestinationPort = 51821;
constexpr std::uint16_t kIpId = 0x1234;
constexpr std::size_t kPayloadSize = 32;
// Offsets in an IPv6 vector.
constexpr std::size_t kIp = io::kEthernetHeaderSize;
constexpr std::size_t kUdp6 = kIp + io::kIpv6HeaderSize;
constexpr std::size_t kUdp4 = kIp + io::kIpv4HeaderSize;

config::IpAddress address(const char* text) {
  const auto parsed = config::parse_ip_address(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(config::IpAddress{});
}
config::MacAddress mac(const char* text) {
  const auto parsed = config::parse_mac_address(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(config::MacAddress{});
}

// A whole Ethernet frame.
Bytes frame_of(const std::string& name) {
  return test_support::known_answer("outer_ipv6_vectors.txt", name, io::kOuterIpv6Overhead)
      .value_or(Bytes(io::kOuterIpv6Overhead + kPayloadSize, 0));
}

// The outer headers the vectors were built with, for either family.
io::OuterUdp outer_v6() {
  io::OuterUdp outer;
  outer.source_mac = mac("02:00:00:00:00:01");
  outer.destination_mac = mac("02:00:00:00:00:02");
  outer.source = address("2001:db8::1");
  outer.destination = address("2001:db8::2");
  outer.source_port = kSourcePort;
  outer.destination_port = kDestinationPort;
  return outer;
}
io::OuterIpv4Udp outer_v4() {
  io::OuterIpv4Udp outer;
  outer.source_mac = mac("02:00:00:00:00:01");
  outer.destination_mac = mac("02:00:00:00:00:02");
  outer.source_ip = address("192.0.2.1").v4_host_order();
  outer.destination_ip = address("192.0.2.2").v4_host_order();
  outer.source_port = kSourcePort;
  outer.destination_port = kDestinationPort;
  return outer;
}

// write_outer_udp into a buffer whose header bytes are garbage, around the payload of `expected`
// (so every header byte must be written).
Bytes written(const io::OuterUdp& outer, const Bytes& expected, std::uint16_t ip_id) {
  const std::size_t overhead = outer.overhead();
  EXPECT_GE(expected.size(), overhead);
  Bytes frame(expected.size(), 0xEE);
  std::memcpy(frame.data() + overhead, expected.data() + overhead, expected.size() - overhead);
  io::write_outer_udp(frame.data(), expected.size() - overhead, outer, ip_id);
  return frame;
}

}  // namespace

// --- write_outer_udp --------------------------------------------------------------------------

TEST(OuterUdp, OverheadFollowsTheDestinationFamily) {
  EXPECT_EQ(outer_v6().overhead(), 62u);
  EXPECT_EQ(io::kOuterIpv6Overhead, 62u);
  EXPECT_EQ(io::to_outer_udp(outer_v4()).overhead(), 42u);
}

TEST(OuterUdp, Ipv6HeadersMatchScapyBitForBit) {
  const Bytes expected = frame_of("udp6");
  ASSERT_EQ(expected.size(), io::kOuterIpv6Overhead + kPayloadSize);
  EXPECT_EQ(written(outer_v6(), expected, kIpId), expected);
  // IPv6 has no identification: the ip_id is ignored.
  EXPECT_EQ(written(outer_v6(), expected, 0), expected);
  EXPECT_EQ(written(outer_v6(), expected, 0xFFFF), expected);
}

TEST(OuterUdp, AComputedIpv6ChecksumOfZeroIsSentAsAllOnes) {
  const Bytes expected = frame_of("udp6_zero_checksum");
  ASSERT_EQ(expected[kUdp6 + 6], 0xFF);
  ASSERT_EQ(expected[kUdp6 + 7], 0xFF);
  const Bytes frame = written(outer_v6(), expected, kIpId);
  EXPECT_EQ(frame, expected);
  EXPECT_EQ(io::load_be16(frame.data() + kUdp6 + 6), 0xFFFF) << "0 would mean no checksum";
}

TEST(OuterUdp, Ipv4DestinationsStillGetTheIpv4Headers) {
  const Bytes expected = frame_of("udp4");
  ASSERT_EQ(expected.size(), io::kOuterIpv4Overhead + kPayloadSize);
  // Through write_outer_udp, with the addresses as IpAddress or converted by to_outer_udp.
  io::OuterUdp outer = outer_v6();
  outer.source = address("192.0.2.1");
  outer.destination = address("192.0.2.2");
  EXPECT_EQ(written(outer, expected, kIpId), expected);
  EXPECT_EQ(written(io::to_outer_udp(outer_v4()), expected, kIpId), expected);
  // The IPv4 identification is the ip_id.
  EXPECT_NE(written(outer, expected, kIpId + 1), expected);
  // And the IPv4 writer itself, as before.
  Bytes direct(expected.size(), 0xEE);
  std::memcpy(direct.data() + io::kOuterIpv4Overhead, expected.data() + io::kOuterIpv4Overhead,
              kPayloadSize);
  io::write_outer_ipv4_udp(direct.data(), kPayloadSize, outer_v4(), kIpId);
  EXPECT_EQ(direct, expected);
}

// --- udp_checksum_ok --------------------------------------------------------------------------

TEST(UdpChecksumOk, AcceptsTheVectors) {
  EXPECT_TRUE(io::udp_checksum_ok(frame_of("udp6").data() + kIp, true));
  EXPECT_TRUE(io::udp_checksum_ok(frame_of("udp6_zero_checksum").data() + kIp, true));
  EXPECT_TRUE(io::udp_checksum_ok(frame_of("udp4").data() + kIp, false));
}

TEST(UdpChecksumOk, RefusesEveryFlippedPayloadByte) {
  for (const char* name : {"udp6", "udp6_zero_checksum", "udp4"}) {
    const bool is_v6 = std::string(name) != "udp4";
    const Bytes original = frame_of(name);
    const std::size_t payload = is_v6 ? io::kOuterIpv6Overhead : io::kOuterIpv4Overhead;
    for (std::size_t i = payload; i < original.size(); ++i) {
      Bytes frame = original;
      frame[i] ^= 0x5A;
      EXPECT_FALSE(io::udp_checksum_ok(frame.data() + kIp, is_v6)) << name << " byte " << i;
    }
  }
}

TEST(UdpChecksumOk, Ipv6ChecksumCoversThePseudoHeaderAndTheUdpHeader) {
  const Bytes original = frame_of("udp6");
  // Source address, destination address, source port, destination port, checksum.
  for (std::size_t offset : {kIp + 8, kIp + 23, kIp + 24, kIp + 39, kUdp6, kUdp6 + 3, kUdp6 + 7}) {
    Bytes frame = original;
    frame[offset] ^= 0x01;
    EXPECT_FALSE(io::udp_checksum_ok(frame.data() + kIp, true)) << "offset " << offset;
  }
}

TEST(UdpChecksumOk, ZeroIsAbsentForIpv4ButWrongForIpv6) {
  // IPv6 (RFC 8200 8.1): a zero checksum is never valid, not even where the correct one is
  // 0xFFFF (0 and 0xFFFF are the same number in one's complement).
  for (const char* name : {"udp6", "udp6_zero_checksum"}) {
    Bytes frame = frame_of(name);
    frame[kUdp6 + 6] = frame[kUdp6 + 7] = 0;
    EXPECT_FALSE(io::udp_checksum_ok(frame.data() + kIp, true)) << name;
  }
  // IPv4 (RFC 768): zero means "not computed", accepted.
  Bytes v4 = frame_of("udp4");
  v4[kUdp4 + 6] = v4[kUdp4 + 7] = 0;
  EXPECT_TRUE(io::udp_checksum_ok(v4.data() + kIp, false));
}

// --- classify_inbound -------------------------------------------------------------------------

namespace {

struct Classified {
  FrameError parse = FrameError::kNone;
  InboundError error = InboundError::kNone;
  FrameError frame_error = FrameError::kNone;
  io::InboundUdp udp;
};

// The vectors go from 2001:db8::1 to 2001:db8::2 (ours here) port 51821 (our listen port here).
const io::Ipv6Address kOurIpv6 = address("2001:db8::2").bytes;
const std::uint32_t kOurIpv4 = 0xC0000202;  // 192.0.2.2: the IPv4 twin, never an IPv6 match

Classified classify(const Bytes& frame, const io::Ipv6Address* our_ipv6 = &kOurIpv6,
                    std::uint16_t listen_port = kDestinationPort) {
  Classified out;
  io::ParsedFrame parsed;
  out.parse = io::parse_frame(frame.data(), frame.size(), parsed);
  if (out.parse != FrameError::kNone) return out;
  out.error = io::classify_inbound(frame.data(), parsed, kOurIpv4, our_ipv6, listen_port, out.udp,
                                   out.frame_error);
  return out;
}

// An Ethernet/IPv6 frame to our address: `next_header`, `payload` after the fixed header.
Bytes ipv6_frame(std::uint8_t next_header, const Bytes& payload) {
  Bytes frame = frame_of("udp6");
  frame.resize(kUdp6);
  io::store_be16(frame.data() + kIp + 4, static_cast<std::uint16_t>(payload.size()));
  frame[kIp + 6] = next_header;
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

}  // namespace

TEST(ClassifyInboundIpv6, ATransportMessageToOurAddressAndPortIsOurs) {
  const Classified c = classify(frame_of("udp6"));
  ASSERT_EQ(c.parse, FrameError::kNone);
  ASSERT_EQ(c.error, InboundError::kNone);
  EXPECT_EQ(c.frame_error, FrameError::kNone);
  EXPECT_TRUE(c.udp.is_v6);
  EXPECT_EQ(c.udp.kind, io::InboundKind::kTransport);
  EXPECT_EQ(c.udp.source.address, address("2001:db8::1"));
  EXPECT_EQ(c.udp.source.port, kSourcePort);
  EXPECT_EQ(c.udp.ip_offset, io::kEthernetHeaderSize);
  EXPECT_EQ(c.udp.message_offset, io::kOuterIpv6Overhead);
  EXPECT_EQ(c.udp.message_length, kPayloadSize);
}

TEST(ClassifyInboundIpv6, HandshakeTypesAreHandshakesAndOthersOther) {
  for (std::uint8_t type : {1, 2, 3}) {
    Bytes frame = frame_of("udp6");
    frame[io::kOuterIpv6Overhead] = type;  // classify_inbound does not look at the checksum
    const Classified c = classify(frame);
    ASSERT_EQ(c.error, InboundError::kNone) << int{type};
    EXPECT_EQ(c.udp.kind, io::InboundKind::kHandshake) << int{type};
    EXPECT_TRUE(c.udp.is_v6);
  }
  Bytes frame = frame_of("udp6");
  frame[io::kOuterIpv6Overhead] = 5;
  const Classified c = classify(frame);
  ASSERT_EQ(c.error, InboundError::kNone);
  EXPECT_EQ(c.udp.kind, io::InboundKind::kOther);
}

TEST(ClassifyInboundIpv6, EthernetPaddingIsNotPartOfTheMessage) {
  Bytes frame = frame_of("udp6");
  frame.insert(frame.end(), 10, 0xEE);
  const Classified c = classify(frame);
  ASSERT_EQ(c.error, InboundError::kNone);
  EXPECT_EQ(c.udp.message_length, kPayloadSize);
}

TEST(ClassifyInboundIpv6, AnotherAddressOrPortIsNotForUs) {
  const Bytes frame = frame_of("udp6");
  const io::Ipv6Address other = address("2001:db8::3").bytes;
  const io::Ipv6Address source = address("2001:db8::1").bytes;  // the sender's, not ours
  EXPECT_EQ(classify(frame, &other).error, InboundError::kNotForUs);
  EXPECT_EQ(classify(frame, &source).error, InboundError::kNotForUs);
  EXPECT_EQ(classify(frame, &kOurIpv6, kSourcePort).error, InboundError::kNotForUs);
  // The IPv4 address does not count for IPv6.
  EXPECT_EQ(classify(frame, nullptr).error, InboundError::kNotForUs)
      << "a port without an IPv6 address takes no IPv6";
  // The same message in IPv4 to 192.0.2.2 is ours, so the IPv4 path still works alongside.
  const Classified v4 = classify(frame_of("udp4"), nullptr);
  ASSERT_EQ(v4.error, InboundError::kNone);
  EXPECT_FALSE(v4.udp.is_v6);
  EXPECT_EQ(v4.udp.source.address, address("192.0.2.1"));
  EXPECT_EQ(v4.udp.message_offset, io::kOuterIpv4Overhead);
  EXPECT_EQ(v4.udp.kind, io::InboundKind::kTransport);
}

TEST(ClassifyInboundIpv6, NonUdpIsNotForUs) {
  const Bytes full = frame_of("udp6");
  const Bytes udp_payload(full.begin() + kUdp6, full.end());
  for (std::uint8_t next_header : {io::kIpProtoTcp, std::uint8_t{58}}) {  // TCP, ICMPv6
    const Classified c = classify(ipv6_frame(next_header, udp_payload));
    ASSERT_EQ(c.parse, FrameError::kNone);
    EXPECT_EQ(c.error, InboundError::kNotForUs) << int{next_header};
  }
}

TEST(ClassifyInboundIpv6, UdpLengthMustMatchThePayloadLength) {
  for (std::uint16_t udp_length : {std::uint16_t{39}, std::uint16_t{41}, std::uint16_t{7},
                                   std::uint16_t{0}, std::uint16_t{0xFFFF}}) {
    Bytes frame = frame_of("udp6");
    io::store_be16(frame.data() + kUdp6 + 4, udp_length);
    const Classified c = classify(frame);
    ASSERT_EQ(c.parse, FrameError::kNone);
    EXPECT_EQ(c.error, InboundError::kFrame) << udp_length;
    EXPECT_EQ(c.frame_error, FrameError::kMalformedUdp) << udp_length;
  }
  // A shorter IPv6 payload than the UDP length says (the frame cut to match): malformed too.
  Bytes frame = frame_of("udp6");
  frame.resize(frame.size() - 4);
  io::store_be16(frame.data() + kIp + 4, 36);
  const Classified c = classify(frame);
  ASSERT_EQ(c.parse, FrameError::kNone);
  EXPECT_EQ(c.error, InboundError::kFrame);
  EXPECT_EQ(c.frame_error, FrameError::kMalformedUdp);
}

TEST(ClassifyInboundIpv6, ATruncatedUdpHeaderIsAFrameError) {
  const Bytes full = frame_of("udp6");
  for (std::size_t length : {0u, 1u, 4u, 7u}) {
    const Classified c = classify(
        ipv6_frame(io::kIpProtoUdp, Bytes(full.begin() + kUdp6, full.begin() + kUdp6 + length)));
    ASSERT_EQ(c.parse, FrameError::kNone) << length;
    EXPECT_EQ(c.error, InboundError::kFrame) << length;
    EXPECT_EQ(c.frame_error, FrameError::kTruncatedUdp) << length;
  }
  // Exactly a header and no payload is a well-formed (empty) datagram.
  Bytes header(full.begin() + kUdp6, full.begin() + kUdp6 + 8);
  io::store_be16(header.data() + 4, 8);
  const Classified empty = classify(ipv6_frame(io::kIpProtoUdp, header));
  ASSERT_EQ(empty.error, InboundError::kNone);
  EXPECT_EQ(empty.udp.message_length, 0u);
  EXPECT_EQ(empty.udp.kind, io::InboundKind::kOther);
}

// --- build_udp_frame (mbufs: needs the EAL) ---------------------------------------------------

class BuildUdpFrame : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(io::start_eal(test_support::default_test_config().dpdk.eal_args, error)) << error;
    // No per-lcore cache: the available count is exact.
    pool_ = rte_pktmbuf_pool_create("outer_ipv6_pool", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                    SOCKET_ID_ANY);
    ASSERT_NE(pool_, nullptr);
  }
  static void TearDownTestSuite() {
    if (pool_ != nullptr) rte_mempool_free(pool_);
    pool_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(pool_, nullptr);
    start_avail_ = rte_mempool_avail_count(pool_);
  }
  void TearDown() override {
    if (pool_ == nullptr) return;
    EXPECT_EQ(rte_mempool_avail_count(pool_), start_avail_) << "mbufs leaked or freed twice";
  }

  static Bytes contents(const rte_mbuf* mbuf) {
    const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
    return Bytes(data, data + mbuf->data_len);
  }

  inline static rte_mempool* pool_ = nullptr;
  unsigned start_avail_ = 0;
};

TEST_F(BuildUdpFrame, Ipv6FrameMatchesScapy) {
  for (const char* name : {"udp6", "udp6_zero_checksum"}) {
    const Bytes expected = frame_of(name);
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
    ASSERT_NE(mbuf, nullptr);
    ASSERT_TRUE(io::build_udp_frame(mbuf, outer_v6(), expected.data() + io::kOuterIpv6Overhead,
                                    kPayloadSize, kIpId));
    EXPECT_EQ(mbuf->pkt_len, expected.size());
    EXPECT_EQ(contents(mbuf), expected) << name;
    rte_pktmbuf_free(mbuf);
  }
}

TEST_F(BuildUdpFrame, Ipv4FrameMatchesScapyThroughBothOverloads) {
  const Bytes expected = frame_of("udp4");
  const std::uint8_t* payload = expected.data() + io::kOuterIpv4Overhead;
  rte_mbuf* a = rte_pktmbuf_alloc(pool_);
  rte_mbuf* b = rte_pktmbuf_alloc(pool_);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(io::build_udp_frame(a, outer_v4(), payload, kPayloadSize, kIpId));
  EXPECT_TRUE(io::build_udp_frame(b, io::to_outer_udp(outer_v4()), payload, kPayloadSize, kIpId));
  EXPECT_EQ(contents(a), expected);
  EXPECT_EQ(contents(b), expected);
  rte_pktmbuf_free(a);
  rte_pktmbuf_free(b);
}

TEST_F(BuildUdpFrame, APayloadThatDoesNotFitIsRefused) {
  rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
  ASSERT_NE(mbuf, nullptr);
  const std::size_t room = rte_pktmbuf_tailroom(mbuf);
  ASSERT_GT(room, io::kOuterIpv6Overhead);
  const Bytes payload(room, 0x42);
  // Fits in IPv4 (20 bytes less), not in IPv6.
  const std::size_t length = room - io::kOuterIpv6Overhead + 1;
  EXPECT_FALSE(io::build_udp_frame(mbuf, outer_v6(), payload.data(), length, 0));
  EXPECT_EQ(mbuf->data_len, 0u) << "left empty";
  EXPECT_TRUE(io::build_udp_frame(mbuf, io::to_outer_udp(outer_v4()), payload.data(), length, 0));
  rte_pktmbuf_free(mbuf);
}
