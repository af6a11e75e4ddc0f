// Frame parsing and building: every truncation and malformation is refused with its reason,
// and the outer headers we build carry correct checksums.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "io/headers.hpp"
#include "io/traffic_generator.hpp"

using namespace actorwire;
using io::FrameError;

namespace {

std::vector<std::uint8_t> ipv4_udp_frame(std::size_t ip_size) {
  io::TrafficPattern pattern;
  pattern.source_ip = 0x0A0A0064;
  pattern.destination_prefix = *config::parse_ip_prefix("10.20.0.0/16");
  pattern.ip_sizes = {static_cast<std::uint16_t>(ip_size)};
  io::TrafficGenerator generator(pattern);
  std::vector<std::uint8_t> frame(generator.frame_length(7));
  generator.write_frame(7, frame.data());
  return frame;
}

std::vector<std::uint8_t> ipv6_frame(std::size_t payload) {
  std::vector<std::uint8_t> frame(io::kEthernetHeaderSize + io::kIpv6HeaderSize + payload, 0);
  frame[12] = 0x86;
  frame[13] = 0xDD;
  std::uint8_t* ip = frame.data() + io::kEthernetHeaderSize;
  ip[0] = 0x60;
  ip[4] = static_cast<std::uint8_t>(payload >> 8);
  ip[5] = static_cast<std::uint8_t>(payload);
  ip[6] = io::kIpProtoUdp;
  return frame;
}

std::vector<std::uint8_t> arp_frame() {
  std::vector<std::uint8_t> frame(io::kArpFrameSize);
  io::ArpPacket arp;
  arp.operation = io::kArpRequest;
  arp.sender_ip = 0xC0000202;
  arp.target_ip = 0xC0000201;
  io::write_arp_frame(frame.data(), io::kBroadcastMac, arp);
  return frame;
}

FrameError parse(const std::vector<std::uint8_t>& frame, std::size_t length) {
  io::ParsedFrame parsed;
  return io::parse_frame(frame.data(), length, parsed);
}

}  // namespace

TEST(ParseFrame, EveryTruncationOfAnIpv4FrameIsRefusedWithItsReason) {
  const auto frame = ipv4_udp_frame(86);  // 100-byte frame
  ASSERT_EQ(frame.size(), 100u);
  for (std::size_t length = 0; length <= frame.size(); ++length) {
    const FrameError error = parse(frame, length);
    if (length < io::kEthernetHeaderSize) {
      EXPECT_EQ(error, FrameError::kTruncatedEthernet) << length;
    } else if (length < frame.size()) {
      EXPECT_EQ(error, FrameError::kTruncatedIp) << length;
    } else {
      EXPECT_EQ(error, FrameError::kNone);
    }
  }
}

TEST(ParseFrame, EveryTruncationOfIpv6AndArpFramesIsRefused) {
  const auto v6 = ipv6_frame(46);
  ASSERT_EQ(v6.size(), 100u);
  for (std::size_t length = io::kEthernetHeaderSize; length < v6.size(); ++length) {
    EXPECT_EQ(parse(v6, length), FrameError::kTruncatedIp) << length;
  }
  EXPECT_EQ(parse(v6, v6.size()), FrameError::kNone);
  const auto arp = arp_frame();
  for (std::size_t length = io::kEthernetHeaderSize; length < arp.size(); ++length) {
    EXPECT_EQ(parse(arp, length), FrameError::kTruncatedArp) << length;
  }
  EXPECT_EQ(parse(arp, arp.size()), FrameError::kNone);
}

TEST(ParseFrame, EthernetPaddingAfterTheIpPacketIsExcluded) {
  auto frame = ipv4_udp_frame(28);
  frame.resize(60, 0);  // minimum Ethernet frame
  io::ParsedFrame parsed;
  ASSERT_EQ(io::parse_frame(frame.data(), frame.size(), parsed), FrameError::kNone);
  EXPECT_EQ(parsed.l3_length, 28u);
}

TEST(ParseFrame, MalformedHeadersAreRefused) {
  struct Case {
    const char* what;
    std::size_t offset;
    std::uint8_t value;
    FrameError expected;
  };
  const Case cases[] = {
      {"IP version 5", 14, 0x55, FrameError::kMalformedIp},
      {"IHL below 5", 14, 0x44, FrameError::kMalformedIp},
      {"IHL beyond the packet", 14, 0x4F, FrameError::kMalformedIp},  // checksum then fails
      {"total length below header", 17, 10, FrameError::kMalformedIp},
      {"total length beyond frame", 16, 0x7F, FrameError::kTruncatedIp},
      {"bad header checksum", 24, 0xAA, FrameError::kMalformedIp},
      {"unknown EtherType", 12, 0x12, FrameError::kUnsupportedEtherType},
  };
  for (const auto& c : cases) {
    auto frame = ipv4_udp_frame(86);
    frame[c.offset] = c.value;
    EXPECT_EQ(parse(frame, frame.size()), c.expected) << c.what;
  }
  auto arp = arp_frame();
  arp[14 + 1] = 6;  // hardware type 6
  EXPECT_EQ(parse(arp, arp.size()), FrameError::kMalformedArp);
}

TEST(ParseFrame, RandomBytesNeverReadPastTheEnd) {
  // Every length 0..100 of pseudo-random bytes with each EtherType we know: no crash, no
  // out-of-bounds read (ASan watches), and a definite answer.
  std::uint32_t state = 12345;
  for (std::uint16_t ether_type : {io::kEtherTypeIpv4, io::kEtherTypeIpv6, io::kEtherTypeArp}) {
    for (std::size_t length = 0; length <= 100; ++length) {
      std::vector<std::uint8_t> frame(length);
      for (auto& byte : frame) {
        state = state * 1103515245 + 12345;
        byte = static_cast<std::uint8_t>(state >> 16);
      }
      if (length >= 14) {
        frame[12] = static_cast<std::uint8_t>(ether_type >> 8);
        frame[13] = static_cast<std::uint8_t>(ether_type);
      }
      io::ParsedFrame parsed;
      const FrameError error = io::parse_frame(frame.data(), frame.size(), parsed);
      if (error == FrameError::kNone) {
        EXPECT_LE(parsed.l3_offset + parsed.l3_length, length);
      }
    }
  }
}

TEST(OuterHeaders, ChecksumsAreFilledAndCorrect) {
  std::vector<std::uint8_t> frame(io::kOuterIpv4Overhead + 100);
  for (std::size_t i = 0; i < 100; ++i)
    frame[io::kOuterIpv4Overhead + i] = static_cast<std::uint8_t>(i);
  io::OuterIpv4Udp outer;
  outer.source_mac = *config::parse_mac_address("02:00:00:00:00:01");
  outer.destination_mac = *config::parse_mac_address("02:00:00:00:00:02");
  outer.source_ip = 0xC0000201;
  outer.destination_ip = 0xC0000202;
  outer.source_port = 51820;
  outer.destination_port = 51821;
  io::write_outer_ipv4_udp(frame.data(), 100, outer, 42);

  io::ParsedFrame parsed;
  ASSERT_EQ(io::parse_frame(frame.data(), frame.size(), parsed), FrameError::kNone);
  const std::uint8_t* ip = frame.data() + io::kEthernetHeaderSize;
  io::UdpView udp;
  ASSERT_EQ(io::parse_ipv4_udp(ip, parsed.l3_length, udp), FrameError::kNone);
  EXPECT_EQ(udp.source_port, 51820);
  EXPECT_EQ(udp.destination_port, 51821);
  EXPECT_EQ(udp.payload_length, 100u);
  EXPECT_EQ(udp.destination, config::IpAddress::v4(0xC0000202));
  const std::uint8_t* udp_header = ip + io::kIpv4HeaderSize;
  EXPECT_NE(udp_header[6] | udp_header[7], 0) << "outer UDP checksum must be filled";
  EXPECT_TRUE(io::ipv4_udp_checksum_ok(ip));
  frame[io::kOuterIpv4Overhead + 50] ^= 1;
  EXPECT_FALSE(io::ipv4_udp_checksum_ok(ip));
}

TEST(ParseIpv4Udp, RefusesInconsistentUdpLengths) {
  auto frame = ipv4_udp_frame(86);
  std::uint8_t* ip = frame.data() + io::kEthernetHeaderSize;
  io::UdpView udp;
  ASSERT_EQ(io::parse_ipv4_udp(ip, 86, udp), FrameError::kNone);
  EXPECT_EQ(udp.payload_length, 58u);
  ip[20 + 4] = 0x10;  // UDP length 4096 > IP payload
  EXPECT_EQ(io::parse_ipv4_udp(ip, 86, udp), FrameError::kMalformedUdp);
  ip[20 + 4] = 0;
  ip[20 + 5] = 4;  // UDP length below its header
  EXPECT_EQ(io::parse_ipv4_udp(ip, 86, udp), FrameError::kMalformedUdp);
}
