// Software RSS: the Toeplitz hash matches the published RSS verification suite (Microsoft's
// "Verifying the RSS Hash Calculation", also the Intel 82599 datasheet's table) with the
// default key, the redirection table spreads hashes round-robin, and a frame's queue comes from
// the right tuple: ports for unfragmented TCP/UDP, addresses otherwise, queue 0 for non-IP.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "io/byte_order.hpp"
#include "io/headers.hpp"
#include "io/rss.hpp"

using namespace actorwire;

namespace {

struct VerificationCase {
  const char* destination;
  std::uint16_t destination_port;
  const char* source;
  std::uint16_t source_port;
  std::uint32_t addresses_hash;  // "IPv4" / "IPv6" column
  std::uint32_t ports_hash;      // "with TCP" column
};

constexpr std::array<VerificationCase, 5> kIpv4Suite{{
    {"161.142.100.80", 1766, "66.9.149.187", 2794, 0x323e8fc2, 0x51ccc178},
    {"65.69.140.83", 4739, "199.92.111.2", 14230, 0xd718262a, 0xc626b0ea},
    {"12.22.207.184", 38024, "24.19.198.95", 12898, 0xd2d0a5de, 0x5c2b394a},
    {"209.142.163.6", 2217, "38.27.205.30", 48228, 0x82989176, 0xafc7327f},
    {"202.188.127.2", 1303, "153.39.163.191", 44251, 0x5d1809c5, 0x10e828a2},
}};

constexpr std::array<VerificationCase, 3> kIpv6Suite{{
    {"3ffe:2501:200:3::1", 1766, "3ffe:2501:200:1fff::7", 2794, 0x2cc18cd5, 0x40207d3d},
    {"ff02::1", 4739, "3ffe:501:8::260:97ff:fe40:efab", 14230, 0x0f0c461c, 0xdde51bbf},
    {"fe80::200:f8ff:fe21:67cf", 38024, "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251, 0x4b61e985,
     0x02d1feef},
}};

config::IpAddress ip(const char* text) {
  const auto address = config::parse_ip_address(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(config::IpAddress{});
}

// 128 queues make rss_queue the raw redirection-table index (hash & 127), so a frame test can
// tell which tuple was hashed.
constexpr std::uint16_t kOneQueuePerTableEntry = io::kRssRedirectionTableSize;

std::uint16_t table_index(std::uint32_t hash) {
  return static_cast<std::uint16_t>(hash % io::kRssRedirectionTableSize);
}

// An Ethernet/IPv4 frame with an 8-byte L4 header (ports first, like TCP's and UDP's).
std::vector<std::uint8_t> ipv4_frame(const VerificationCase& tuple, std::uint8_t protocol,
                                     std::uint16_t fragment_field = 0) {
  constexpr std::size_t kL4Size = 8;
  std::vector<std::uint8_t> frame(io::kEthernetHeaderSize + io::kIpv4HeaderSize + kL4Size, 0);
  io::write_ethernet_header(frame.data(), config::MacAddress{{2, 0, 0, 0, 0, 1}},
                            config::MacAddress{{2, 0, 0, 0, 0, 2}}, io::kEtherTypeIpv4);
  std::uint8_t* header = frame.data() + io::kEthernetHeaderSize;
  header[0] = 0x45;
  io::store_be16(header + 2, io::kIpv4HeaderSize + kL4Size);
  io::store_be16(header + 6, fragment_field);
  header[8] = io::kDefaultTtl;
  header[9] = protocol;
  io::store_be32(header + 12, ip(tuple.source).v4_host_order());
  io::store_be32(header + 16, ip(tuple.destination).v4_host_order());
  const std::uint16_t checksum = io::ipv4_header_checksum(header);
  std::memcpy(header + 10, &checksum, 2);
  io::store_be16(header + io::kIpv4HeaderSize, tuple.source_port);
  io::store_be16(header + io::kIpv4HeaderSize + 2, tuple.destination_port);
  return frame;
}

std::vector<std::uint8_t> ipv6_frame(const VerificationCase& tuple, std::uint8_t next_header) {
  constexpr std::size_t kL4Size = 8;
  std::vector<std::uint8_t> frame(io::kEthernetHeaderSize + io::kIpv6HeaderSize + kL4Size, 0);
  io::write_ethernet_header(frame.data(), config::MacAddress{{2, 0, 0, 0, 0, 1}},
                            config::MacAddress{{2, 0, 0, 0, 0, 2}}, io::kEtherTypeIpv6);
  std::uint8_t* header = frame.data() + io::kEthernetHeaderSize;
  header[0] = 0x60;
  io::store_be16(header + 4, kL4Size);
  header[6] = next_header;
  header[7] = io::kDefaultTtl;
  std::memcpy(header + 8, ip(tuple.source).bytes.data(), 16);
  std::memcpy(header + 24, ip(tuple.destination).bytes.data(), 16);
  io::store_be16(header + io::kIpv6HeaderSize, tuple.source_port);
  io::store_be16(header + io::kIpv6HeaderSize + 2, tuple.destination_port);
  return frame;
}

std::uint16_t queue_of(const std::vector<std::uint8_t>& frame, std::uint16_t queues) {
  return io::rss_queue_for_frame(frame.data(), frame.size(), queues);
}

}  // namespace

TEST(RssHash, Ipv4MatchesTheVerificationSuite) {
  for (const auto& row : kIpv4Suite) {
    SCOPED_TRACE(std::string(row.source) + " -> " + row.destination);
    const std::uint32_t source = ip(row.source).v4_host_order();
    const std::uint32_t destination = ip(row.destination).v4_host_order();
    EXPECT_EQ(io::rss_hash_ipv4(source, destination), row.addresses_hash);
    EXPECT_EQ(io::rss_hash_ipv4(source, destination, row.source_port, row.destination_port),
              row.ports_hash);
  }
}

TEST(RssHash, Ipv6MatchesTheVerificationSuite) {
  for (const auto& row : kIpv6Suite) {
    SCOPED_TRACE(std::string(row.source) + " -> " + row.destination);
    const auto source = ip(row.source).bytes;
    const auto destination = ip(row.destination).bytes;
    EXPECT_EQ(io::rss_hash_ipv6(source, destination), row.addresses_hash);
    EXPECT_EQ(io::rss_hash_ipv6(source, destination, row.source_port, row.destination_port),
              row.ports_hash);
  }
}

TEST(RssQueue, RoundRobinTableGivesEveryQueueAnEqualShareOfEntries) {
  for (std::uint16_t queues : {1, 2, 3, 4, 6, 8}) {
    SCOPED_TRACE("queues " + std::to_string(queues));
    std::vector<unsigned> entries(queues, 0);
    for (std::uint32_t index = 0; index < io::kRssRedirectionTableSize; ++index) {
      const std::uint16_t queue = io::rss_queue(index, queues);
      ASSERT_LT(queue, queues);
      EXPECT_EQ(queue, index % queues);  // filled round-robin
      ++entries[queue];
    }
    for (unsigned count : entries) {
      EXPECT_GE(count, io::kRssRedirectionTableSize / queues);
      EXPECT_LE(count, io::kRssRedirectionTableSize / queues + 1);
    }
  }
}

TEST(RssQueue, OnlyTheLowSevenBitsOfTheHashPickTheEntry) {
  EXPECT_EQ(io::rss_queue(0x51ccc178, kOneQueuePerTableEntry), 0x78);
  EXPECT_EQ(io::rss_queue(0xFFFFFF80, 4), io::rss_queue(0, 4));
  EXPECT_EQ(io::rss_queue(0x12345600 | 5, 4), 1);
  EXPECT_EQ(io::rss_queue(0xFFFFFFFF, 1), 0);
  EXPECT_EQ(io::rss_queue(0xFFFFFFFF, 0), 0);  // no queues configured: the default queue
}

TEST(RssQueueForFrame, UnfragmentedTcpAndUdpHashTheirPorts) {
  for (const auto& row : kIpv4Suite) {
    SCOPED_TRACE(row.source);
    const std::uint16_t expected = table_index(row.ports_hash);
    EXPECT_EQ(queue_of(ipv4_frame(row, io::kIpProtoTcp), kOneQueuePerTableEntry), expected);
    EXPECT_EQ(queue_of(ipv4_frame(row, io::kIpProtoUdp), kOneQueuePerTableEntry), expected);
  }
  for (const auto& row : kIpv6Suite) {
    SCOPED_TRACE(row.source);
    const std::uint16_t expected = table_index(row.ports_hash);
    EXPECT_EQ(queue_of(ipv6_frame(row, io::kIpProtoTcp), kOneQueuePerTableEntry), expected);
    EXPECT_EQ(queue_of(ipv6_frame(row, io::kIpProtoUdp), kOneQueuePerTableEntry), expected);
  }
}

TEST(RssQueueForFrame, OtherProtocolsAndFragmentsHashTheAddressesOnly) {
  constexpr std::uint8_t kIcmp = 1;
  constexpr std::uint16_t kMoreFragments = 0x2000;
  constexpr std::uint16_t kLaterFragmentOffset = 185;  // in 8-byte units: 1480 bytes in
  for (const auto& row : kIpv4Suite) {
    SCOPED_TRACE(row.source);
    const std::uint16_t expected = table_index(row.addresses_hash);
    EXPECT_EQ(queue_of(ipv4_frame(row, kIcmp), kOneQueuePerTableEntry), expected);
    EXPECT_EQ(queue_of(ipv4_frame(row, io::kIpProtoUdp, kMoreFragments), kOneQueuePerTableEntry),
              expected);
    EXPECT_EQ(
        queue_of(ipv4_frame(row, io::kIpProtoUdp, kLaterFragmentOffset), kOneQueuePerTableEntry),
        expected);
  }
  for (const auto& row : kIpv6Suite) {
    SCOPED_TRACE(row.source);
    constexpr std::uint8_t kIcmpv6 = 58;
    EXPECT_EQ(queue_of(ipv6_frame(row, kIcmpv6), kOneQueuePerTableEntry),
              table_index(row.addresses_hash));
  }
}

TEST(RssQueueForFrame, NonIpAndMalformedFramesGoToQueueZero) {
  std::vector<std::uint8_t> arp(io::kArpFrameSize);
  io::ArpPacket request;
  request.operation = io::kArpRequest;
  request.sender_ip = 0xC0000202;
  request.target_ip = 0xC0000201;
  io::write_arp_frame(arp.data(), io::kBroadcastMac, request);
  EXPECT_EQ(queue_of(arp, 4), 0);

  // The suite's first row lands on table entry 0x78 = 120 with ports: not queue 0 of 128.
  auto corrupted = ipv4_frame(kIpv4Suite[0], io::kIpProtoUdp);
  ASSERT_NE(queue_of(corrupted, kOneQueuePerTableEntry), 0);
  corrupted[io::kEthernetHeaderSize + 10] ^= 0xFF;  // header checksum
  EXPECT_EQ(queue_of(corrupted, kOneQueuePerTableEntry), 0);
  const auto truncated = ipv4_frame(kIpv4Suite[0], io::kIpProtoUdp);
  EXPECT_EQ(io::rss_queue_for_frame(truncated.data(), io::kEthernetHeaderSize + 10,
                                    kOneQueuePerTableEntry),
            0);
}

TEST(RssQueueForFrame, ASingleQueueTakesEveryFrame) {
  const auto frame = ipv4_frame(kIpv4Suite[1], io::kIpProtoUdp);
  EXPECT_EQ(queue_of(frame, 1), 0);
  EXPECT_EQ(queue_of(frame, 0), 0);
}
