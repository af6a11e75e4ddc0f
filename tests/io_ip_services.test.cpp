// The gateway's own IP services, on known answers built by an independent implementation
// (scapy, tests/data/make_ip_services_vectors.py writes tests/data/ip_services_vectors.txt):
// ICMP errors and echo replies (io/icmp), TCP MSS clamping with its incremental checksum
// (io/tcp_mss) and IPv4 fragmentation through DPDK's rte_ip_frag (io/ipv4_fragmentation).
#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "dpdk_test_config.hpp"
#include "io/byte_order.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/icmp.hpp"
#include "io/ipv4_fragmentation.hpp"
#include "io/tcp_mss.hpp"
#include "known_answers.hpp"

using namespace actorwire;
using Bytes = std::vector<std::uint8_t>;
using io::IcmpError;

namespace {

// The constants of make_ip_services_vectors.py.
constexpr std::uint16_t kMtu = 1420;
constexpr std::uint16_t kMssV4 = 1380;
constexpr std::uint16_t kMssV6 = 1360;
constexpr std::uint16_t kIcmpIdTcp = 0x1234;
constexpr std::uint16_t kIcmpIdUdp = 0xBEEF;
constexpr std::uint16_t kIcmpIdNoRoute = 0x0101;

config::IpAddress address(const char* text) {
  const auto parsed = config::parse_ip_address(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(config::IpAddress{});
}

Bytes vec(const std::string& name) {
  return test_support::known_answer("ip_services_vectors.txt", name).value_or(Bytes{});
}

// RFC 1071 over `length` bytes, big-endian words: the header or segment is valid when its sum
// (checksum field included) is 0xFFFF. Independent of the DPDK helpers the code uses.
std::uint16_t ones_complement_sum(const std::uint8_t* data, std::size_t length,
                                  std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < length; i += 2) sum += io::load_be16(data + i);
  if ((length & 1) != 0) sum += std::uint32_t{data[length - 1]} << 8;
  while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

void fix_ipv4_header_checksum(Bytes& packet) {
  io::store_be16(packet.data() + 10, 0);
  const std::size_t header_length = std::size_t{packet[0] & 0x0Fu} * 4;
  io::store_be16(packet.data() + 10,
                 static_cast<std::uint16_t>(~ones_complement_sum(packet.data(), header_length)));
}

bool allowed(const Bytes& packet, bool is_v6, IcmpError error) {
  return io::icmp_error_allowed(packet.data(), packet.size(), is_v6, error);
}

// --- ICMP errors ------------------------------------------------------------------------------

struct ErrorCase {
  const char* input;
  const char* expected;
  bool is_v6;
  IcmpError error;
  std::uint16_t ip_id;
  std::size_t expected_length;
};

void check_error(const ErrorCase& c) {
  SCOPED_TRACE(c.input);
  const Bytes input = vec(c.input);
  const Bytes expected = vec(c.expected);
  ASSERT_FALSE(input.empty());
  ASSERT_EQ(expected.size(), c.expected_length);
  EXPECT_TRUE(allowed(input, c.is_v6, c.error));
  // Room for any error, and a canary after it: nothing is written past the packet.
  Bytes out(io::kIcmpErrorMaxSize + 16, 0xA5);
  const config::IpAddress source = address(c.is_v6 ? "2001:db8::1" : "192.0.2.1");
  const std::size_t length = io::write_icmp_error(out.data(), input.data(), input.size(), c.is_v6,
                                                  source, c.error, kMtu, c.ip_id);
  ASSERT_EQ(length, expected.size());
  EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(length)), expected);
  EXPECT_TRUE(std::all_of(out.begin() + static_cast<std::ptrdiff_t>(length), out.end(),
                          [](std::uint8_t b) { return b == 0xA5; }));
}

}  // namespace

TEST(IcmpError, FragmentationNeededAboutA1500ByteTcpPacketQuotes548Bytes) {
  check_error({"frag_needed_tcp1500_in", "frag_needed_tcp1500_out", false, IcmpError::kTooBig,
               kIcmpIdTcp, io::kIcmpv4ErrorMaxSize});
}

TEST(IcmpError, FragmentationNeededAboutASmallUdpPacketQuotesAllOfIt) {
  check_error({"frag_needed_udp_small_in", "frag_needed_udp_small_out", false, IcmpError::kTooBig,
               kIcmpIdUdp, 20 + 8 + 99});
}

TEST(IcmpError, NetUnreachableV4) {
  check_error({"net_unreachable_v4_in", "net_unreachable_v4_out", false, IcmpError::kNoRoute,
               kIcmpIdNoRoute, io::kIcmpv4ErrorMaxSize});
}

TEST(IcmpError, PacketTooBigAboutA1500ByteIpv6PacketQuotes1232Bytes) {
  check_error({"packet_too_big_v6_1500_in", "packet_too_big_v6_1500_out", true, IcmpError::kTooBig,
               0, io::kIcmpv6ErrorMaxSize});
}

TEST(IcmpError, NoRouteV6) {
  check_error(
      {"no_route_v6_in", "no_route_v6_out", true, IcmpError::kNoRoute, 0, 40 + 8 + 40 + 8 + 33});
}

TEST(IcmpErrorAllowed, Ipv4Refusals) {
  const Bytes base = vec("frag_needed_udp_small_in");
  ASSERT_FALSE(base.empty());
  for (IcmpError error : {IcmpError::kTooBig, IcmpError::kNoRoute}) {
    SCOPED_TRACE(static_cast<int>(error));
    EXPECT_TRUE(allowed(base, false, error));
    // About ICMP errors: never; about an echo request: yes.
    EXPECT_FALSE(allowed(vec("frag_needed_tcp1500_out"), false, error));  // type 3
    EXPECT_FALSE(allowed(vec("net_unreachable_v4_out"), false, error));
    EXPECT_TRUE(allowed(vec("echo_v4_request"), false, error));
    // Fragments: the first yes (MF, offset 0), the others no.
    EXPECT_TRUE(allowed(vec("fragment_udp3000_out_0"), false, error));
    EXPECT_FALSE(allowed(vec("fragment_udp3000_out_1"), false, error));
    EXPECT_FALSE(allowed(vec("fragment_udp3000_out_2"), false, error));
    for (const char* source : {"0.0.0.0", "127.0.0.1", "127.255.0.9", "224.0.0.5", "239.1.2.3",
                               "240.0.0.1", "255.255.255.255"}) {
      Bytes packet = base;
      std::memcpy(packet.data() + 12, address(source).bytes.data(), 4);
      fix_ipv4_header_checksum(packet);
      EXPECT_FALSE(allowed(packet, false, error)) << "source " << source;
    }
    for (const char* destination : {"224.0.0.1", "239.255.255.250", "255.255.255.255"}) {
      Bytes packet = base;
      std::memcpy(packet.data() + 16, address(destination).bytes.data(), 4);
      fix_ipv4_header_checksum(packet);
      EXPECT_FALSE(allowed(packet, false, error)) << "destination " << destination;
    }
    for (const char* source : {"1.0.0.1", "126.255.255.255", "128.0.0.1", "223.255.255.254"}) {
      Bytes packet = base;
      std::memcpy(packet.data() + 12, address(source).bytes.data(), 4);
      fix_ipv4_header_checksum(packet);
      EXPECT_TRUE(allowed(packet, false, error)) << "source " << source;
    }
    // Shorter than its header, and an ICMP packet too short to tell its type.
    EXPECT_FALSE(io::icmp_error_allowed(base.data(), 19, false, error));
    const Bytes echo = vec("echo_v4_request");
    EXPECT_FALSE(io::icmp_error_allowed(echo.data(), 20, false, error));
  }
}

TEST(IcmpErrorAllowed, Ipv6Refusals) {
  const Bytes base = vec("no_route_v6_in");
  ASSERT_FALSE(base.empty());
  for (IcmpError error : {IcmpError::kTooBig, IcmpError::kNoRoute}) {
    SCOPED_TRACE(static_cast<int>(error));
    EXPECT_TRUE(allowed(base, true, error));
    EXPECT_FALSE(allowed(vec("no_route_v6_out"), true, error));             // ICMPv6 type 1
    EXPECT_FALSE(allowed(vec("packet_too_big_v6_1500_out"), true, error));  // type 2
    EXPECT_TRUE(allowed(vec("echo_v6_request"), true, error));              // type 128
    for (const char* source : {"::", "::1", "ff02::1", "ff05::2"}) {
      Bytes packet = base;
      std::memcpy(packet.data() + 8, address(source).bytes.data(), 16);
      EXPECT_FALSE(allowed(packet, true, error)) << "source " << source;
    }
    EXPECT_FALSE(io::icmp_error_allowed(base.data(), 39, true, error));
    const Bytes echo = vec("echo_v6_request");
    EXPECT_FALSE(io::icmp_error_allowed(echo.data(), 40, true, error));
  }
  // To a multicast group: packet too big yes (RFC 4443 2.4 (e.3)), unreachable no.
  Bytes multicast = base;
  std::memcpy(multicast.data() + 24, address("ff02::1").bytes.data(), 16);
  EXPECT_TRUE(allowed(multicast, true, IcmpError::kTooBig));
  EXPECT_FALSE(allowed(multicast, true, IcmpError::kNoRoute));
}

// --- Echo ------------------------------------------------------------------------------------

TEST(Echo, Ipv4RequestBecomesTheExpectedReply) {
  Bytes packet = vec("echo_v4_request");
  const Bytes reply = vec("echo_v4_reply");
  ASSERT_FALSE(packet.empty());
  EXPECT_TRUE(io::is_echo_request(packet.data(), packet.size(), false));
  EXPECT_EQ(io::ip_destination(packet.data(), false), address("192.0.2.1"));
  io::make_echo_reply(packet.data(), packet.size(), false);
  EXPECT_EQ(packet, reply);
  EXPECT_FALSE(io::is_echo_request(reply.data(), reply.size(), false));
  EXPECT_EQ(io::ip_destination(reply.data(), false), address("10.1.0.100"));
}

TEST(Echo, Ipv6RequestBecomesTheExpectedReply) {
  Bytes packet = vec("echo_v6_request");
  const Bytes reply = vec("echo_v6_reply");
  ASSERT_FALSE(packet.empty());
  EXPECT_TRUE(io::is_echo_request(packet.data(), packet.size(), true));
  EXPECT_EQ(io::ip_destination(packet.data(), true), address("2001:db8::1"));
  io::make_echo_reply(packet.data(), packet.size(), true);
  EXPECT_EQ(packet, reply);
  EXPECT_FALSE(io::is_echo_request(reply.data(), reply.size(), true));
  EXPECT_EQ(io::ip_destination(reply.data(), true), address("2001:db8:1::100"));
}

TEST(Echo, BadChecksumsFragmentsAndOtherPacketsAreNoRequests) {
  const Bytes v4 = vec("echo_v4_request");
  const Bytes v6 = vec("echo_v6_request");
  ASSERT_FALSE(v4.empty());
  ASSERT_FALSE(v6.empty());
  for (std::size_t at : {std::size_t{22}, std::size_t{28}, v4.size() - 1}) {
    Bytes packet = v4;
    packet[at] ^= 0x01;
    EXPECT_FALSE(io::is_echo_request(packet.data(), packet.size(), false)) << at;
  }
  for (std::size_t at : {std::size_t{42}, std::size_t{48}, v6.size() - 1, std::size_t{8}}) {
    Bytes packet = v6;
    packet[at] ^= 0x01;  // the ICMPv6 checksum covers the addresses too
    EXPECT_FALSE(io::is_echo_request(packet.data(), packet.size(), true)) << at;
  }
  // Fragments: MF set, or an offset.
  for (std::uint16_t flags :
       {std::uint16_t{0x2000}, std::uint16_t{0x0001}, std::uint16_t{0x4001}}) {
    Bytes packet = v4;
    io::store_be16(packet.data() + 6, flags);
    fix_ipv4_header_checksum(packet);
    EXPECT_FALSE(io::is_echo_request(packet.data(), packet.size(), false)) << flags;
  }
  // Too short for the ICMP header; not ICMP at all.
  EXPECT_FALSE(io::is_echo_request(v4.data(), 27, false));
  EXPECT_FALSE(io::is_echo_request(v6.data(), 47, true));
  const Bytes udp = vec("frag_needed_udp_small_in");
  EXPECT_FALSE(io::is_echo_request(udp.data(), udp.size(), false));
  const Bytes unreachable = vec("frag_needed_udp_small_out");  // ICMP, but type 3
  EXPECT_FALSE(io::is_echo_request(unreachable.data(), unreachable.size(), false));
}

// --- TCP MSS clamping ------------------------------------------------------------------------

TEST(TcpMss, ForMtu) {
  static_assert(io::mss_for_mtu(1420, false) == kMssV4);
  static_assert(io::mss_for_mtu(1420, true) == kMssV6);
  EXPECT_EQ(io::mss_for_mtu(1500, false), 1460);
  EXPECT_EQ(io::mss_for_mtu(1500, true), 1440);
  EXPECT_EQ(io::mss_for_mtu(1280, true), 1220);
  EXPECT_EQ(io::mss_for_mtu(41, false), 1);
  EXPECT_EQ(io::mss_for_mtu(40, false), 0);
  EXPECT_EQ(io::mss_for_mtu(60, true), 0);
  EXPECT_EQ(io::mss_for_mtu(0, true), 0);
}

TEST(TcpMss, ClampedSegmentsMatchAFullRecomputation) {
  struct Case {
    const char* name;
    bool is_v6;
    std::uint16_t max_mss;
  };
  for (const Case& c :
       {Case{"mss_v4_even", false, kMssV4}, Case{"mss_v4_odd", false, kMssV4},
        Case{"mss_v4_synack", false, kMssV4}, Case{"mss_v4_ip_options", false, kMssV4},
        Case{"mss_v6_odd", true, kMssV6}, Case{"mss_v4_zero_after", false, kMssV4},
        Case{"mss_v4_zero_before", false, kMssV4}}) {
    SCOPED_TRACE(c.name);
    Bytes packet = vec(std::string(c.name) + "_in");
    const Bytes expected = vec(std::string(c.name) + "_out");
    ASSERT_FALSE(packet.empty());
    ASSERT_NE(packet, expected);
    EXPECT_TRUE(io::clamp_tcp_mss(packet.data(), packet.size(), c.is_v6, c.max_mss));
    EXPECT_EQ(packet, expected);
    // Clamped already: a second pass changes nothing.
    EXPECT_FALSE(io::clamp_tcp_mss(packet.data(), packet.size(), c.is_v6, c.max_mss));
    EXPECT_EQ(packet, expected);
  }
}

TEST(TcpMss, SegmentsThatNeedNoClampingAreLeftAlone) {
  struct Case {
    const char* name;
    bool is_v6;
    std::uint16_t max_mss;
  };
  for (const Case& c : {Case{"mss_v4_below_limit", false, kMssV4},  // MSS 1200
                        Case{"mss_v4_not_syn", false, kMssV4},      // ACK with MSS 1460
                        Case{"mss_v4_odd_in", false, 1460},         // exactly at the limit
                        Case{"mss_v6_odd_in", true, 1440},
                        Case{"frag_needed_udp_small_in", false, kMssV4},  // not TCP
                        Case{"no_route_v6_in", true, kMssV6},
                        Case{"mss_v4_odd_in", true, kMssV6}}) {  // an IPv4 packet read as IPv6
    SCOPED_TRACE(c.name);
    Bytes packet = vec(c.name);
    ASSERT_FALSE(packet.empty());
    const Bytes before = packet;
    EXPECT_FALSE(io::clamp_tcp_mss(packet.data(), packet.size(), c.is_v6, c.max_mss));
    EXPECT_EQ(packet, before);
  }
}

TEST(TcpMss, MalformedOptionsAndTruncatedHeadersAreLeftAlone) {
  const Bytes base = vec("mss_v4_odd_in");  // options at TCP 20: NOP, MSS 1460, WScale 7
  ASSERT_EQ(base.size(), 48u);
  ASSERT_EQ(base[20 + 12], 0x70);  // 28-byte TCP header
  ASSERT_EQ(base[20 + 21], 2);
  Bytes check = base;
  ASSERT_TRUE(io::clamp_tcp_mss(check.data(), check.size(), false, kMssV4));  // the baseline

  struct Case {
    const char* what;
    std::size_t offset;  // from the IP header
    std::uint8_t value;
    std::size_t length;
  };
  const Case cases[] = {
      {"MSS option length 0", 20 + 22, 0, 48},
      {"header of 24 bytes: the MSS option at 21 runs past it", 20 + 12, 0x60, 48},
      {"data offset below 5", 20 + 12, 0x40, 48},
      {"data offset beyond the packet", 20 + 12, 0xF0, 48},
      {"end of options before MSS", 20 + 20, 0, 48},
      {"packet cut short of the options", 20 + 12, 0x70, 47},
      {"TCP header truncated", 20 + 12, 0x70, 39},
      {"TCP header cut before its flags", 20 + 12, 0x70, 30},
  };
  for (const Case& c : cases) {
    Bytes packet = base;
    packet[c.offset] = c.value;
    // A buffer of exactly that length: a sanitizer build sees any read past its end.
    packet = Bytes(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(c.length));
    const Bytes before = packet;
    EXPECT_FALSE(io::clamp_tcp_mss(packet.data(), packet.size(), false, kMssV4)) << c.what;
    EXPECT_EQ(packet, before) << c.what;
  }
}

TEST(TcpMss, Ipv4FragmentsOtherThanTheFirstAreLeftAlone) {
  const Bytes base = vec("mss_v4_odd_in");
  const Bytes expected = vec("mss_v4_odd_out");
  ASSERT_FALSE(base.empty());
  for (std::uint16_t flags :
       {std::uint16_t{0x0001}, std::uint16_t{0x2001}, std::uint16_t{0x1FFF}}) {
    Bytes packet = base;
    io::store_be16(packet.data() + 6, flags);
    fix_ipv4_header_checksum(packet);
    const Bytes before = packet;
    EXPECT_FALSE(io::clamp_tcp_mss(packet.data(), packet.size(), false, kMssV4)) << flags;
    EXPECT_EQ(packet, before) << flags;
  }
  // The first fragment (MF, offset 0) carries the TCP header: it is clamped.
  Bytes first = base;
  io::store_be16(first.data() + 6, 0x2000);
  fix_ipv4_header_checksum(first);
  EXPECT_TRUE(io::clamp_tcp_mss(first.data(), first.size(), false, kMssV4));
  EXPECT_TRUE(std::equal(first.begin() + 20, first.end(), expected.begin() + 20));
}

// --- IPv4 fragmentation ----------------------------------------------------------------------

namespace {

constexpr std::uint8_t kEthernet[io::kEthernetHeaderSize] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00};
// Data room for a 3000-byte packet in one segment.
constexpr std::uint16_t kDataRoom = RTE_PKTMBUF_HEADROOM + 4096;

class Ipv4Fragmentation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(io::start_eal(test_support::default_test_config().dpdk.eal_args, error)) << error;
    // No per-lcore cache: the available count is exact.
    pool_ = rte_pktmbuf_pool_create("ip_services_pool", 63, 0, 0, kDataRoom, SOCKET_ID_ANY);
    ASSERT_NE(pool_, nullptr);
    tiny_pool_ = rte_pktmbuf_pool_create("ip_services_tiny", 2, 0, 0, kDataRoom, SOCKET_ID_ANY);
    ASSERT_NE(tiny_pool_, nullptr);
  }
  static void TearDownTestSuite() {
    rte_mempool_free(pool_);
    rte_mempool_free(tiny_pool_);
    pool_ = tiny_pool_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(pool_, nullptr);
    ASSERT_EQ(rte_mempool_avail_count(pool_), pool_->size);
  }
  void TearDown() override {
    EXPECT_EQ(rte_mempool_avail_count(pool_), pool_->size) << "mbufs leaked";
    EXPECT_EQ(rte_mempool_avail_count(tiny_pool_), tiny_pool_->size) << "mbufs leaked";
  }

  // A frame of `ip` behind the L2 header `l2` (plain Ethernet unless told), then `padding`
  // bytes of Ethernet padding.
  static rte_mbuf* frame(const Bytes& ip, std::size_t padding = 0,
                         std::span<const std::uint8_t> l2 = kEthernet) {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
    EXPECT_NE(mbuf, nullptr);
    if (mbuf == nullptr) return nullptr;
    const std::size_t length = l2.size() + ip.size() + padding;
    auto* data = reinterpret_cast<std::uint8_t*>(
        rte_pktmbuf_append(mbuf, static_cast<std::uint16_t>(length)));
    EXPECT_NE(data, nullptr);
    if (data == nullptr) {
      rte_pktmbuf_free(mbuf);
      return nullptr;
    }
    std::memcpy(data, l2.data(), l2.size());
    std::memcpy(data + l2.size(), ip.data(), ip.size());
    std::memset(data + l2.size() + ip.size(), 0xEE, padding);
    return mbuf;
  }

  // Fragments the 3000-byte vector (with `padding`, at `mtu`, optionally as if it were itself a
  // fragment at `offset_units` x 8 bytes with MF set) and checks every fragment; at the default
  // MTU, bit-exact against scapy's.
  void fragment_and_check(std::size_t padding, std::uint16_t mtu = kMtu,
                          std::size_t expected_count = 3, std::uint16_t offset_units = 0,
                          bool more_fragments = false) {
    Bytes original = vec("fragment_udp3000_in");
    if (offset_units != 0 || more_fragments) {
      io::store_be16(original.data() + 6,
                     static_cast<std::uint16_t>(offset_units | (more_fragments ? 0x2000 : 0)));
      original[10] = original[11] = 0;
      const std::uint16_t checksum = io::ipv4_header_checksum(original.data());
      std::memcpy(original.data() + 10, &checksum, sizeof checksum);
    }
    ASSERT_EQ(original.size(), 3000u);
    ASSERT_TRUE(io::ipv4_may_fragment(original.data()));
    rte_mbuf* input = frame(original, padding);
    ASSERT_NE(input, nullptr);
    io::ParsedFrame parsed;
    ASSERT_EQ(io::parse_frame(rte_pktmbuf_mtod(input, const std::uint8_t*),
                              rte_pktmbuf_data_len(input), parsed),
              io::FrameError::kNone);
    ASSERT_EQ(parsed.l3_offset, io::kEthernetHeaderSize);
    ASSERT_EQ(parsed.l3_length, 3000u);

    rte_mbuf* out[io::kMaxFragments] = {};
    const std::size_t count =
        io::fragment_ipv4_frame(input, parsed.l3_offset, parsed.l3_length, mtu, pool_, out);
    rte_pktmbuf_free(input);  // the input stays ours
    ASSERT_EQ(count, expected_count);

    const std::size_t header_length = 20;
    Bytes reassembled(original.size() - header_length, 0);
    std::vector<bool> covered(reassembled.size(), false);
    std::size_t payload_total = 0;
    for (std::size_t i = 0; i < count; ++i) {
      SCOPED_TRACE(i);
      rte_mbuf* fragment = out[i];
      ASSERT_NE(fragment, nullptr);
      EXPECT_EQ(fragment->nb_segs, 1);
      EXPECT_EQ(rte_pktmbuf_pkt_len(fragment), rte_pktmbuf_data_len(fragment));
      const auto* data = rte_pktmbuf_mtod(fragment, const std::uint8_t*);
      const std::size_t frame_length = rte_pktmbuf_data_len(fragment);
      ASSERT_GT(frame_length, io::kEthernetHeaderSize + header_length);
      EXPECT_EQ(std::memcmp(data, kEthernet, sizeof kEthernet), 0) << "Ethernet header";
      const std::uint8_t* ip = data + io::kEthernetHeaderSize;
      const std::size_t total = io::load_be16(ip + 2);
      EXPECT_EQ(frame_length, io::kEthernetHeaderSize + total);
      EXPECT_LE(total, mtu);
      EXPECT_EQ(ip[0], 0x45);
      EXPECT_EQ(ones_complement_sum(ip, header_length), 0xFFFF) << "header checksum";
      io::ParsedFrame fragment_parsed;
      EXPECT_EQ(io::parse_frame(data, frame_length, fragment_parsed), io::FrameError::kNone);
      // Same datagram: identification, addresses, protocol, TOS, TTL.
      EXPECT_EQ(std::memcmp(ip + 4, original.data() + 4, 2), 0);
      EXPECT_EQ(std::memcmp(ip + 12, original.data() + 12, 8), 0);
      EXPECT_EQ(ip[9], original[9]);
      EXPECT_EQ(ip[1], original[1]);
      EXPECT_EQ(ip[8], original[8]);
      const std::uint16_t flags = io::load_be16(ip + 6);
      EXPECT_EQ(flags & 0x4000, 0) << "DF";
      // The last piece keeps the input's MF: a fragment of a fragment is not the datagram's end.
      EXPECT_EQ((flags & 0x2000) != 0, i + 1 < count || more_fragments) << "MF";
      ASSERT_GE(std::size_t{flags & 0x1FFFu}, offset_units);
      const std::size_t offset = (std::size_t{flags & 0x1FFFu} - offset_units) * 8;
      const std::size_t payload = total - header_length;
      if (i + 1 < count) {
        EXPECT_EQ(payload % 8, 0u);
      }
      ASSERT_LE(offset + payload, reassembled.size());
      for (std::size_t k = 0; k < payload; ++k) {
        EXPECT_FALSE(covered[offset + k]) << "overlap at " << offset + k;
        covered[offset + k] = true;
      }
      std::memcpy(reassembled.data() + offset, ip + header_length, payload);
      payload_total += payload;
      // Bit-exact against scapy's fragments of the same packet.
      if (mtu == kMtu && offset_units == 0 && !more_fragments) {
        EXPECT_EQ(Bytes(ip, ip + total), vec("fragment_udp3000_out_" + std::to_string(i)));
      }
    }
    EXPECT_EQ(payload_total, reassembled.size());
    EXPECT_TRUE(std::all_of(covered.begin(), covered.end(), [](bool b) { return b; }));
    EXPECT_TRUE(std::equal(reassembled.begin(), reassembled.end(),
                           original.begin() + static_cast<std::ptrdiff_t>(header_length)));
    for (std::size_t i = 0; i < count; ++i) rte_pktmbuf_free(out[i]);
  }

  static rte_mempool* pool_;
  static rte_mempool* tiny_pool_;
};

rte_mempool* Ipv4Fragmentation::pool_ = nullptr;
rte_mempool* Ipv4Fragmentation::tiny_pool_ = nullptr;

}  // namespace

TEST_F(Ipv4Fragmentation, MayFragmentOnlyWithoutDf) {
  const Bytes without_df = vec("fragment_udp3000_in");
  const Bytes with_df = vec("frag_needed_tcp1500_in");
  ASSERT_FALSE(without_df.empty());
  ASSERT_FALSE(with_df.empty());
  EXPECT_TRUE(io::ipv4_may_fragment(without_df.data()));
  EXPECT_FALSE(io::ipv4_may_fragment(with_df.data()));
  Bytes more_fragments = without_df;  // MF alone does not forbid it
  io::store_be16(more_fragments.data() + 6, 0x2000);
  EXPECT_TRUE(io::ipv4_may_fragment(more_fragments.data()));
  Bytes df = without_df;
  io::store_be16(df.data() + 6, 0x4000);
  EXPECT_FALSE(io::ipv4_may_fragment(df.data()));
}

TEST_F(Ipv4Fragmentation, A3000ByteUdpPacketBecomesThreeFragmentsThatReassemble) {
  fragment_and_check(0);
}

TEST_F(Ipv4Fragmentation, EthernetPaddingIsNotFragmented) {
  fragment_and_check(46);
}

// 1280 - 20 = 1260 is no multiple of 8: the fragments must carry 1256 bytes (offsets count in
// 8-byte units; rte_ip_frag rounds down).
TEST_F(Ipv4Fragmentation, AnMtuWhoseDataIsNoMultipleOf8GivesAlignedFragments) {
  fragment_and_check(0, 1280, 3);
  fragment_and_check(0, 1419, 3);
}

// A host's 1500-byte fragments through a 1420-byte tunnel: the pieces of a first or middle
// fragment keep its offset and its MF flag.
TEST_F(Ipv4Fragmentation, FragmentsOfFragmentsKeepOffsetAndMoreFragments) {
  fragment_and_check(0, kMtu, 3, 0, true);
  fragment_and_check(0, kMtu, 3, 185, true);
  fragment_and_check(0, kMtu, 3, 370, false);
}

// The L2 header is whatever precedes the IP packet, not a fixed 14 bytes: here an 802.1Q tag
// makes it 18, and every fragment carries all of it.
TEST_F(Ipv4Fragmentation, EveryFragmentCarriesTheWholeL2Header) {
  constexpr std::uint8_t kVlanTagged[18] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00,
                                            0x00, 0x00, 0x02, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00};
  const Bytes original = vec("fragment_udp3000_in");
  rte_mbuf* input = frame(original, 0, kVlanTagged);
  ASSERT_NE(input, nullptr);
  rte_mbuf* out[io::kMaxFragments] = {};
  const std::size_t count =
      io::fragment_ipv4_frame(input, sizeof kVlanTagged, original.size(), kMtu, pool_, out);
  rte_pktmbuf_free(input);
  ASSERT_EQ(count, 3u);
  for (std::size_t i = 0; i < count; ++i) {
    SCOPED_TRACE(i);
    const auto* data = rte_pktmbuf_mtod(out[i], const std::uint8_t*);
    const std::size_t length = rte_pktmbuf_data_len(out[i]);
    ASSERT_GT(length, sizeof kVlanTagged);
    EXPECT_EQ(std::memcmp(data, kVlanTagged, sizeof kVlanTagged), 0) << "L2 header";
    EXPECT_EQ(Bytes(data + sizeof kVlanTagged, data + length),
              vec("fragment_udp3000_out_" + std::to_string(i)));
  }
  for (std::size_t i = 0; i < count; ++i) rte_pktmbuf_free(out[i]);
}

TEST_F(Ipv4Fragmentation, TooManyFragmentsAreRefusedWithoutLeaking) {
  const Bytes original = vec("fragment_udp3000_in");
  rte_mbuf* input = frame(original);
  ASSERT_NE(input, nullptr);
  rte_mbuf* out[io::kMaxFragments] = {};
  // At MTU 68, 48 bytes a fragment: 63 fragments.
  EXPECT_EQ(
      io::fragment_ipv4_frame(input, io::kEthernetHeaderSize, original.size(), 68, pool_, out), 0u);
  rte_pktmbuf_free(input);
}

TEST_F(Ipv4Fragmentation, NoMbufsIsRefusedWithoutLeaking) {
  const Bytes original = vec("fragment_udp3000_in");
  rte_mbuf* input = frame(original);
  ASSERT_NE(input, nullptr);
  rte_mbuf* out[io::kMaxFragments] = {};
  // Three fragments wanted, two mbufs in the pool.
  EXPECT_EQ(io::fragment_ipv4_frame(input, io::kEthernetHeaderSize, original.size(), kMtu,
                                    tiny_pool_, out),
            0u);
  rte_pktmbuf_free(input);
}

TEST_F(Ipv4Fragmentation, LengthsBeyondTheFrameAreRefused) {
  const Bytes original = vec("fragment_udp3000_in");
  rte_mbuf* input = frame(original);
  ASSERT_NE(input, nullptr);
  rte_mbuf* out[io::kMaxFragments] = {};
  EXPECT_EQ(io::fragment_ipv4_frame(input, io::kEthernetHeaderSize, original.size() + 1, kMtu,
                                    pool_, out),
            0u);
  EXPECT_EQ(rte_pktmbuf_data_len(input), io::kEthernetHeaderSize + original.size());
  rte_pktmbuf_free(input);
}
