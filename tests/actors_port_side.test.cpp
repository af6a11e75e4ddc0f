// PortSide on a real in-process ring port (the default config's WAN: 192.0.2.1/24, next hop
// 192.0.2.2 with a static MAC): neighbour MACs written on transmit, ARP requested for unknown
// neighbours while frames wait (bounded, with a timeout), ARP answered and learned, and a full
// port keeping the rest queued in order; nothing is lost uncounted, not even at destruction.
#include <gtest/gtest.h>
#include <rte_ring.h>

#include <array>
#include <memory>
#include <vector>

#include "actors/common/tuning.hpp"
#include "actors/dataplane/port_side.hpp"
#include "dataplane_test_support.hpp"
#include "io/port.hpp"

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
    std::string error;
    port_ = io::Port::open(*wan, config_.dpdk, pool_, 1, error);
    ASSERT_TRUE(port_) << error;
    ASSERT_TRUE(port_->in_memory());
    side_ = std::make_unique<actors::PortSide>(*port_, pool_, counters_);
  }
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
    side_->handle_arp(mbuf, parsed, now);
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
  EXPECT_EQ(learned[0].first, neighbour);
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

TEST_F(PortSideTest, ANeighbourLearnedElsewhereReleasesTheWaitingFrames) {
  const std::uint32_t neighbour = ipv4("192.0.2.50");
  transmit_to(frame(0), neighbour, t0);
  transmit_to(frame(1), neighbour, t0);
  side_->learn(neighbour, kLearnedMac);
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
  side_->learn(ipv4("192.0.2.2"), kLearnedMac);
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

}  // namespace
