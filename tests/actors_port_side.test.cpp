// PortSide on a real in-process ring port (the default config's WAN: 192.0.2.1/24, next hop
// 192.0.2.2 with a static MAC): neighbour MACs written on transmit, ARP requested for unknown
// neighbours while frames wait (bounded, with a timeout), ARP answered and learned, and a full
// port keeping the rest queued in order; nothing is lost uncounted, not even at destruction.
// IPv6 (PortSideNdTest, the WAN port given fd0a::1/64): next hops resolved with neighbour
// solicitations, solicitations for our addresses answered, advertisements learned, checked
// against frames scapy built (tests/data/ndp_vectors.txt, see make_ndp_vectors.py).
#include <gtest/gtest.h>
#include <rte_ring.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "actors/common/tuning.hpp"
#include "actors/dataplane/port_side.hpp"
#include "dataplane_test_support.hpp"
#include "io/ndp.hpp"
#include "io/port.hpp"
#include "known_answers.hpp"

using namespace actorwire;
using namespace std::chrono_literals;
using test_support::ipv4;

namespace {

const std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::time_point() + 1000s;
const config::MacAddress kStaticMac{{0x02, 0, 0, 0, 0x02, 0x02}};  // the config's neighbour
const config::MacAddress kLearnedMac{{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};
const config::MacAddress kZeroMac{};

class PortSideTest : public test_support::DataPlaneTest {
 protected:
  void SetUp() override {
    DataPlaneTest::SetUp();
    config_ = test_support::default_test_config();
    const config::PortConfig* wan = config_.port(config::PortRole::kWan);
    ASSERT_NE(wan, nullptr);
    ASSERT_EQ(wan->neighbours.size(), 1u);
    ASSERT_EQ(wan->neighbours[0].mac, kStaticMac);
    configure_wan(config_.ports[static_cast<std::size_t>(wan - config_.ports.data())]);
    std::string error;
    port_ = io::Port::open(*wan, config_.dpdk, pool_, 1, error);
    ASSERT_TRUE(port_) << error;
    ASSERT_TRUE(port_->in_memory());
    side_ = std::make_unique<actors::PortSide>(*port_, pool_, counters_);
  }
  // Lets a derived fixture change the WAN port's config before the port opens.
  virtual void configure_wan(config::PortConfig&) {}
  void TearDown() override {
    side_.reset();
    if (!placeholders_.empty()) take_placeholders();  // a failed test left them in the ring
    for (rte_mbuf* mbuf : captured()) rte_pktmbuf_free(mbuf);
    port_.reset();
    DataPlaneTest::TearDown();
  }

  // A frame as the gateway makes it before transmission: zero destination MAC, IP id `id`.
  rte_mbuf* frame(std::uint16_t id, std::size_t ip_size = 100) {
    return test_support::mbuf_with(
        pool_, test_support::ethernet_frame(
                   test_support::ipv4_packet(ipv4("192.0.2.1"), ipv4("203.0.113.9"), ip_size, id),
                   io::kEtherTypeIpv4));
  }
  // What the caller does: counts the frame in and hands it over.
  void transmit_to(rte_mbuf* mbuf, std::uint32_t destination,
                   std::chrono::steady_clock::time_point now) {
    counters_.packets_in.add(1);
    side_->transmit_to(mbuf, destination, now);
  }
  void handle_arp(const io::ArpPacket& arp, const config::MacAddress& ethernet_destination,
                  std::chrono::steady_clock::time_point now) {
    rte_mbuf* mbuf = test_support::arp_frame(pool_, ethernet_destination, arp);
    io::ParsedFrame parsed;
    ASSERT_EQ(io::parse_frame(rte_pktmbuf_mtod(mbuf, const std::uint8_t*), mbuf->data_len, parsed),
              io::FrameError::kNone);
    ASSERT_EQ(parsed.kind, io::FrameKind::kArp);
    counters_.packets_in.add(1);
    side_->handle_neighbour(mbuf, parsed, now);
  }
  io::ArpPacket reply_from(std::uint32_t ip, const config::MacAddress& mac) const {
    io::ArpPacket reply;
    reply.operation = io::kArpReply;
    reply.sender_mac = mac;
    reply.sender_ip = ip;
    reply.target_mac = port_->identity().mac;
    reply.target_ip = ipv4("192.0.2.1");
    return reply;
  }

  std::vector<rte_mbuf*> captured() { return test_support::drain(port_->capture_ring(), 1024); }
  // Flushes; returns what the port sent (the caller frees it).
  std::vector<rte_mbuf*> sent() {
    side_->flush();
    return captured();
  }

  static config::MacAddress destination_mac(const rte_mbuf* mbuf) {
    config::MacAddress mac;
    std::memcpy(mac.bytes.data(), rte_pktmbuf_mtod(mbuf, const std::uint8_t*), 6);
    return mac;
  }
  static std::uint16_t ether_type(const rte_mbuf* mbuf) {
    return io::load_be16(rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + 12);
  }
  static std::uint16_t ip_id_of(const rte_mbuf* mbuf) {
    return io::load_be16(rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + io::kEthernetHeaderSize + 4);
  }
  static io::ArpPacket arp_of(const rte_mbuf* mbuf) {
    return io::read_arp(rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + io::kEthernetHeaderSize);
  }
  // Frees what was captured, checking each is an IPv4 frame to `mac` with ids first, first+1...
  static void expect_in_order(const std::vector<rte_mbuf*>& mbufs, std::uint16_t first,
                              const config::MacAddress& mac) {
    for (std::size_t i = 0; i < mbufs.size(); ++i) {
      EXPECT_EQ(ether_type(mbufs[i]), io::kEtherTypeIpv4) << i;
      EXPECT_EQ(ip_id_of(mbufs[i]), first + i) << i;
      EXPECT_EQ(destination_mac(mbufs[i]), mac) << i;
      rte_pktmbuf_free(mbufs[i]);
    }
  }
  // Occupies all but `room` slots of the capture ring with placeholders (never mbufs: they are
  // only counted and dequeued again).
  std::size_t leave_room(unsigned room) {
    rte_ring* ring = port_->capture_ring();
    const unsigned fill = rte_ring_free_count(ring) - room;
    placeholders_.resize(fill);
    for (unsigned i = 0; i < fill; ++i) placeholders_[i] = &placeholders_[i];
    EXPECT_EQ(rte_ring_enqueue_bulk(ring, placeholders_.data(), fill, nullptr), fill);
    return fill;
  }
  void take_placeholders() {
    std::vector<void*> out(placeholders_.size());
    EXPECT_EQ(rte_ring_dequeue_bulk(port_->capture_ring(), out.data(),
                                    static_cast<unsigned>(out.size()), nullptr),
              out.size());
    EXPECT_EQ(out, placeholders_) << "placeholders come out first, unchanged";
    placeholders_.clear();
  }

  config::GatewayConfig config_;
  std::unique_ptr<io::Port> port_;
  actors::StageCounters counters_{"tx"};
  std::unique_ptr<actors::PortSide> side_;
  std::vector<void*> placeholders_;
};

TEST_F(PortSideTest, AStaticNeighboursMacIsWrittenAndFlushSendsTheFrame) {
  rte_mbuf* mbuf = frame(7);
  ASSERT_EQ(destination_mac(mbuf), kZeroMac);
  const std::uint32_t length = mbuf->pkt_len;
  // Off-link: through the next hop 192.0.2.2, whose MAC the config gives.
  transmit_to(mbuf, ipv4("203.0.113.9"), t0);
  EXPECT_EQ(side_->queued(), 1u);
  EXPECT_TRUE(captured().empty()) << "nothing leaves before flush";
  side_->flush();
  EXPECT_EQ(side_->queued(), 0u);
  auto out = captured();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], mbuf) << "sent as it is, in its own mbuf";
  EXPECT_EQ(out[0]->pkt_len, length);
  expect_in_order(out, 7, kStaticMac);
  EXPECT_EQ(counters_.packets_out.get(), 1u);
  EXPECT_EQ(counters_.bytes_out.get(), length);
  EXPECT_EQ(counters_.packets_generated.get(), 0u) << "no ARP needed";
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideTest, AnUnknownNeighbourIsAskedForOnceAndItsReplyReleasesTheFramesInOrder) {
  const std::uint32_t neighbour = ipv4("192.0.2.50");  // on-link, not in the config
  for (std::uint16_t id = 0; id < 3; ++id) transmit_to(frame(id), neighbour, t0);
  EXPECT_EQ(side_->queued(), 1u) << "one ARP request queued, the frames wait";
  side_->flush();
  auto out = captured();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(ether_type(out[0]), io::kEtherTypeArp);
  EXPECT_EQ(destination_mac(out[0]), io::kBroadcastMac);
  const io::ArpPacket request = arp_of(out[0]);
  EXPECT_EQ(request.operation, io::kArpRequest);
  EXPECT_EQ(request.target_ip, neighbour);
  EXPECT_EQ(request.sender_ip, ipv4("192.0.2.1"));
  EXPECT_EQ(request.sender_mac, port_->identity().mac);
  rte_pktmbuf_free(out[0]);
  EXPECT_EQ(counters_.packets_generated.get(), 1u);
  EXPECT_TRUE(side_->take_learned().empty());

  handle_arp(reply_from(neighbour, kLearnedMac), port_->identity().mac, t0 + 1ms);
  EXPECT_EQ(counters_.packets_consumed.get(), 1u) << "the reply did its job";
  EXPECT_EQ(side_->queued(), 3u);
  side_->flush();
  out = captured();
  ASSERT_EQ(out.size(), 3u);
  expect_in_order(out, 0, kLearnedMac);
  const auto learned = side_->take_learned();
  ASSERT_EQ(learned.size(), 1u);
  EXPECT_EQ(learned[0].first, config::IpAddress::v4(neighbour));
  EXPECT_EQ(learned[0].second, kLearnedMac);
  EXPECT_TRUE(side_->take_learned().empty()) << "reported once";
  // From now on the MAC is known: no more waiting.
  transmit_to(frame(9), neighbour, t0 + 2ms);
  side_->flush();
  out = captured();
  ASSERT_EQ(out.size(), 1u);
  expect_in_order(out, 9, kLearnedMac);
  EXPECT_EQ(counters_.drops_total(), 0u);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideTest, BeyondTheParkingLimitTheOldestFrameIsDropped) {
  constexpr std::size_t kExtra = 2;
  const std::uint32_t neighbour = ipv4("192.0.2.50");
  const std::size_t offered = actors::tuning::kMaxAwaitingNeighbour + kExtra;
  for (std::size_t id = 0; id < offered; ++id) {
    transmit_to(frame(static_cast<std::uint16_t>(id)), neighbour, t0);
  }
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoNeighbour), kExtra);
  handle_arp(reply_from(neighbour, kLearnedMac), port_->identity().mac, t0 + 1ms);
  side_->flush();
  auto out = captured();
  ASSERT_EQ(out.size(), 1 + actors::tuning::kMaxAwaitingNeighbour);  // the request first
  EXPECT_EQ(ether_type(out[0]), io::kEtherTypeArp);
  rte_pktmbuf_free(out[0]);
  out.erase(out.begin());
  expect_in_order(out, kExtra, kLearnedMac);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideTest, FramesThatWaitLongerThanTheTimeoutAreDroppedWhileArpIsRepeated) {
  const std::uint32_t neighbour = ipv4("192.0.2.50");
  // Flushes and counts what went out: only ARP requests for `neighbour` may have.
  auto requests_sent = [&] {
    side_->flush();
    const auto out = captured();
    for (rte_mbuf* mbuf : out) {
      EXPECT_EQ(ether_type(mbuf), io::kEtherTypeArp);
      EXPECT_EQ(arp_of(mbuf).operation, io::kArpRequest);
      EXPECT_EQ(arp_of(mbuf).target_ip, neighbour);
      rte_pktmbuf_free(mbuf);
    }
    return out.size();
  };
  const auto retry = actors::tuning::kArpRetryInterval;
  const auto timeout = actors::tuning::kNeighbourTimeout;
  transmit_to(frame(0), neighbour, t0);
  transmit_to(frame(1), neighbour, t0 + 10ms);
  EXPECT_EQ(requests_sent(), 1u);
  side_->expire_waiting(t0 + retry / 2);
  EXPECT_EQ(requests_sent(), 0u) << "not asked again before the retry interval";
  side_->expire_waiting(t0 + retry);
  EXPECT_EQ(requests_sent(), 1u) << "still unanswered: asked again";
  transmit_to(frame(2), neighbour, t0 + 2 * retry);
  EXPECT_EQ(requests_sent(), 1u);
  // Exactly the timeout is not longer than it: nothing dropped yet (but asked again).
  side_->expire_waiting(t0 + timeout);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoNeighbour), 0u);
  EXPECT_EQ(requests_sent(), 1u);
  side_->expire_waiting(t0 + timeout + 1ms);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoNeighbour), 1u);
  side_->expire_waiting(t0 + 10ms + timeout + 1ms);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoNeighbour), 2u);
  EXPECT_EQ(requests_sent(), 0u);
  EXPECT_EQ(counters_.packets_generated.get(), 4u);
  // The frame parked at t0 + 2 s still waits; the answer releases only it.
  handle_arp(reply_from(neighbour, kLearnedMac), port_->identity().mac, t0 + timeout + 20ms);
  side_->flush();
  auto out = captured();
  ASSERT_EQ(out.size(), 1u);
  expect_in_order(out, 2, kLearnedMac);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideTest, AnArpRequestForOurAddressIsAnsweredAndItsSenderLearned) {
  const config::MacAddress asker_mac{{0x02, 0xAA, 0, 0, 0, 0x09}};
  io::ArpPacket request;
  request.operation = io::kArpRequest;
  request.sender_mac = asker_mac;
  request.sender_ip = ipv4("192.0.2.9");
  request.target_ip = ipv4("192.0.2.1");
  handle_arp(request, io::kBroadcastMac, t0);
  EXPECT_EQ(side_->queued(), 1u);
  side_->flush();
  auto out = captured();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(ether_type(out[0]), io::kEtherTypeArp);
  EXPECT_EQ(out[0]->data_len, io::kArpFrameSize);
  EXPECT_EQ(destination_mac(out[0]), asker_mac);
  const io::ArpPacket reply = arp_of(out[0]);
  EXPECT_EQ(reply.operation, io::kArpReply);
  EXPECT_EQ(reply.sender_mac, port_->identity().mac);
  EXPECT_EQ(reply.sender_ip, ipv4("192.0.2.1"));
  EXPECT_EQ(reply.target_mac, asker_mac);
  EXPECT_EQ(reply.target_ip, ipv4("192.0.2.9"));
  rte_pktmbuf_free(out[0]);
  // The asker is about to talk to us: its MAC is known without another ARP round.
  transmit_to(frame(3), ipv4("192.0.2.9"), t0 + 1ms);
  side_->flush();
  out = captured();
  ASSERT_EQ(out.size(), 1u);
  expect_in_order(out, 3, asker_mac);
  EXPECT_EQ(counters_.packets_generated.get(), 0u);

  // A request for somebody else's address is not ours to answer.
  request.target_ip = ipv4("192.0.2.77");
  handle_arp(request, io::kBroadcastMac, t0 + 2ms);
  EXPECT_EQ(side_->queued(), 0u);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNotForUs), 1u);
  test_support::expect_balanced(counters_);
}

// As with neighbour discovery, siblings hear only of a neighbour that is new or whose MAC
// changed: a host that ARPs again, or answers again with the same MAC, is no news.
TEST_F(PortSideTest, OnlyANewOrChangedArpNeighbourIsReported) {
  const config::MacAddress asker_mac{{0x02, 0xAA, 0, 0, 0, 0x09}};
  const config::IpAddress asker = config::IpAddress::v4(ipv4("192.0.2.9"));
  io::ArpPacket request;
  request.operation = io::kArpRequest;
  request.sender_mac = asker_mac;
  request.sender_ip = asker.v4_host_order();
  request.target_ip = ipv4("192.0.2.1");
  using Learned = std::vector<std::pair<config::IpAddress, config::MacAddress>>;
  handle_arp(request, io::kBroadcastMac, t0);
  EXPECT_EQ(side_->take_learned(), (Learned{{asker, asker_mac}})) << "new";
  handle_arp(request, io::kBroadcastMac, t0 + 1ms);
  handle_arp(reply_from(asker.v4_host_order(), asker_mac), port_->identity().mac, t0 + 2ms);
  EXPECT_TRUE(side_->take_learned().empty()) << "nothing changed";
  handle_arp(reply_from(asker.v4_host_order(), kLearnedMac), port_->identity().mac, t0 + 3ms);
  EXPECT_EQ(side_->take_learned(), (Learned{{asker, kLearnedMac}})) << "moved to another MAC";
  // The static neighbour keeps its configured MAC whatever it claims: nothing changes.
  handle_arp(reply_from(ipv4("192.0.2.2"), kStaticMac), port_->identity().mac, t0 + 4ms);
  handle_arp(reply_from(ipv4("192.0.2.2"), kLearnedMac), port_->identity().mac, t0 + 5ms);
  EXPECT_TRUE(side_->take_learned().empty());
  const auto replies = sent();  // to the two requests
  EXPECT_EQ(replies.size(), 2u);
  for (rte_mbuf* mbuf : replies) rte_pktmbuf_free(mbuf);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideTest, ANeighbourLearnedElsewhereReleasesTheWaitingFrames) {
  const std::uint32_t neighbour = ipv4("192.0.2.50");
  transmit_to(frame(0), neighbour, t0);
  transmit_to(frame(1), neighbour, t0);
  side_->learn(config::IpAddress::v4(neighbour), kLearnedMac);
  side_->flush();
  auto out = captured();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(ether_type(out[0]), io::kEtherTypeArp);
  rte_pktmbuf_free(out[0]);
  out.erase(out.begin());
  expect_in_order(out, 0, kLearnedMac);
  EXPECT_TRUE(side_->take_learned().empty()) << "a sibling's news is not reported back";
  // A static entry wins over what a sibling claims.
  transmit_to(frame(5), ipv4("192.0.2.2"), t0);
  side_->learn(config::IpAddress::v4(ipv4("192.0.2.2")), kLearnedMac);
  transmit_to(frame(6), ipv4("192.0.2.2"), t0);
  side_->flush();
  out = captured();
  ASSERT_EQ(out.size(), 2u);
  expect_in_order(out, 5, kStaticMac);
  test_support::expect_balanced(counters_);
}

// The ARP retry limit is per neighbour (as the kernel's retransmit timer): a second unknown
// host is asked for at once, and every host something waits for is asked again later.
TEST_F(PortSideTest, EachUnknownNeighbourIsAskedFor) {
  auto arp_targets = [this] {
    std::vector<std::uint32_t> asked;
    for (rte_mbuf* mbuf : captured()) {
      if (ether_type(mbuf) == io::kEtherTypeArp) asked.push_back(arp_of(mbuf).target_ip);
      rte_pktmbuf_free(mbuf);
    }
    return asked;
  };
  transmit_to(frame(0), ipv4("192.0.2.50"), t0);
  transmit_to(frame(1), ipv4("192.0.2.51"), t0 + 1ms);
  transmit_to(frame(2), ipv4("192.0.2.50"), t0 + 2ms);  // already asked for: no new request
  side_->flush();
  EXPECT_EQ(arp_targets(), (std::vector<std::uint32_t>{ipv4("192.0.2.50"), ipv4("192.0.2.51")}));
  side_->expire_waiting(t0 + 500ms);  // within the retry interval: nothing
  side_->flush();
  EXPECT_TRUE(arp_targets().empty());
  side_->expire_waiting(t0 + actors::tuning::kArpRetryInterval + 2ms);
  side_->flush();
  EXPECT_EQ(arp_targets(), (std::vector<std::uint32_t>{ipv4("192.0.2.50"), ipv4("192.0.2.51")}))
      << "each neighbour still waited for is asked again once";
}

TEST_F(PortSideTest, AFullPortKeepsTheRestQueuedInOrderForTheNextFlush) {
  const std::size_t filled = leave_room(3);
  ASSERT_GT(filled, 0u);
  for (std::uint16_t id = 0; id < 5; ++id) transmit_to(frame(id), ipv4("203.0.113.9"), t0);
  side_->flush();
  EXPECT_EQ(side_->queued(), 2u) << "the port took 3 of 5";
  EXPECT_EQ(counters_.packets_out.get(), 3u);
  take_placeholders();
  auto out = captured();
  ASSERT_EQ(out.size(), 3u);
  expect_in_order(out, 0, kStaticMac);
  side_->flush();
  EXPECT_EQ(side_->queued(), 0u);
  out = captured();
  ASSERT_EQ(out.size(), 2u);
  expect_in_order(out, 3, kStaticMac);
  EXPECT_EQ(counters_.drops_total(), 0u) << "a full port is no reason to drop";
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideTest, DestroyingAPortSideCountsAndFreesWhatIsStillQueued) {
  const unsigned start = rte_mempool_avail_count(pool_);
  leave_room(0);
  for (std::uint16_t id = 0; id < 4; ++id) transmit_to(frame(id), ipv4("203.0.113.9"), t0);
  transmit_to(frame(4), ipv4("192.0.2.50"), t0);  // parked, with an ARP request queued
  side_->flush();
  EXPECT_EQ(side_->queued(), 5u) << "four frames and the ARP request";
  EXPECT_LT(rte_mempool_avail_count(pool_), start);
  side_.reset();
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kTxFull), 5u);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoNeighbour), 1u) << "the parked frame";
  EXPECT_EQ(rte_mempool_avail_count(pool_), start) << "every queued or parked mbuf freed";
  test_support::expect_balanced(counters_);
  take_placeholders();
}

// --- IPv6 neighbour discovery --------------------------------------------------------------------

// The constants of tests/data/make_ndp_vectors.py.
const config::MacAddress kOurMac{{0x02, 0, 0, 0, 0, 0x01}};
const config::MacAddress kHostMac{{0x02, 0, 0, 0, 0, 0x02}};
const config::MacAddress kProxyMac{{0x02, 0, 0, 0, 0, 0x22}};
const config::MacAddress kStaticV6Mac{{0x02, 0, 0, 0, 0x0F, 0xFE}};  // the next hop fd0a::fe

config::IpAddress ip6(const char* text) {
  const auto parsed = config::parse_ip_address(text);
  EXPECT_TRUE(parsed.has_value() && parsed->is_v6) << text;
  return parsed.value_or(config::IpAddress{});
}
io::Ipv6Address v6(const char* text) {
  return ip6(text).bytes;
}

// A whole Ethernet frame of the vectors.
std::vector<std::uint8_t> nd_vector(const std::string& name) {
  return test_support::known_answer("ndp_vectors.txt", name).value_or(std::vector<std::uint8_t>{});
}

std::string hex_of(const rte_mbuf* mbuf) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
  for (std::uint16_t i = 0; i < mbuf->data_len; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xF];
  }
  return out;
}
std::string hex_of(const std::vector<std::uint8_t>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xF];
  }
  return out;
}

// The WAN port as a dual-stack one: MAC 02:00:00:00:00:01 (link-local fe80::ff:fe00:1),
// fd0a::1/64 beside 192.0.2.1/24, the IPv6 next hop fd0a::fe with a static MAC.
class PortSideNdTest : public PortSideTest {
 protected:
  void configure_wan(config::PortConfig& wan) override {
    wan.mac = kOurMac;
    wan.addresses.push_back(*config::parse_interface_address("fd0a::1/64"));
    wan.next_hop = ip6("fd0a::fe");
    wan.neighbours.push_back({ip6("fd0a::fe"), kStaticV6Mac});
  }
  void SetUp() override {
    PortSideTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_EQ(port_->identity().mac, kOurMac);
    ASSERT_EQ(port_->identity().primary_ipv6(), v6("fd0a::1"));
  }

  // An IPv6 frame as the gateway makes it before transmission (zero destination MAC), `id` in
  // the first two payload bytes.
  rte_mbuf* frame6(std::uint16_t id) {
    auto packet = test_support::ipv6_packet(ip6("fd0a::1"), ip6("2001:db8::9"), 60);
    io::store_be16(packet.data() + io::kIpv6HeaderSize, id);
    return test_support::mbuf_with(pool_, test_support::ethernet_frame(packet, io::kEtherTypeIpv6));
  }
  void transmit_to_v6(rte_mbuf* mbuf, const char* destination,
                      std::chrono::steady_clock::time_point now) {
    counters_.packets_in.add(1);
    side_->transmit_to_v6(mbuf, v6(destination), now);
  }
  // Receives a vector's frame as the classifier hands it over.
  void receive(const std::string& name, std::chrono::steady_clock::time_point now) {
    const auto bytes = nd_vector(name);
    ASSERT_FALSE(bytes.empty());
    rte_mbuf* mbuf = test_support::mbuf_with(pool_, bytes);
    ASSERT_NE(mbuf, nullptr);
    io::ParsedFrame parsed;
    ASSERT_EQ(io::parse_frame(rte_pktmbuf_mtod(mbuf, const std::uint8_t*), mbuf->data_len, parsed),
              io::FrameError::kNone)
        << name;
    ASSERT_EQ(parsed.kind, io::FrameKind::kIpv6) << name;
    counters_.packets_in.add(1);
    side_->handle_neighbour(mbuf, parsed, now);
  }
  // Flushes; returns what went out, as hex frames, and frees it.
  std::vector<std::string> sent_hex() {
    std::vector<std::string> out;
    for (rte_mbuf* mbuf : sent()) {
      out.push_back(hex_of(mbuf));
      rte_pktmbuf_free(mbuf);
    }
    return out;
  }
  static std::uint16_t id6_of(const rte_mbuf* mbuf) {
    return io::load_be16(rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + io::kEthernetHeaderSize +
                         io::kIpv6HeaderSize);
  }
  // Frees what was captured, checking each is an IPv6 frame to `mac` with ids first, first+1...
  static void expect_v6_in_order(const std::vector<rte_mbuf*>& mbufs, std::uint16_t first,
                                 const config::MacAddress& mac) {
    for (std::size_t i = 0; i < mbufs.size(); ++i) {
      EXPECT_EQ(ether_type(mbufs[i]), io::kEtherTypeIpv6) << i;
      EXPECT_EQ(id6_of(mbufs[i]), first + i) << i;
      EXPECT_EQ(destination_mac(mbufs[i]), mac) << i;
      EXPECT_EQ(mbufs[i]->data_len, io::kEthernetHeaderSize + io::kIpv6HeaderSize + 60) << i;
      rte_pktmbuf_free(mbufs[i]);
    }
  }
  // Flushes and checks what the port sent: `count` IPv6 frames to `mac` with ids first,
  // first+1...; frees them.
  void expect_sent_v6(std::size_t count, std::uint16_t first, const config::MacAddress& mac) {
    const std::vector<rte_mbuf*> out = sent();
    EXPECT_EQ(out.size(), count);
    expect_v6_in_order(out, first, mac);
  }
  using Learned = std::vector<std::pair<config::IpAddress, config::MacAddress>>;
};

TEST_F(PortSideNdTest, AnUnknownNeighbourIsSolicitedOnceAndItsAdvertisementReleasesTheFrames) {
  const auto retry = actors::tuning::kArpRetryInterval;
  transmit_to_v6(frame6(0), "fd0a::2", t0);
  EXPECT_EQ(side_->queued(), 1u) << "one solicitation queued, the frame waits";
  transmit_to_v6(frame6(1), "fd0a::2", t0 + retry / 2);
  side_->expire_waiting(t0 + retry / 2);
  EXPECT_EQ(side_->queued(), 1u) << "within the retry interval: no second solicitation";
  const auto ns = nd_vector("ns_out");  // from fd0a::1 for fd0a::2, to ff02::1:ff00:2
  EXPECT_EQ(sent_hex(), std::vector<std::string>{hex_of(ns)});
  EXPECT_EQ(counters_.packets_generated.get(), 1u);
  EXPECT_TRUE(side_->take_learned().empty());

  // Unanswered for a retry interval: asked again, the same solicitation.
  side_->expire_waiting(t0 + retry);
  EXPECT_EQ(sent_hex(), std::vector<std::string>{hex_of(ns)});
  EXPECT_EQ(counters_.packets_generated.get(), 2u);

  receive("na_in", t0 + retry + 1ms);
  EXPECT_EQ(counters_.packets_consumed.get(), 1u) << "the advertisement did its job";
  EXPECT_EQ(side_->queued(), 2u);
  expect_sent_v6(2, 0, kHostMac);
  const Learned learned = side_->take_learned();
  ASSERT_EQ(learned.size(), 1u);
  EXPECT_EQ(learned[0].first, ip6("fd0a::2"));
  EXPECT_EQ(learned[0].second, kHostMac);
  EXPECT_TRUE(side_->take_learned().empty()) << "reported once";

  // Known from now on: straight out, no solicitation, and no retry for it any more.
  transmit_to_v6(frame6(2), "fd0a::2", t0 + retry + 2ms);
  expect_sent_v6(1, 2, kHostMac);
  side_->expire_waiting(t0 + 3 * retry);
  EXPECT_TRUE(sent_hex().empty());
  EXPECT_EQ(counters_.packets_generated.get(), 2u);
  EXPECT_EQ(counters_.drops_total(), 0u);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, TheTargetLinkLayerOptionWinsOverTheEthernetSource) {
  transmit_to_v6(frame6(0), "fd0a::2", t0);
  EXPECT_EQ(sent_hex().size(), 1u);  // the solicitation
  receive("na_in_proxy", t0 + 1ms);  // sent by 02:..:02, option 02:..:22
  expect_sent_v6(1, 0, kProxyMac);
  const Learned learned = side_->take_learned();
  ASSERT_EQ(learned.size(), 1u);
  EXPECT_EQ(learned[0].second, kProxyMac);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, EachUnknownOnLinkNeighbourIsSolicited) {
  transmit_to_v6(frame6(0), "fd0a::2", t0);
  transmit_to_v6(frame6(1), "fd0a::3", t0 + 1ms);  // a second host: asked for at once
  transmit_to_v6(frame6(2), "fe80::2", t0 + 2ms);  // link-local: on-link, resolved too
  auto out = sent();
  ASSERT_EQ(out.size(), 3u);
  const std::pair<const char*, const char*> expected[] = {{"fd0a::2", "33:33:ff:00:00:02"},
                                                          {"fd0a::3", "33:33:ff:00:00:03"},
                                                          {"fe80::2", "33:33:ff:00:00:02"}};
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto* data = rte_pktmbuf_mtod(out[i], const std::uint8_t*);
    EXPECT_EQ(destination_mac(out[i]), *config::parse_mac_address(expected[i].second)) << i;
    EXPECT_EQ(io::nd_type(data + io::kEthernetHeaderSize, out[i]->data_len - 14),
              io::kNdNeighbourSolicitation)
        << i;
    io::NdMessage ns;
    ASSERT_TRUE(io::parse_nd(data + 14, out[i]->data_len - 14u, ns)) << i;
    EXPECT_EQ(ns.target, v6(expected[i].first)) << i;
    EXPECT_EQ(ns.source, v6("fd0a::1")) << i;
    EXPECT_EQ(ns.destination, io::solicited_node_address(ns.target)) << i;
    EXPECT_EQ(ns.link_layer, kOurMac) << i;
    rte_pktmbuf_free(out[i]);
  }
  EXPECT_EQ(counters_.packets_generated.get(), 3u);
  side_.reset();  // the three frames still wait
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoNeighbour), 3u);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, AStaticIpv6NeighbourNeedsNoSolicitation) {
  transmit_to_v6(frame6(0), "fd0a::fe", t0);     // the static neighbour itself
  transmit_to_v6(frame6(1), "2001:db8::9", t0);  // off-link: through it
  transmit_to_v6(frame6(2), "2606:4700::1", t0);
  expect_sent_v6(3, 0, kStaticV6Mac);
  EXPECT_EQ(counters_.packets_generated.get(), 0u);
  // A static entry wins over what a sibling claims.
  side_->learn(ip6("fd0a::fe"), kHostMac);
  transmit_to_v6(frame6(3), "2001:db8::9", t0 + 1ms);
  expect_sent_v6(1, 3, kStaticV6Mac);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, AMulticastDestinationGoesStraightOutToItsEthernetGroup) {
  transmit_to_v6(frame6(0), "ff02::1:2", t0);
  transmit_to_v6(frame6(1), "ff05::1:3", t0);
  transmit_to_v6(frame6(2), "ff02::1", t0);
  auto out = sent();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(destination_mac(out[0]), *config::parse_mac_address("33:33:00:01:00:02"));
  EXPECT_EQ(destination_mac(out[1]), *config::parse_mac_address("33:33:00:01:00:03"));
  EXPECT_EQ(destination_mac(out[2]), *config::parse_mac_address("33:33:00:00:00:01"));
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(id6_of(out[i]), i);
    rte_pktmbuf_free(out[i]);
  }
  EXPECT_EQ(counters_.packets_generated.get(), 0u) << "nothing to resolve";
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, ASolicitationForOurAddressGetsASolicitedAdvertisementAndTeachesUs) {
  receive("ns_in_host", t0);
  EXPECT_EQ(side_->queued(), 1u);
  auto out = sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->pkt_len, io::kNdFrameSize);
  EXPECT_EQ(hex_of(out[0]), hex_of(nd_vector("na_solicited_out")));
  rte_pktmbuf_free(out[0]);
  const Learned learned = side_->take_learned();
  ASSERT_EQ(learned.size(), 1u);
  EXPECT_EQ(learned[0].first, ip6("fd0a::2"));
  EXPECT_EQ(learned[0].second, kHostMac);
  // The asker is about to talk to us: known without a solicitation of ours.
  transmit_to_v6(frame6(4), "fd0a::2", t0 + 1ms);
  expect_sent_v6(1, 4, kHostMac);
  EXPECT_EQ(counters_.packets_generated.get(), 0u);
  EXPECT_EQ(counters_.drops_total(), 0u);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, TheSourceLinkLayerOptionWinsOverTheEthernetSource) {
  receive("ns_in_host_proxy_ll", t0);  // sent by 02:..:02, option 02:..:22
  EXPECT_EQ(sent_hex(), std::vector<std::string>{hex_of(nd_vector("na_to_proxy_out"))});
  const Learned learned = side_->take_learned();
  ASSERT_EQ(learned.size(), 1u);
  EXPECT_EQ(learned[0].first, ip6("fd0a::2"));
  EXPECT_EQ(learned[0].second, kProxyMac);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, ASolicitationFromAHostWeWaitForReleasesItsFrames) {
  transmit_to_v6(frame6(0), "fd0a::2", t0);
  EXPECT_EQ(sent_hex(), std::vector<std::string>{hex_of(nd_vector("ns_out"))});
  receive("ns_in_host", t0 + 1ms);  // it resolves us before it answers
  auto out = sent();
  ASSERT_EQ(out.size(), 2u);
  // The frame released by the learning first, then the answer, or the other way round.
  const bool answer_first = ether_type(out[0]) == io::kEtherTypeIpv6 &&
                            hex_of(out[0]) == hex_of(nd_vector("na_solicited_out"));
  rte_mbuf* answer = answer_first ? out[0] : out[1];
  EXPECT_EQ(hex_of(answer), hex_of(nd_vector("na_solicited_out")));
  rte_pktmbuf_free(answer);
  expect_v6_in_order({answer_first ? out[1] : out[0]}, 0, kHostMac);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, SolicitationsForOurLinkLocalAddressAndWithoutAnOptionAreAnswered) {
  receive("ns_in_link_local", t0);  // for fe80::ff:fe00:1, our EUI-64 address
  EXPECT_EQ(sent_hex(), std::vector<std::string>{hex_of(nd_vector("na_link_local_out"))});
  Learned learned = side_->take_learned();
  ASSERT_EQ(learned.size(), 1u);
  EXPECT_EQ(learned[0].first, ip6("fe80::2"));
  // Unicast, without a source link-layer option: answered to the Ethernet source, nothing
  // learned (nothing to learn it from, RFC 4861 7.2.3).
  receive("ns_in_unicast_no_option", t0 + 1ms);
  EXPECT_EQ(sent_hex(), std::vector<std::string>{hex_of(nd_vector("na_unicast_out"))});
  EXPECT_TRUE(side_->take_learned().empty());
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, DuplicateAddressDetectionIsAnsweredToAllNodes) {
  receive("ns_in_dad", t0);  // from ::, 78 bytes: the answer is longer
  auto out = sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(destination_mac(out[0]), *config::parse_mac_address("33:33:00:00:00:01"));
  EXPECT_EQ(out[0]->data_len, io::kNdFrameSize);
  EXPECT_EQ(out[0]->pkt_len, io::kNdFrameSize);
  EXPECT_EQ(hex_of(out[0]), hex_of(nd_vector("na_dad_out")));
  rte_pktmbuf_free(out[0]);
  EXPECT_TRUE(side_->take_learned().empty()) << ":: is nobody to learn";
  EXPECT_EQ(counters_.drops_total(), 0u);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, ASolicitationForSomebodyElseIsNotForUs) {
  receive("ns_in_other", t0);
  EXPECT_EQ(side_->queued(), 0u);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNotForUs), 1u);
  EXPECT_TRUE(side_->take_learned().empty()) << "it did not talk to us";
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, RouterAdvertisementsAndOtherNdMessagesAreCountedNotAnswered) {
  receive("ra_in", t0);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kRouterAdvertisement), 1u);
  receive("rs_in", t0);
  receive("redirect_in", t0);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kUnhandled), 2u);
  EXPECT_EQ(counters_.drops_total(), 3u);
  EXPECT_EQ(side_->queued(), 0u);
  EXPECT_TRUE(side_->take_learned().empty());
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, InvalidSolicitationsAndAdvertisementsAreCountedAndIgnored) {
  transmit_to_v6(frame6(0), "fd0a::2", t0);  // waits for fd0a::2
  EXPECT_EQ(sent_hex().size(), 1u);
  const char* invalid[] = {
      "bad_ns_hop_limit_64",    "bad_ns_checksum",        "bad_ns_code_1",
      "bad_ns_option_length_0", "bad_ns_dad_with_ll",     "bad_ns_too_short",
      "bad_na_hop_limit_64",    "bad_na_option_length_0", "bad_na_solicited_multicast",
      "bad_ns_option_overrun"};
  for (const char* name : invalid) receive(name, t0 + 1ms);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kBadNeighbourDiscovery), std::size(invalid));
  EXPECT_EQ(counters_.drops_total(), std::size(invalid));
  EXPECT_TRUE(sent_hex().empty()) << "nothing answered, nothing released";
  EXPECT_TRUE(side_->take_learned().empty());
  // The valid answer still works.
  receive("na_in", t0 + 2ms);
  expect_sent_v6(1, 0, kHostMac);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, AnAdvertisementForAnUnknownTargetIsNotLearned) {
  receive("na_in_unsolicited", t0);  // for fd0a::77, nobody asked
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNotForUs), 1u);
  EXPECT_EQ(counters_.packets_consumed.get(), 0u);
  EXPECT_TRUE(side_->take_learned().empty());
  // Nor is a solicited one that answers another host.
  receive("na_in_for_other", t0);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNotForUs), 2u);
  EXPECT_TRUE(side_->take_learned().empty());
  // So fd0a::77 still has to be resolved.
  transmit_to_v6(frame6(0), "fd0a::77", t0 + 1ms);
  auto out = sent();
  ASSERT_EQ(out.size(), 1u);
  io::NdMessage ns;
  ASSERT_TRUE(
      io::parse_nd(rte_pktmbuf_mtod(out[0], const std::uint8_t*) + 14, out[0]->data_len - 14u, ns));
  EXPECT_EQ(ns.type, io::kNdNeighbourSolicitation);
  EXPECT_EQ(ns.target, v6("fd0a::77"));
  rte_pktmbuf_free(out[0]);
  side_.reset();  // the frame still waits
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoNeighbour), 1u);
  test_support::expect_balanced(counters_);
}

// RFC 4861 7.2.5: an advertisement without the override flag completes a resolution in
// progress, but must not change the link-layer address of a neighbour already known.
TEST_F(PortSideNdTest, AnAdvertisementWithoutOverrideDoesNotChangeAKnownNeighbour) {
  transmit_to_v6(frame6(0), "fd0a::2", t0);
  EXPECT_EQ(sent_hex().size(), 1u);
  receive("na_in", t0 + 1ms);  // fd0a::2 is 02:..:02
  expect_sent_v6(1, 0, kHostMac);
  side_->take_learned();
  receive("na_in_no_override", t0 + 2ms);  // claims 02:..:22, override clear
  transmit_to_v6(frame6(1), "fd0a::2", t0 + 3ms);
  expect_sent_v6(1, 1, kHostMac);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, AnAdvertisementWithoutOverrideCompletesAResolution) {
  transmit_to_v6(frame6(0), "fd0a::2", t0);
  EXPECT_EQ(sent_hex().size(), 1u);
  receive("na_in_no_override", t0 + 1ms);
  expect_sent_v6(1, 0, kProxyMac);
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, ANeighbourLearnedElsewhereReleasesTheWaitingFrames) {
  transmit_to_v6(frame6(0), "fd0a::2", t0);
  transmit_to_v6(frame6(1), "fd0a::2", t0);
  EXPECT_EQ(sent_hex().size(), 1u);
  side_->learn(ip6("fd0a::2"), kHostMac);
  expect_sent_v6(2, 0, kHostMac);
  EXPECT_TRUE(side_->take_learned().empty()) << "a sibling's news is not reported back";
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, FramesWaitingForAnUnansweredSolicitationTimeOut) {
  transmit_to_v6(frame6(0), "fd0a::2", t0);
  EXPECT_EQ(sent_hex().size(), 1u);
  side_->expire_waiting(t0 + actors::tuning::kNeighbourTimeout + 1ms);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoNeighbour), 1u);
  EXPECT_TRUE(sent_hex().empty()) << "nothing waits: no more solicitations";
  // A late answer (solicited, to our address: it answers a solicitation of ours) is still
  // learned, but finds nothing to release.
  receive("na_in", t0 + actors::tuning::kNeighbourTimeout + 2ms);
  EXPECT_EQ(counters_.packets_consumed.get(), 1u);
  EXPECT_EQ(side_->take_learned().size(), 1u);
  EXPECT_TRUE(sent_hex().empty());
  test_support::expect_balanced(counters_);
}

TEST_F(PortSideNdTest, ParkedIpv6FramesAreCountedAndFreedAtDestruction) {
  const unsigned start = rte_mempool_avail_count(pool_);
  transmit_to_v6(frame6(0), "fd0a::2", t0);  // parked, its solicitation queued
  EXPECT_LT(rte_mempool_avail_count(pool_), start);
  side_.reset();
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoNeighbour), 1u);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kTxFull), 1u) << "the solicitation";
  EXPECT_EQ(rte_mempool_avail_count(pool_), start);
  test_support::expect_balanced(counters_);
}

// Without an IPv6 address or next hop (the default WAN): solicitations come from the EUI-64
// link-local address, and off-link IPv6 has nowhere to go.
TEST_F(PortSideTest, WithoutIpv6AddressesSolicitationsComeFromTheLinkLocalAddress) {
  rte_mbuf* mbuf = test_support::mbuf_with(
      pool_,
      test_support::ethernet_frame(test_support::ipv6_packet(ip6("fe80::1"), ip6("fe80::2"), 20),
                                   io::kEtherTypeIpv6));
  counters_.packets_in.add(1);
  side_->transmit_to_v6(mbuf, v6("fe80::2"), t0);
  auto out = sent();
  ASSERT_EQ(out.size(), 1u);
  io::NdMessage ns;
  ASSERT_TRUE(
      io::parse_nd(rte_pktmbuf_mtod(out[0], const std::uint8_t*) + 14, out[0]->data_len - 14u, ns));
  EXPECT_EQ(ns.source, io::link_local_address(port_->identity().mac));
  EXPECT_EQ(ns.target, v6("fe80::2"));
  rte_pktmbuf_free(out[0]);
  mbuf = test_support::mbuf_with(
      pool_,
      test_support::ethernet_frame(
          test_support::ipv6_packet(ip6("fe80::1"), ip6("2001:db8::9"), 20), io::kEtherTypeIpv6));
  counters_.packets_in.add(1);
  side_->transmit_to_v6(mbuf, v6("2001:db8::9"), t0);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoNeighbour), 1u);
  EXPECT_EQ(side_->queued(), 0u);
  side_.reset();  // the parked link-local frame
  test_support::expect_balanced(counters_);
}

}  // namespace
