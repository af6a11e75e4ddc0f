// The frame classifiers every topology shares (classify_lan_frame, classify_wan_frame) on frames
// built byte by byte, with a `with_plane` that counts how often the peer state was touched: a
// malformed or foreign frame must be refused by the pure parse without it. Plus
// make_handshake_in and make_control_frames (the frames the control actor's decisions become).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "actors/common/tuning.hpp"
#include "actors/dataplane/control_actions.hpp"
#include "actors/dataplane/frame_classifier.hpp"
#include "actors/dataplane/packet_crypto.hpp"
#include "crypto/messages.hpp"
#include "crypto/transport.hpp"
#include "dataplane_test_support.hpp"

using namespace actorwire;
using namespace std::chrono_literals;
using actors::FrameVerdict;
using test_support::ipv4;

namespace actorwire::actors {
inline void PrintTo(FrameVerdict::Kind kind, std::ostream* os) {
  constexpr const char* kNames[] = {"kDrop", "kArp",    "kHandshake", "kSeal",
                                    "kOpen", "kStaged", "kAnswer",    "kFragment"};
  *os << kNames[static_cast<int>(kind)];
}
}  // namespace actorwire::actors

namespace {

const actors::Clock::time_point t0 = actors::Clock::time_point() + 1000s;
const config::MacAddress kWanMac{{0x02, 0, 0, 0, 0, 0x01}};
const config::Endpoint kPeerEndpoint = *config::parse_endpoint("192.0.2.2:51820");
// IPv6 outer transport: our WAN address (when env_.outer.ip6 is given one) and a peer's.
const io::Ipv6Address kOurIpv6 = config::parse_ip_address("2001:db8::1")->bytes;
const config::Endpoint kPeerEndpoint6 = *config::parse_endpoint("[2001:db8::2]:51999");

class FrameClassifierTest : public test_support::DataPlaneTest {
 protected:
  void SetUp() override {
    DataPlaneTest::SetUp();
    config_ = test_support::two_peer_config();
    plane_ = std::make_unique<actors::PeerPlane>(config_, unique_name("fc"));
    ASSERT_TRUE(plane_->valid());
    // Only the pure parts of the environment: no port is touched by a classifier.
    env_.pool = pool_;
    env_.aead = config_.crypto.aead;
    env_.outer.mac = kWanMac;
    env_.outer.ip = ipv4("192.0.2.1");
    env_.outer.port = 51820;
    env_.mtu = config_.interface.mtu;
    services_ = std::make_unique<actors::IpServices>(env_);
  }
  void TearDown() override {
    plane_.reset();
    DataPlaneTest::TearDown();
  }

  // The plane, reached the way a topology does, counting the visits.
  auto with_plane() {
    return [this](auto&& f) {
      ++plane_calls_;
      f(*plane_);
    };
  }

  FrameVerdict lan(rte_mbuf* mbuf) {
    FrameVerdict verdict;
    actors::classify_lan_frame(mbuf, t0, counters_, *services_, with_plane(), verdict);
    return verdict;
  }
  FrameVerdict wan(rte_mbuf* mbuf) {
    FrameVerdict verdict;
    actors::classify_wan_frame(mbuf, env_, t0, counters_, *services_, with_plane(), verdict);
    return verdict;
  }

  rte_mbuf* lan_packet(std::uint32_t destination) {
    return test_support::mbuf_with(
        pool_,
        test_support::ethernet_frame(test_support::ipv4_packet(ipv4("10.10.0.5"), destination, 64),
                                     io::kEtherTypeIpv4));
  }

  // A WAN frame from `source` to `destination_ip`:`destination_port` carrying `payload`.
  rte_mbuf* wan_udp(const std::vector<std::uint8_t>& payload,
                    const config::Endpoint& source = kPeerEndpoint,
                    std::uint32_t destination_ip = ipv4("192.0.2.1"),
                    std::uint16_t destination_port = 51820) {
    io::OuterIpv4Udp outer;
    outer.destination_mac = kWanMac;
    outer.source_mac = config::MacAddress{{0x02, 0, 0, 0, 0x02, 0x02}};
    outer.source_ip = source.address.v4_host_order();
    outer.destination_ip = destination_ip;
    outer.source_port = source.port;
    outer.destination_port = destination_port;
    return test_support::udp_frame(pool_, outer, payload);
  }
  // A handshake-type message of the right size for its type (the control actor checks more).
  static std::vector<std::uint8_t> handshake_message(std::uint8_t type) {
    const std::size_t size = type == 1   ? wg::kInitiationSize
                             : type == 2 ? wg::kResponseSize
                                         : wg::kCookieReplySize;
    std::vector<std::uint8_t> message(size);
    for (std::size_t i = 0; i < size; ++i) message[i] = static_cast<std::uint8_t>(i * 13 + 1);
    message[0] = type;
    message[1] = message[2] = message[3] = 0;
    return message;
  }
  // A transport message header (type 4) followed by `body` bytes.
  static std::vector<std::uint8_t> transport_message(std::uint32_t receiver_index,
                                                     std::uint64_t counter, std::size_t body) {
    std::vector<std::uint8_t> message(wg::kTransportHeaderSize + body, 0x5A);
    message[0] = 4;
    message[1] = message[2] = message[3] = 0;
    for (int i = 0; i < 4; ++i)
      message[4 + i] = static_cast<std::uint8_t>(receiver_index >> (8 * i));
    for (int i = 0; i < 8; ++i) message[8 + i] = static_cast<std::uint8_t>(counter >> (8 * i));
    return message;
  }
  // Flips bits of a byte at `offset` from the start of the frame; the IP header checksum does not
  // cover it, only the UDP checksum does.
  static void corrupt(rte_mbuf* mbuf, std::size_t offset) {
    rte_pktmbuf_mtod(mbuf, std::uint8_t*)[offset] ^= 0x5A;
  }
  static constexpr std::size_t kUdpSourcePortOffset = io::kEthernetHeaderSize + io::kIpv4HeaderSize;
  static constexpr std::size_t kPayloadOffset = io::kOuterIpv4Overhead;

  // The same over IPv6: from `source` to `destination`:`destination_port`.
  rte_mbuf* wan_udp6(const std::vector<std::uint8_t>& payload,
                     const config::Endpoint& source = kPeerEndpoint6,
                     const io::Ipv6Address& destination = kOurIpv6,
                     std::uint16_t destination_port = 51820) {
    io::OuterUdp outer;
    outer.destination_mac = kWanMac;
    outer.source_mac = config::MacAddress{{0x02, 0, 0, 0, 0x02, 0x02}};
    outer.source = source.address;
    outer.destination.is_v6 = true;
    outer.destination.bytes = destination;
    outer.source_port = source.port;
    outer.destination_port = destination_port;
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
    EXPECT_NE(mbuf, nullptr);
    if (mbuf == nullptr) return nullptr;
    EXPECT_TRUE(io::build_udp_frame(mbuf, outer, payload.data(), payload.size(), 1));
    return mbuf;
  }
  static constexpr std::size_t kIpv6Offset = io::kEthernetHeaderSize;
  static constexpr std::size_t kUdp6Offset = io::kEthernetHeaderSize + io::kIpv6HeaderSize;
  static constexpr std::size_t kPayload6Offset = io::kOuterIpv6Overhead;

  // Checks a frame the gateway built for `to` over IPv6 (from kWanMac, kOurIpv6 and our listen
  // port, destination MAC left for the PortSide, UDP checksum correct); returns its UDP payload.
  static std::vector<std::uint8_t> ipv6_outer_payload(const rte_mbuf* mbuf,
                                                      const config::Endpoint& to) {
    EXPECT_EQ(mbuf->nb_segs, 1u);
    EXPECT_GE(mbuf->data_len, io::kOuterIpv6Overhead);
    if (mbuf->data_len < io::kOuterIpv6Overhead) return {};
    const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
    io::ParsedFrame parsed;
    EXPECT_EQ(io::parse_frame(data, mbuf->data_len, parsed), io::FrameError::kNone);
    EXPECT_EQ(parsed.kind, io::FrameKind::kIpv6);
    EXPECT_EQ(io::load_be16(data + 12), io::kEtherTypeIpv6);
    EXPECT_TRUE(std::all_of(data, data + 6, [](std::uint8_t b) { return b == 0; }))
        << "destination MAC: the PortSide's to write";
    EXPECT_TRUE(std::equal(kWanMac.bytes.begin(), kWanMac.bytes.end(), data + 6)) << "source MAC";
    const std::uint8_t* ip = data + kIpv6Offset;
    const std::size_t udp_length = mbuf->data_len - kUdp6Offset;
    EXPECT_EQ(io::load_be32(ip), 0x60000000u) << "version 6, traffic class and flow label 0";
    EXPECT_EQ(io::load_be16(ip + 4), udp_length) << "payload length";
    EXPECT_EQ(ip[6], io::kIpProtoUdp);
    EXPECT_EQ(ip[7], io::kDefaultTtl);
    EXPECT_EQ(std::memcmp(ip + 8, kOurIpv6.data(), 16), 0) << "source address";
    EXPECT_TRUE(to.address.is_v6);
    EXPECT_EQ(std::memcmp(ip + 24, to.address.bytes.data(), 16), 0) << "destination address";
    const std::uint8_t* udp = ip + io::kIpv6HeaderSize;
    EXPECT_EQ(io::load_be16(udp), 51820);
    EXPECT_EQ(io::load_be16(udp + 2), to.port);
    EXPECT_EQ(io::load_be16(udp + 4), udp_length);
    EXPECT_TRUE(io::udp_checksum_ok(ip, true));
    return std::vector<std::uint8_t>(udp + io::kUdpHeaderSize, data + mbuf->data_len);
  }

  config::GatewayConfig config_;
  std::unique_ptr<actors::PeerPlane> plane_;
  actors::DataPlaneEnv env_;
  std::unique_ptr<actors::IpServices> services_;
  actors::StageCounters counters_{"classifier"};
  int plane_calls_ = 0;
};

// --- LAN --------------------------------------------------------------------------------------

TEST_F(FrameClassifierTest, LanMalformedFramesAreDroppedByReasonWithoutThePlane) {
  struct Case {
    std::vector<std::uint8_t> bytes;
    actors::DropReason reason;
  };
  auto full = test_support::ethernet_frame(
      test_support::ipv4_packet(ipv4("10.10.0.5"), ipv4("10.20.0.1"), 64), io::kEtherTypeIpv4);
  auto bad_type = full;
  bad_type[12] = 0x88;  // 0x8800: neither IPv4, IPv6 nor ARP
  auto bad_checksum = full;
  bad_checksum[io::kEthernetHeaderSize + 10] ^= 1;
  const std::vector<Case> cases = {
      {std::vector<std::uint8_t>(full.begin(), full.begin() + 10),
       actors::DropReason::kTruncatedEthernet},
      {std::vector<std::uint8_t>(full.begin(), full.begin() + 30),
       actors::DropReason::kTruncatedIp},
      {std::vector<std::uint8_t>(full.begin(), full.end() - 1), actors::DropReason::kTruncatedIp},
      {bad_type, actors::DropReason::kUnsupportedEtherType},
      {bad_checksum, actors::DropReason::kMalformedIp},
  };
  for (const Case& c : cases) {
    rte_mbuf* mbuf = test_support::mbuf_with(pool_, c.bytes);
    const FrameVerdict verdict = lan(mbuf);
    EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop) << c.bytes.size();
    EXPECT_EQ(verdict.reason, c.reason) << c.bytes.size();
    rte_pktmbuf_free(mbuf);
  }
  EXPECT_EQ(plane_calls_, 0) << "malformed frames never reach the peer state";
}

TEST_F(FrameClassifierTest, LanArpIsForThePort) {
  io::ArpPacket request;
  request.operation = io::kArpRequest;
  request.sender_ip = ipv4("10.10.0.5");
  request.target_ip = ipv4("10.10.0.1");
  rte_mbuf* mbuf = test_support::arp_frame(pool_, io::kBroadcastMac, request);
  const FrameVerdict verdict = lan(mbuf);
  EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kNeighbour);
  EXPECT_EQ(verdict.frame.kind, io::FrameKind::kArp);
  EXPECT_EQ(plane_calls_, 0);
  rte_pktmbuf_free(mbuf);
}

TEST_F(FrameClassifierTest, LanRoutedPacketWithKeysIsToSeal) {
  rte_mbuf* mbuf = lan_packet(ipv4("10.20.0.1"));
  const FrameVerdict verdict = lan(mbuf);
  EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kSeal);
  EXPECT_EQ(verdict.frame.kind, io::FrameKind::kIpv4);
  EXPECT_EQ(verdict.frame.l3_length, 64u);
  EXPECT_EQ(verdict.args.receiver_index, test_support::kStaticSendIndex);
  EXPECT_EQ(verdict.args.endpoint_ip, ipv4("192.0.2.2"));
  EXPECT_EQ(verdict.args.counter, 0u);
  EXPECT_EQ(plane_calls_, 1) << "one visit per packet";
  rte_pktmbuf_free(mbuf);
  // The next one gets the next counter: the plane's state moved.
  mbuf = lan_packet(ipv4("10.20.0.1"));
  EXPECT_EQ(lan(mbuf).args.counter, 1u);
  rte_pktmbuf_free(mbuf);
}

TEST_F(FrameClassifierTest, LanPacketWithoutAPeerIsDropped) {
  rte_mbuf* mbuf = lan_packet(ipv4("172.16.0.1"));
  const FrameVerdict verdict = lan(mbuf);
  EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop);
  EXPECT_EQ(verdict.reason, actors::DropReason::kNoPeer);
  EXPECT_EQ(plane_calls_, 1);
  rte_pktmbuf_free(mbuf);
}

TEST_F(FrameClassifierTest, LanPacketForAPeerWithoutKeysIsStaged) {
  rte_mbuf* mbuf = lan_packet(ipv4("10.30.0.1"));
  const FrameVerdict verdict = lan(mbuf);
  EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kStaged);
  EXPECT_EQ(counters_.packets_consumed.get(), 1u) << "the plane owns it (freed with the plane)";
}

// --- WAN --------------------------------------------------------------------------------------

TEST_F(FrameClassifierTest, WanArpIsForThePort) {
  io::ArpPacket request;
  request.operation = io::kArpRequest;
  request.sender_ip = ipv4("192.0.2.2");
  request.target_ip = ipv4("192.0.2.1");
  rte_mbuf* mbuf = test_support::arp_frame(pool_, io::kBroadcastMac, request);
  EXPECT_EQ(wan(mbuf).kind, FrameVerdict::Kind::kNeighbour);
  EXPECT_EQ(plane_calls_, 0);
  rte_pktmbuf_free(mbuf);
}

TEST_F(FrameClassifierTest, WanUdpToAnotherPortOrAddressIsNotForUs) {
  const auto message = transport_message(test_support::kStaticReceiveIndex, 0, 16);
  for (rte_mbuf* mbuf : {wan_udp(message, kPeerEndpoint, ipv4("192.0.2.1"), 51821),
                         wan_udp(message, kPeerEndpoint, ipv4("192.0.2.9"), 51820)}) {
    const FrameVerdict verdict = wan(mbuf);
    EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop);
    EXPECT_EQ(verdict.reason, actors::DropReason::kNotForUs);
    rte_pktmbuf_free(mbuf);
  }
  // Not UDP at all (a TCP segment to our address).
  auto tcp = test_support::ipv4_packet(ipv4("192.0.2.2"), ipv4("192.0.2.1"), 60);
  tcp[9] = io::kIpProtoTcp;
  tcp[10] = tcp[11] = 0;
  const std::uint16_t checksum = io::ipv4_header_checksum(tcp.data());
  std::memcpy(tcp.data() + 10, &checksum, 2);
  rte_mbuf* mbuf =
      test_support::mbuf_with(pool_, test_support::ethernet_frame(tcp, io::kEtherTypeIpv4));
  EXPECT_EQ(wan(mbuf).reason, actors::DropReason::kNotForUs);
  rte_pktmbuf_free(mbuf);
  EXPECT_EQ(plane_calls_, 0);
}

TEST_F(FrameClassifierTest, WanHandshakesNeedACorrectChecksumAndACredit) {
  // A corrupted one first: refused without taking a credit.
  rte_mbuf* corrupted = wan_udp(handshake_message(1));
  corrupt(corrupted, kPayloadOffset + 40);
  FrameVerdict verdict = wan(corrupted);
  EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop);
  EXPECT_EQ(verdict.reason, actors::DropReason::kMalformedUdp);
  EXPECT_EQ(plane_calls_, 0) << "no credit for a corrupted handshake";
  rte_pktmbuf_free(corrupted);

  std::uint32_t accepted = 0;
  for (std::uint8_t type : {1, 2, 3}) {
    rte_mbuf* mbuf = wan_udp(handshake_message(type));
    verdict = wan(mbuf);
    EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kHandshake) << int{type};
    EXPECT_EQ(verdict.udp.source.address, kPeerEndpoint.address);
    EXPECT_EQ(verdict.udp.source.port, kPeerEndpoint.port);
    rte_pktmbuf_free(mbuf);
    ++accepted;
  }
  EXPECT_EQ(plane_calls_, 3);
  // Every credit taken (one per handshake): the next one is dropped as busy.
  while (accepted < actors::tuning::kHandshakeCredits) {
    rte_mbuf* mbuf = wan_udp(handshake_message(1));
    ASSERT_EQ(wan(mbuf).kind, FrameVerdict::Kind::kHandshake) << accepted;
    rte_pktmbuf_free(mbuf);
    ++accepted;
  }
  rte_mbuf* mbuf = wan_udp(handshake_message(1));
  verdict = wan(mbuf);
  EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop);
  EXPECT_EQ(verdict.reason, actors::DropReason::kHandshakeBusy);
  rte_pktmbuf_free(mbuf);
  // The control actor processed one: one more goes through.
  actors::ControlOutput out;
  out.handshake_credits = 1;
  actors::PeerPlane::ControlActions actions;
  plane_->apply(out, t0, actions);
  mbuf = wan_udp(handshake_message(2));
  EXPECT_EQ(wan(mbuf).kind, FrameVerdict::Kind::kHandshake);
  rte_pktmbuf_free(mbuf);
}

TEST_F(FrameClassifierTest, WanMessagesOfNoKnownShapeAreBadMessages) {
  const auto transport = transport_message(test_support::kStaticReceiveIndex, 0, 16);
  std::vector<std::uint8_t> short_transport(transport.begin(),
                                            transport.begin() + wg::kKeepaliveSize - 1);
  auto unknown_type = transport;
  unknown_type[0] = 5;
  auto type_zero = transport;
  type_zero[0] = 0;
  auto reserved_set = transport;
  reserved_set[2] = 1;
  for (const auto& payload :
       {short_transport, unknown_type, type_zero, reserved_set, std::vector<std::uint8_t>{}}) {
    rte_mbuf* mbuf = wan_udp(payload);
    const FrameVerdict verdict = wan(mbuf);
    EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop) << payload.size();
    EXPECT_EQ(verdict.reason, actors::DropReason::kBadMessage) << payload.size();
    rte_pktmbuf_free(mbuf);
  }
  EXPECT_EQ(plane_calls_, 0);
  // One byte more, a keepalive's size, is long enough to ask the plane about its index.
  rte_mbuf* mbuf = wan_udp(transport_message(0xDEADBEEF, 0, wg::kAeadTagSize));
  const FrameVerdict verdict = wan(mbuf);
  EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop);
  EXPECT_EQ(verdict.reason, actors::DropReason::kUnknownIndex);
  EXPECT_EQ(plane_calls_, 1);
  rte_pktmbuf_free(mbuf);
}

TEST_F(FrameClassifierTest, WanTransportUnderTheStaticIndexIsToOpen) {
  constexpr std::uint64_t kCounter = 0x0102030405060708;
  rte_mbuf* mbuf = wan_udp(transport_message(test_support::kStaticReceiveIndex, kCounter, 80));
  const FrameVerdict verdict = wan(mbuf);
  ASSERT_EQ(verdict.kind, FrameVerdict::Kind::kOpen);
  EXPECT_EQ(verdict.header.counter, kCounter) << "little-endian on the wire";
  EXPECT_EQ(verdict.header.receiver_index, test_support::kStaticReceiveIndex);
  EXPECT_EQ(verdict.udp.message_offset, io::kOuterIpv4Overhead);
  EXPECT_EQ(verdict.udp.message_length, wg::kTransportHeaderSize + 80);
  EXPECT_EQ(verdict.args.local_index, test_support::kStaticReceiveIndex);
  EXPECT_TRUE(verdict.args.key.equals(config_.peers[0].static_session->receive_key));
  EXPECT_EQ(plane_calls_, 1);
  rte_pktmbuf_free(mbuf);
}

TEST_F(FrameClassifierTest, WanTransportFromANewSourceNeedsACorrectChecksum) {
  const auto message = transport_message(test_support::kStaticReceiveIndex, 1, 32);
  // A corrupted source port looks like the peer roamed: it must not be believed.
  rte_mbuf* redirected = wan_udp(message);
  corrupt(redirected, kUdpSourcePortOffset);
  FrameVerdict verdict = wan(redirected);
  EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop);
  EXPECT_EQ(verdict.reason, actors::DropReason::kMalformedUdp);
  rte_pktmbuf_free(redirected);
  // A real move (correct checksum) is opened.
  rte_mbuf* moved = wan_udp(message, *config::parse_endpoint("198.51.100.7:4444"));
  EXPECT_EQ(wan(moved).kind, FrameVerdict::Kind::kOpen);
  rte_pktmbuf_free(moved);
  // From the known endpoint the checksum is not looked at: the AEAD covers the message and
  // nothing follows the address.
  rte_mbuf* corrupted_payload = wan_udp(message);
  corrupt(corrupted_payload, kPayloadOffset + wg::kTransportHeaderSize + 3);
  EXPECT_EQ(wan(corrupted_payload).kind, FrameVerdict::Kind::kOpen);
  rte_pktmbuf_free(corrupted_payload);
}

TEST_F(FrameClassifierTest, MakeHandshakeInCopiesExactlyTheUdpPayload) {
  const auto message = handshake_message(1);
  rte_mbuf* mbuf = wan_udp(message);
  // Ethernet padding after the IP packet must not end up in the message.
  auto* trailer = reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(mbuf, 12));
  ASSERT_NE(trailer, nullptr);
  std::memset(trailer, 0xEE, 12);
  const FrameVerdict verdict = wan(mbuf);
  ASSERT_EQ(verdict.kind, FrameVerdict::Kind::kHandshake);
  const actors::HandshakeIn in = actors::make_handshake_in(mbuf, verdict, t0 + 5ms);
  EXPECT_EQ(in.message, message);
  EXPECT_EQ(in.source.address, kPeerEndpoint.address);
  EXPECT_EQ(in.source.port, kPeerEndpoint.port);
  EXPECT_EQ(in.received, t0 + 5ms);
  rte_pktmbuf_free(mbuf);
}

// --- control frames ---------------------------------------------------------------------------

TEST_F(FrameClassifierTest, MakeControlFramesBuildsDatagramsAndKeepalivesAndDropsGivenUp) {
  const auto aead = env_.make_aead();
  ASSERT_NE(aead, nullptr);
  actors::PeerPlane::ControlActions actions;
  const auto response = handshake_message(2);
  actions.datagrams.push_back({kPeerEndpoint, response});
  actors::CryptoArgs keepalive;
  keepalive.key = crypto::random_secret_key();
  keepalive.counter = 7;
  keepalive.receiver_index = 0x4242;
  keepalive.peer = 1;
  keepalive.endpoint_ip = ipv4("192.0.2.3");
  keepalive.endpoint_port = 51821;
  actions.keepalives.push_back(keepalive);
  actions.dropped.push_back(lan_packet(ipv4("10.30.0.1")));
  std::uint16_t ip_id = 100;

  auto frames = actors::make_control_frames(actions, env_, *aead, ip_id, counters_);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].destination, config::IpAddress::v4(ipv4("192.0.2.2")));
  EXPECT_EQ(frames[1].destination, config::IpAddress::v4(ipv4("192.0.2.3")));
  EXPECT_EQ(counters_.packets_generated.get(), 3u);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kHandshakeGaveUp), 1u);
  EXPECT_EQ(counters_.drops_total(), 1u);
  EXPECT_TRUE(actions.dropped.empty()) << "freed, not left for someone to free again";
  EXPECT_EQ(ip_id, 102) << "one IP id per frame";

  // Both are UDP from our listen port, with correct checksums, to the right endpoint.
  auto udp_of = [](rte_mbuf* mbuf, io::UdpView& udp) {
    const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
    io::ParsedFrame parsed;
    ASSERT_EQ(io::parse_frame(data, mbuf->data_len, parsed), io::FrameError::kNone);
    ASSERT_EQ(io::parse_ipv4_udp(data + parsed.l3_offset, parsed.l3_length, udp),
              io::FrameError::kNone);
    EXPECT_TRUE(io::ipv4_udp_checksum_ok(data + parsed.l3_offset));
    EXPECT_EQ(udp.source.v4_host_order(), ipv4("192.0.2.1"));
    EXPECT_EQ(udp.source_port, 51820);
  };
  io::UdpView datagram;
  udp_of(frames[0].mbuf, datagram);
  EXPECT_EQ(datagram.destination.v4_host_order(), ipv4("192.0.2.2"));
  EXPECT_EQ(datagram.destination_port, 51820);
  const auto* datagram_payload =
      rte_pktmbuf_mtod(frames[0].mbuf, const std::uint8_t*) + io::kOuterIpv4Overhead;
  EXPECT_EQ(std::vector<std::uint8_t>(datagram_payload, datagram_payload + datagram.payload_length),
            response);

  io::UdpView sealed;
  udp_of(frames[1].mbuf, sealed);
  EXPECT_EQ(sealed.destination.v4_host_order(), ipv4("192.0.2.3"));
  EXPECT_EQ(sealed.destination_port, 51821);
  ASSERT_EQ(sealed.payload_length, wg::kKeepaliveSize);
  auto* message = rte_pktmbuf_mtod(frames[1].mbuf, std::uint8_t*) + io::kOuterIpv4Overhead;
  const auto header = crypto::parse_transport_header(message, sealed.payload_length);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->receiver_index, 0x4242u);
  EXPECT_EQ(header->counter, 7u);
  // It really is an empty message sealed with the keepalive's key.
  const auto opened =
      crypto::open_transport(*aead, keepalive.key, *header, message, sealed.payload_length);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, 0u);

  for (const auto& frame : frames) rte_pktmbuf_free(frame.mbuf);
  counters_.packets_out.add(frames.size());  // what the caller does once it sent them
  test_support::expect_balanced(counters_);
}

TEST_F(FrameClassifierTest, ApplyControlReachesThePlaneOnceAndReturnsItsFrames) {
  const auto aead = env_.make_aead();
  actors::ControlOutput out;
  out.send_keepalive = {0};  // the static session's peer
  std::uint16_t ip_id = 1;
  auto frames = actors::apply_control(out, env_, *aead, ip_id, t0, counters_, with_plane());
  EXPECT_EQ(plane_calls_, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].destination, config::IpAddress::v4(ipv4("192.0.2.2")));
  EXPECT_EQ(plane_->peer_counters()[0]->keepalives_sent.get(), 1u);
  for (const auto& frame : frames) rte_pktmbuf_free(frame.mbuf);
}

// --- IPv6 outer transport ---------------------------------------------------------------------

TEST_F(FrameClassifierTest, WanIpv6HandshakeToOurIpv6AddressIsAHandshake) {
  env_.outer.ip6 = kOurIpv6;
  for (std::uint8_t type : {1, 2, 3}) {
    const auto message = handshake_message(type);
    rte_mbuf* mbuf = wan_udp6(message);
    const FrameVerdict verdict = wan(mbuf);
    ASSERT_EQ(verdict.kind, FrameVerdict::Kind::kHandshake) << int{type};
    EXPECT_EQ(verdict.frame.kind, io::FrameKind::kIpv6);
    EXPECT_TRUE(verdict.udp.is_v6);
    EXPECT_EQ(verdict.udp.source.address, kPeerEndpoint6.address);
    EXPECT_EQ(verdict.udp.source.port, kPeerEndpoint6.port);
    EXPECT_EQ(verdict.udp.ip_offset, io::kEthernetHeaderSize);
    EXPECT_EQ(verdict.udp.message_offset, io::kOuterIpv6Overhead);
    EXPECT_EQ(verdict.udp.message_length, message.size());
    // The control actor gets exactly the message and the IPv6 source to answer to.
    const actors::HandshakeIn in = actors::make_handshake_in(mbuf, verdict, t0);
    EXPECT_EQ(in.message, message);
    EXPECT_EQ(in.source.address, kPeerEndpoint6.address);
    EXPECT_EQ(in.source.port, kPeerEndpoint6.port);
    rte_pktmbuf_free(mbuf);
  }
  EXPECT_EQ(plane_calls_, 3) << "one credit each";
}

TEST_F(FrameClassifierTest, WanIpv6HandshakeNeedsACorrectNonZeroChecksum) {
  env_.outer.ip6 = kOurIpv6;
  const auto message = handshake_message(1);
  std::vector<rte_mbuf*> bad;
  // A payload byte, a source address byte (pseudo-header: the answer would go elsewhere), the
  // source port.
  for (std::size_t offset : {kPayload6Offset + 40, kIpv6Offset + 8 + 15, kUdp6Offset + 1}) {
    rte_mbuf* mbuf = wan_udp6(message);
    corrupt(mbuf, offset);
    bad.push_back(mbuf);
  }
  // No checksum at all: forbidden for UDP over IPv6.
  rte_mbuf* zero = wan_udp6(message);
  std::memset(rte_pktmbuf_mtod(zero, std::uint8_t*) + kUdp6Offset + 6, 0, 2);
  bad.push_back(zero);
  for (rte_mbuf* mbuf : bad) {
    const FrameVerdict verdict = wan(mbuf);
    EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop);
    EXPECT_EQ(verdict.reason, actors::DropReason::kMalformedUdp);
    rte_pktmbuf_free(mbuf);
  }
  EXPECT_EQ(plane_calls_, 0) << "no credit for a corrupted handshake";
}

TEST_F(FrameClassifierTest, WanIpv6TransportIsToOpenAndARoamingSourceNeedsItsChecksum) {
  env_.outer.ip6 = kOurIpv6;
  constexpr std::uint64_t kCounter = 0x0A0B0C0D0E0F1011;
  const auto message = transport_message(test_support::kStaticReceiveIndex, kCounter, 48);
  rte_mbuf* mbuf = wan_udp6(message);
  const FrameVerdict verdict = wan(mbuf);
  ASSERT_EQ(verdict.kind, FrameVerdict::Kind::kOpen);
  EXPECT_TRUE(verdict.udp.is_v6);
  EXPECT_EQ(verdict.udp.source.address, kPeerEndpoint6.address);
  EXPECT_EQ(verdict.udp.source.port, kPeerEndpoint6.port);
  EXPECT_EQ(verdict.header.counter, kCounter);
  EXPECT_EQ(verdict.header.receiver_index, test_support::kStaticReceiveIndex);
  EXPECT_EQ(verdict.udp.message_offset, io::kOuterIpv6Overhead);
  EXPECT_EQ(verdict.udp.message_length, message.size());
  EXPECT_EQ(verdict.args.local_index, test_support::kStaticReceiveIndex);
  EXPECT_TRUE(verdict.args.key.equals(config_.peers[0].static_session->receive_key));
  EXPECT_TRUE(actors::roaming_checksum_ok(mbuf, verdict));
  EXPECT_EQ(plane_calls_, 1);
  rte_pktmbuf_free(mbuf);
  // The peer's endpoint is 192.0.2.2: an IPv6 source is a move, so the IPv6 checksum is checked.
  rte_mbuf* redirected = wan_udp6(message);
  corrupt(redirected, kUdp6Offset + 1);  // source port
  const FrameVerdict refused = wan(redirected);
  EXPECT_EQ(refused.kind, FrameVerdict::Kind::kDrop);
  EXPECT_EQ(refused.reason, actors::DropReason::kMalformedUdp);
  rte_pktmbuf_free(redirected);
}

TEST_F(FrameClassifierTest, WanIpv6IsNotForUsWithoutOurIpv6AddressOrPort) {
  const auto handshake = handshake_message(1);
  const auto transport = transport_message(test_support::kStaticReceiveIndex, 0, 16);
  // No IPv6 address on the WAN port: nothing over IPv6 is ours, not even to that address.
  ASSERT_FALSE(env_.outer.ip6.has_value());
  std::vector<rte_mbuf*> frames = {wan_udp6(handshake), wan_udp6(transport)};
  for (rte_mbuf* mbuf : frames) {
    const FrameVerdict verdict = wan(mbuf);
    EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop);
    EXPECT_EQ(verdict.reason, actors::DropReason::kNotForUs);
    rte_pktmbuf_free(mbuf);
  }
  // With one: another address of ours it is not, nor another port.
  env_.outer.ip6 = kOurIpv6;
  const io::Ipv6Address other = config::parse_ip_address("2001:db8::99")->bytes;
  frames = {wan_udp6(transport, kPeerEndpoint6, other),
            wan_udp6(transport, kPeerEndpoint6, kOurIpv6, 51821)};
  for (rte_mbuf* mbuf : frames) {
    const FrameVerdict verdict = wan(mbuf);
    EXPECT_EQ(verdict.kind, FrameVerdict::Kind::kDrop);
    EXPECT_EQ(verdict.reason, actors::DropReason::kNotForUs);
    rte_pktmbuf_free(mbuf);
  }
  EXPECT_EQ(plane_calls_, 0);
}

TEST_F(FrameClassifierTest, SealFrameToAnIpv6EndpointBuildsAnIpv6OuterFrame) {
  env_.outer.ip6 = kOurIpv6;
  const auto aead = env_.make_aead();
  ASSERT_NE(aead, nullptr);
  const auto inner = test_support::ipv4_packet(ipv4("10.10.0.5"), ipv4("10.20.0.1"), 64);
  rte_mbuf* mbuf = lan_packet(ipv4("10.20.0.1"));
  FrameVerdict verdict = lan(mbuf);
  ASSERT_EQ(verdict.kind, FrameVerdict::Kind::kSeal);
  verdict.args.set_endpoint(kPeerEndpoint6);
  ASSERT_TRUE(verdict.args.endpoint_is_v6);
  EXPECT_EQ(actors::seal_frame(mbuf, verdict.frame, verdict.args, *aead, env_.outer, env_.mtu, 7),
            actors::DropReason::kNone);
  const std::size_t sealed = crypto::sealed_size(inner.size(), env_.mtu);
  ASSERT_EQ(mbuf->data_len, io::kOuterIpv6Overhead + sealed);
  auto message = ipv6_outer_payload(mbuf, kPeerEndpoint6);
  ASSERT_EQ(message.size(), sealed);
  // The inner packet, sealed under the peer's key, follows.
  const auto header = crypto::parse_transport_header(message.data(), message.size());
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->receiver_index, test_support::kStaticSendIndex);
  const auto opened =
      crypto::open_transport(*aead, verdict.args.key, *header, message.data(), message.size());
  ASSERT_TRUE(opened.has_value());
  ASSERT_GE(*opened, inner.size());
  EXPECT_EQ(std::vector<std::uint8_t>(message.begin() + wg::kTransportHeaderSize,
                                      message.begin() + wg::kTransportHeaderSize + inner.size()),
            inner);
  rte_pktmbuf_free(mbuf);
}

TEST_F(FrameClassifierTest, SealFrameToAnIpv6EndpointWithoutOurIpv6AddressHasNoEndpoint) {
  ASSERT_FALSE(env_.outer.ip6.has_value());
  const auto aead = env_.make_aead();
  rte_mbuf* mbuf = lan_packet(ipv4("10.20.0.1"));
  FrameVerdict verdict = lan(mbuf);
  ASSERT_EQ(verdict.kind, FrameVerdict::Kind::kSeal);
  const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
  const std::vector<std::uint8_t> before(data, data + mbuf->data_len);
  verdict.args.set_endpoint(kPeerEndpoint6);
  EXPECT_EQ(actors::seal_frame(mbuf, verdict.frame, verdict.args, *aead, env_.outer, env_.mtu, 7),
            actors::DropReason::kNoEndpoint);
  data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
  EXPECT_EQ(std::vector<std::uint8_t>(data, data + mbuf->data_len), before) << "left untouched";
  rte_pktmbuf_free(mbuf);
}

TEST_F(FrameClassifierTest, DatagramAndKeepaliveFramesToAnIpv6Endpoint) {
  const auto aead = env_.make_aead();
  ASSERT_NE(aead, nullptr);
  const auto response = handshake_message(2);
  actors::CryptoArgs keepalive;
  keepalive.key = crypto::random_secret_key();
  keepalive.counter = 9;
  keepalive.receiver_index = 0x5151;
  keepalive.set_endpoint(kPeerEndpoint6);
  EXPECT_EQ(keepalive.endpoint_address(), kPeerEndpoint6.address);

  // Without an IPv6 address of ours: nothing is built (and no mbuf taken, the fixture checks).
  EXPECT_EQ(actors::make_datagram_frame(pool_, kPeerEndpoint6, response, env_.outer, 1), nullptr);
  EXPECT_EQ(actors::make_keepalive_frame(pool_, keepalive, *aead, env_.outer, env_.mtu, 2),
            nullptr);

  env_.outer.ip6 = kOurIpv6;
  rte_mbuf* datagram = actors::make_datagram_frame(pool_, kPeerEndpoint6, response, env_.outer, 1);
  ASSERT_NE(datagram, nullptr);
  EXPECT_EQ(datagram->data_len, io::kOuterIpv6Overhead + response.size());
  EXPECT_EQ(ipv6_outer_payload(datagram, kPeerEndpoint6), response);
  rte_pktmbuf_free(datagram);

  rte_mbuf* sealed = actors::make_keepalive_frame(pool_, keepalive, *aead, env_.outer, env_.mtu, 2);
  ASSERT_NE(sealed, nullptr);
  EXPECT_EQ(sealed->data_len, io::kOuterIpv6Overhead + wg::kKeepaliveSize);
  auto message = ipv6_outer_payload(sealed, kPeerEndpoint6);
  ASSERT_EQ(message.size(), wg::kKeepaliveSize);
  const auto header = crypto::parse_transport_header(message.data(), message.size());
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->receiver_index, 0x5151u);
  EXPECT_EQ(header->counter, 9u);
  const auto opened =
      crypto::open_transport(*aead, keepalive.key, *header, message.data(), message.size());
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, 0u);
  rte_pktmbuf_free(sealed);
}

TEST_F(FrameClassifierTest, MakeControlFramesSendsToIpv6Destinations) {
  env_.outer.ip6 = kOurIpv6;
  const auto aead = env_.make_aead();
  actors::PeerPlane::ControlActions actions;
  actions.datagrams.push_back({kPeerEndpoint6, handshake_message(1)});
  actors::CryptoArgs keepalive;
  keepalive.key = crypto::random_secret_key();
  keepalive.set_endpoint(kPeerEndpoint6);
  actions.keepalives.push_back(keepalive);
  std::uint16_t ip_id = 1;
  auto frames = actors::make_control_frames(actions, env_, *aead, ip_id, counters_);
  ASSERT_EQ(frames.size(), 2u);
  for (const auto& frame : frames) {
    EXPECT_EQ(frame.destination, kPeerEndpoint6.address);
    ipv6_outer_payload(frame.mbuf, kPeerEndpoint6);
    rte_pktmbuf_free(frame.mbuf);
  }
  counters_.packets_out.add(frames.size());
  EXPECT_EQ(counters_.drops_total(), 0u);
  test_support::expect_balanced(counters_);
}

TEST_F(FrameClassifierTest, APeerWithAnIpv6EndpointIsSealedAndKeptAliveOverIpv6) {
  env_.outer.ip6 = kOurIpv6;
  config::GatewayConfig config = config_;
  config.peers[0].endpoint = kPeerEndpoint6;
  actors::PeerPlane plane(config, unique_name("fc6"));
  ASSERT_TRUE(plane.valid());
  auto with_v6_plane = [&](auto&& f) { f(plane); };
  const auto aead = env_.make_aead();

  rte_mbuf* mbuf = lan_packet(ipv4("10.20.0.1"));
  FrameVerdict verdict;
  actors::classify_lan_frame(mbuf, t0, counters_, *services_, with_v6_plane, verdict);
  ASSERT_EQ(verdict.kind, FrameVerdict::Kind::kSeal) << actors::to_string(verdict.reason);
  EXPECT_TRUE(verdict.args.endpoint_is_v6);
  EXPECT_EQ(verdict.args.endpoint_address(), kPeerEndpoint6.address);
  EXPECT_EQ(verdict.args.endpoint_port, kPeerEndpoint6.port);
  ASSERT_EQ(actors::seal_frame(mbuf, verdict.frame, verdict.args, *aead, env_.outer, env_.mtu, 3),
            actors::DropReason::kNone);
  ipv6_outer_payload(mbuf, kPeerEndpoint6);
  rte_pktmbuf_free(mbuf);

  actors::ControlOutput out;
  out.send_keepalive = {0};
  std::uint16_t ip_id = 1;
  auto frames = actors::apply_control(out, env_, *aead, ip_id, t0, counters_, with_v6_plane);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].destination, kPeerEndpoint6.address);
  EXPECT_EQ(ipv6_outer_payload(frames[0].mbuf, kPeerEndpoint6).size(), wg::kKeepaliveSize);
  for (const auto& frame : frames) rte_pktmbuf_free(frame.mbuf);
}

}  // namespace
