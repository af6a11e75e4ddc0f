// PeerPlane, the per-packet peer logic every topology shares, driven directly with chosen
// times: outbound routing, MTU, counters and staging while a handshake runs (with the counter
// balance the owner keeps), the control actor's keypairs releasing or dropping what was staged,
// handshake credits, and inbound index lookup, roaming, replay window and source checks.
// No real crypto: accept_inbound only reads the plaintext it is given.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "actors/common/tuning.hpp"
#include "actors/dataplane/peer_plane.hpp"
#include "crypto/messages.hpp"
#include "dataplane_test_support.hpp"

using namespace actorwire;
using namespace std::chrono_literals;
using actors::PeerPlane;
using test_support::ipv4;

namespace actorwire::actors {
inline void PrintTo(PeerPlane::Outbound outbound, std::ostream* os) {
  constexpr const char* kNames[] = {"kSeal", "kStaged", "kDrop"};
  *os << kNames[static_cast<int>(outbound)];
}
inline void PrintTo(PeerPlane::Inbound inbound, std::ostream* os) {
  *os << (inbound == PeerPlane::Inbound::kOpen ? "kOpen" : "kDrop");
}
}  // namespace actorwire::actors

namespace {

const actors::Clock::time_point t0 = actors::Clock::time_point() + 1000s;
// Small enough that a 1281-byte packet is refused, so the config's MTU (not the default 1420)
// is what the plane checks.
constexpr std::uint16_t kMtu = 1280;
const config::Endpoint kPeer0Endpoint = *config::parse_endpoint("192.0.2.2:51820");
const config::Endpoint kPeer1Endpoint = *config::parse_endpoint("192.0.2.3:51820");

struct OutboundResult {
  PeerPlane::Outbound outbound = PeerPlane::Outbound::kDrop;
  actors::DropReason reason = actors::DropReason::kNone;
  actors::CryptoArgs args;
};

class PeerPlaneTest : public test_support::DataPlaneTest {
 protected:
  void SetUp() override {
    DataPlaneTest::SetUp();
    config_ = test_support::two_peer_config();
    config_.interface.mtu = kMtu;
    plane_ = std::make_unique<PeerPlane>(config_, unique_name("pp"));
    ASSERT_TRUE(plane_->valid());
  }
  void TearDown() override {
    plane_.reset();  // frees whatever is still staged, before the pool is checked
    DataPlaneTest::TearDown();
  }

  rte_mbuf* lan_packet(std::uint32_t destination, std::size_t ip_size, std::uint16_t id = 0) {
    return test_support::mbuf_with(
        pool_, test_support::ethernet_frame(
                   test_support::ipv4_packet(ipv4("10.10.0.5"), destination, ip_size, id),
                   io::kEtherTypeIpv4));
  }

  // One packet through prepare_outbound, counted on counters_ as its owner would: in; then out
  // (the seal and transmit are not what this tests, so the mbuf is freed), dropped, or nothing
  // more for a staged one (prepare_outbound counted it as consumed).
  OutboundResult send(rte_mbuf* mbuf, actors::Clock::time_point now) {
    OutboundResult result;
    io::ParsedFrame frame;
    EXPECT_EQ(io::parse_frame(rte_pktmbuf_mtod(mbuf, const std::uint8_t*), mbuf->data_len, frame),
              io::FrameError::kNone);
    counters_.packets_in.add(1);
    result.outbound =
        plane_->prepare_outbound(mbuf, frame, now, result.args, result.reason, counters_);
    switch (result.outbound) {
      case PeerPlane::Outbound::kSeal:
        counters_.packets_out.add(1);
        rte_pktmbuf_free(mbuf);
        break;
      case PeerPlane::Outbound::kDrop:
      case PeerPlane::Outbound::kTooBig:
        counters_.drop(result.reason);
        rte_pktmbuf_free(mbuf);
        break;
      case PeerPlane::Outbound::kStaged:
        break;
    }
    return result;
  }
  OutboundResult send_to(std::uint32_t destination, std::size_t ip_size,
                         actors::Clock::time_point now, std::uint16_t id = 0) {
    return send(lan_packet(destination, ip_size, id), now);
  }

  // A fresh keypair for peer 1, as the control actor would send after a handshake.
  static actors::KeypairInstall install_for_peer1(std::uint32_t local_index, bool initiator,
                                                  actors::Clock::time_point created) {
    actors::KeypairInstall install;
    install.peer = 1;
    install.keypair.send_key = crypto::random_secret_key();
    install.keypair.receive_key = crypto::random_secret_key();
    install.keypair.local_index = local_index;
    install.keypair.remote_index = local_index + 0x1000;
    install.keypair.initiator = initiator;
    install.keypair.created = created;
    return install;
  }

  static std::uint16_t ip_id_of(const rte_mbuf* mbuf) {
    return io::load_be16(rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + io::kEthernetHeaderSize + 4);
  }

  // prepare_inbound for a transport header from `source`.
  struct InboundResult {
    PeerPlane::Inbound inbound = PeerPlane::Inbound::kDrop;
    actors::DropReason reason = actors::DropReason::kNone;
    bool verify_checksum = false;
    actors::CryptoArgs args;
  };
  // `verify_preset` is what verify_checksum holds before the call, so a test can tell that
  // the plane wrote the value it expects.
  InboundResult receive(std::uint32_t receiver_index, std::uint64_t counter,
                        const config::Endpoint& source, actors::Clock::time_point now,
                        bool verify_preset = true) {
    InboundResult result;
    result.verify_checksum = verify_preset;
    const crypto::TransportHeader header{receiver_index, counter};
    result.inbound = plane_->prepare_inbound(header, source, now, result.args,
                                             result.verify_checksum, result.reason);
    return result;
  }

  // accept_inbound of a "decrypted" message: `plaintext` padded to a multiple of 16.
  PeerPlane::Delivery accept(const actors::CryptoArgs& args, std::uint64_t counter,
                             const config::Endpoint& source, std::vector<std::uint8_t> plaintext,
                             actors::Clock::time_point now) {
    plaintext.resize((plaintext.size() + 15) / 16 * 16, 0);
    return plane_->accept_inbound(args, counter, source,
                                  crypto::sealed_size(plaintext.size(), kMtu), plaintext.data(),
                                  plaintext.size(), now);
  }

  actors::PeerActivityEntry* entry_for(actors::PeerActivity& report, std::uint32_t peer) {
    for (auto& entry : report.entries) {
      if (entry.peer == peer) return &entry;
    }
    return nullptr;
  }

  config::GatewayConfig config_;
  std::unique_ptr<PeerPlane> plane_;
  actors::StageCounters counters_{"owner"};
};

// --- outbound ---------------------------------------------------------------------------------

TEST_F(PeerPlaneTest, AnUnroutedDestinationIsDroppedAsNoPeer) {
  const auto result = send_to(ipv4("172.16.0.1"), 64, t0);
  EXPECT_EQ(result.outbound, PeerPlane::Outbound::kDrop);
  EXPECT_EQ(result.reason, actors::DropReason::kNoPeer);
  // IPv6 takes the generic lookup; nobody has an IPv6 prefix here.
  const auto v6 = test_support::ipv6_packet(*config::parse_ip_address("fd00::5"),
                                            *config::parse_ip_address("fd00::6"), 24);
  const auto v6_result = send(
      test_support::mbuf_with(pool_, test_support::ethernet_frame(v6, io::kEtherTypeIpv6)), t0);
  EXPECT_EQ(v6_result.outbound, PeerPlane::Outbound::kDrop);
  EXPECT_EQ(v6_result.reason, actors::DropReason::kNoPeer);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kNoPeer), 2u);
  test_support::expect_balanced(counters_);
}

TEST_F(PeerPlaneTest, AnInnerPacketAboveTheInterfaceMtuIsTooBig) {
  const auto too_big = send_to(ipv4("10.20.0.9"), kMtu + 1, t0);
  EXPECT_EQ(too_big.outbound, PeerPlane::Outbound::kTooBig);
  EXPECT_EQ(too_big.reason, actors::DropReason::kInnerTooBig);
  const auto fits = send_to(ipv4("10.20.0.9"), kMtu, t0);
  EXPECT_EQ(fits.outbound, PeerPlane::Outbound::kSeal) << "exactly the MTU fits";
  // The MTU is checked before staging: a packet that can never be sent is not kept.
  const auto unkeyed = send_to(ipv4("10.30.0.9"), kMtu + 1, t0);
  EXPECT_EQ(unkeyed.outbound, PeerPlane::Outbound::kTooBig);
  EXPECT_EQ(unkeyed.reason, actors::DropReason::kInnerTooBig);
  EXPECT_EQ(counters_.packets_consumed.get(), 0u);
  test_support::expect_balanced(counters_);
}

TEST_F(PeerPlaneTest, SealArgsCarryConsecutiveCountersTheEndpointAndTheReceiverIndex) {
  const auto& session = *config_.peers[0].static_session;
  for (std::uint64_t expected_counter = 0; expected_counter < 3; ++expected_counter) {
    const auto result = send_to(ipv4("10.20.3.4"), 100, t0);
    ASSERT_EQ(result.outbound, PeerPlane::Outbound::kSeal);
    EXPECT_EQ(result.args.counter, expected_counter) << "one counter per packet, in order";
    EXPECT_EQ(result.args.receiver_index, test_support::kStaticSendIndex);
    EXPECT_EQ(result.args.peer, 0u);
    EXPECT_EQ(result.args.endpoint_ip, ipv4("192.0.2.2"));
    EXPECT_EQ(result.args.endpoint_port, 51820);
    EXPECT_TRUE(result.args.key.equals(session.send_key));
  }
  const auto peer_counters = plane_->peer_counters();
  ASSERT_EQ(peer_counters.size(), 2u);
  EXPECT_EQ(peer_counters[0]->tx_packets.get(), 3u);
  EXPECT_EQ(peer_counters[0]->tx_bytes.get(), 3 * crypto::sealed_size(100, kMtu));
  EXPECT_EQ(peer_counters[1]->tx_packets.get(), 0u);
  EXPECT_EQ(counters_.packets_out.get(), 3u);
  test_support::expect_balanced(counters_);
}

TEST_F(PeerPlaneTest, WithoutKeysThePacketIsStagedAndAHandshakeRequested) {
  EXPECT_FALSE(plane_->take_report(t0).has_value()) << "nothing happened yet";
  const auto result = send_to(ipv4("10.30.0.9"), 64, t0);
  EXPECT_EQ(result.outbound, PeerPlane::Outbound::kStaged);
  EXPECT_EQ(counters_.packets_consumed.get(), 1u) << "the plane owns the mbuf now";
  auto report = plane_->take_report(t0);
  ASSERT_TRUE(report.has_value()) << "a handshake request is urgent";
  auto* entry = entry_for(*report, 1);
  ASSERT_NE(entry, nullptr);
  EXPECT_TRUE(entry->wants_handshake);
  EXPECT_EQ(entry_for(*report, 0), nullptr) << "peer 0 did nothing";
  // Within kHandshakeRequestInterval a second packet waits without asking again ...
  EXPECT_EQ(send_to(ipv4("10.30.0.9"), 64, t0 + 100ms).outbound, PeerPlane::Outbound::kStaged);
  EXPECT_FALSE(plane_->take_report(t0 + 100ms).has_value());
  // ... after it, the next one asks again.
  const auto later = t0 + actors::tuning::kHandshakeRequestInterval;
  EXPECT_EQ(send_to(ipv4("10.30.0.9"), 64, later).outbound, PeerPlane::Outbound::kStaged);
  report = plane_->take_report(later);
  ASSERT_TRUE(report.has_value());
  entry = entry_for(*report, 1);
  ASSERT_NE(entry, nullptr);
  EXPECT_TRUE(entry->wants_handshake);
  EXPECT_EQ(counters_.packets_consumed.get(), 3u);
  test_support::expect_balanced(counters_);
}

TEST_F(PeerPlaneTest, StagingBeyondTheLimitDropsTheOldestAndAnInitiatorKeypairReleasesTheRest) {
  constexpr std::size_t kExtra = 3;
  constexpr std::size_t kOffered = wg::kMaxStagedPackets + kExtra;
  for (std::size_t i = 0; i < kOffered; ++i) {
    ASSERT_EQ(send_to(ipv4("10.30.0.9"), 64, t0, static_cast<std::uint16_t>(i)).outbound,
              PeerPlane::Outbound::kStaged)
        << i;
  }
  EXPECT_EQ(counters_.packets_consumed.get(), kOffered);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kStagedOverflow), kExtra);
  EXPECT_EQ(counters_.packets_generated.get(), kExtra) << "taken back, then dropped";
  test_support::expect_balanced(counters_);
  EXPECT_TRUE(plane_->take_released().empty()) << "nothing may go before keys exist";

  // The handshake we initiated completed: the keys are usable at once.
  actors::ControlOutput out;
  out.keypairs.push_back(install_for_peer1(0x777, /*initiator=*/true, t0 + 10ms));
  const auto send_key = out.keypairs[0].keypair.send_key;
  PeerPlane::ControlActions actions;
  plane_->apply(out, t0 + 10ms, actions);
  EXPECT_TRUE(actions.keepalives.empty()) << "the staged packets confirm the session instead";
  EXPECT_TRUE(actions.dropped.empty());
  std::vector<rte_mbuf*> released = plane_->take_released();
  ASSERT_EQ(released.size(), wg::kMaxStagedPackets);
  EXPECT_TRUE(plane_->take_released().empty()) << "taken once";
  // The caller takes them back (generated) and runs them through prepare_outbound again: the
  // oldest kExtra are gone, the rest keep their order and get consecutive counters.
  counters_.packets_generated.add(released.size());
  for (std::size_t i = 0; i < released.size(); ++i) {
    EXPECT_EQ(ip_id_of(released[i]), kExtra + i) << "position " << i;
    io::ParsedFrame frame;
    ASSERT_EQ(io::parse_frame(rte_pktmbuf_mtod(released[i], const std::uint8_t*),
                              released[i]->data_len, frame),
              io::FrameError::kNone);
    actors::CryptoArgs args;
    actors::DropReason reason = actors::DropReason::kNone;
    ASSERT_EQ(plane_->prepare_outbound(released[i], frame, t0 + 10ms, args, reason, counters_),
              PeerPlane::Outbound::kSeal);
    EXPECT_EQ(args.counter, i);
    EXPECT_EQ(args.receiver_index, 0x777u + 0x1000);
    EXPECT_EQ(args.peer, 1u);
    EXPECT_EQ(args.endpoint_ip, ipv4("192.0.2.3"));
    EXPECT_TRUE(args.key.equals(send_key));
    counters_.packets_out.add(1);
    rte_pktmbuf_free(released[i]);
  }
  EXPECT_EQ(plane_->peer_counters()[1]->sessions_installed.get(), 1u);
  test_support::expect_balanced(counters_);
}

TEST_F(PeerPlaneTest, AnInitiatorKeypairWithNothingStagedSendsAKeepalive) {
  actors::ControlOutput out;
  out.keypairs.push_back(install_for_peer1(0x501, /*initiator=*/true, t0));
  PeerPlane::ControlActions actions;
  plane_->apply(out, t0, actions);
  ASSERT_EQ(actions.keepalives.size(), 1u) << "lets the responder confirm the session";
  EXPECT_EQ(actions.keepalives[0].peer, 1u);
  EXPECT_EQ(actions.keepalives[0].receiver_index, 0x501u + 0x1000);
  EXPECT_EQ(actions.keepalives[0].endpoint_ip, ipv4("192.0.2.3"));
  EXPECT_EQ(actions.keepalives[0].counter, 0u);
  // The keepalive used counter 0: the next data packet gets 1.
  const auto result = send_to(ipv4("10.30.0.9"), 64, t0);
  ASSERT_EQ(result.outbound, PeerPlane::Outbound::kSeal);
  EXPECT_EQ(result.args.counter, 1u);
}

TEST_F(PeerPlaneTest, DropStagedHandsBackEveryWaitingPacketInOrder) {
  for (std::uint16_t id = 0; id < 4; ++id) {
    ASSERT_EQ(send_to(ipv4("10.30.0.9"), 64, t0, id).outbound, PeerPlane::Outbound::kStaged);
  }
  actors::ControlOutput out;
  out.drop_staged = {1, 7};  // 7 names no peer: ignored
  PeerPlane::ControlActions actions;
  plane_->apply(out, t0 + 5s, actions);
  ASSERT_EQ(actions.dropped.size(), 4u);
  for (std::size_t i = 0; i < actions.dropped.size(); ++i) {
    EXPECT_EQ(ip_id_of(actions.dropped[i]), i);
    counters_.packets_generated.add(1);
    counters_.drop(actors::DropReason::kHandshakeGaveUp);
    rte_pktmbuf_free(actions.dropped[i]);
  }
  EXPECT_TRUE(plane_->take_released().empty());
  // Nothing is left to release when keys arrive later.
  actors::ControlOutput keys;
  keys.keypairs.push_back(install_for_peer1(0x502, true, t0 + 6s));
  PeerPlane::ControlActions more;
  plane_->apply(keys, t0 + 6s, more);
  EXPECT_TRUE(plane_->take_released().empty());
  EXPECT_EQ(more.keepalives.size(), 1u) << "nothing staged: a keepalive instead";
  test_support::expect_balanced(counters_);
}

TEST_F(PeerPlaneTest, TheDestructorFreesStagedPackets) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(send_to(ipv4("10.30.0.9"), 64, t0).outbound, PeerPlane::Outbound::kStaged);
  }
  EXPECT_EQ(rte_mempool_avail_count(pool_), start_avail_ - 5);
  plane_.reset();
  EXPECT_EQ(rte_mempool_avail_count(pool_), start_avail_);
}

TEST_F(PeerPlaneTest, DropAllStagedCountsWhatItFrees) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(send_to(ipv4("10.30.0.9"), 64, t0).outbound, PeerPlane::Outbound::kStaged);
  }
  plane_->drop_all_staged(counters_, actors::DropReason::kShutdown);
  EXPECT_EQ(counters_.drops_of(actors::DropReason::kShutdown), 5u);
  EXPECT_EQ(rte_mempool_avail_count(pool_), start_avail_);
  test_support::expect_balanced(counters_);
}

TEST_F(PeerPlaneTest, HandshakeCreditsRunOutAndComeBack) {
  for (std::uint32_t i = 0; i < actors::tuning::kHandshakeCredits; ++i) {
    ASSERT_TRUE(plane_->take_handshake_credit()) << i;
  }
  EXPECT_FALSE(plane_->take_handshake_credit());
  EXPECT_FALSE(plane_->take_handshake_credit());
  actors::ControlOutput out;
  out.handshake_credits = 2;  // the control actor processed two messages
  PeerPlane::ControlActions actions;
  plane_->apply(out, t0, actions);
  EXPECT_TRUE(plane_->take_handshake_credit());
  EXPECT_TRUE(plane_->take_handshake_credit());
  EXPECT_FALSE(plane_->take_handshake_credit());
}

// --- inbound ----------------------------------------------------------------------------------

TEST_F(PeerPlaneTest, AnUnknownReceiverIndexIsDropped) {
  const auto result = receive(0xDEADBEEF, 0, kPeer0Endpoint, t0);
  EXPECT_EQ(result.inbound, PeerPlane::Inbound::kDrop);
  EXPECT_EQ(result.reason, actors::DropReason::kUnknownIndex);
  // The index we write on packets to the peer is not one we receive under.
  EXPECT_EQ(receive(test_support::kStaticSendIndex, 0, kPeer0Endpoint, t0).reason,
            actors::DropReason::kUnknownIndex);
}

TEST_F(PeerPlaneTest, TheStaticSessionOpensFromTheEndpointWithoutAChecksumCheck) {
  const auto result = receive(test_support::kStaticReceiveIndex, 42, kPeer0Endpoint, t0);
  ASSERT_EQ(result.inbound, PeerPlane::Inbound::kOpen);
  EXPECT_FALSE(result.verify_checksum) << "from the known endpoint the AEAD protects it all";
  EXPECT_TRUE(result.args.key.equals(config_.peers[0].static_session->receive_key));
  EXPECT_EQ(result.args.counter, 42u);
  EXPECT_EQ(result.args.local_index, test_support::kStaticReceiveIndex);
  EXPECT_EQ(result.args.peer, 0u);
}

TEST_F(PeerPlaneTest, FromAnotherAddressOrPortTheChecksumMustBeChecked) {
  const auto other_address = receive(test_support::kStaticReceiveIndex, 1,
                                     *config::parse_endpoint("198.51.100.7:51820"), t0, false);
  ASSERT_EQ(other_address.inbound, PeerPlane::Inbound::kOpen);
  EXPECT_TRUE(other_address.verify_checksum) << "roaming must not follow a corrupted header";
  const auto other_port = receive(test_support::kStaticReceiveIndex, 1,
                                  *config::parse_endpoint("192.0.2.2:40000"), t0, false);
  ASSERT_EQ(other_port.inbound, PeerPlane::Inbound::kOpen);
  EXPECT_TRUE(other_port.verify_checksum);
}

TEST_F(PeerPlaneTest, ACounterAtTheRejectLimitIsRefusedBeforeOpening) {
  const auto result =
      receive(test_support::kStaticReceiveIndex, wg::kRejectAfterMessages, kPeer0Endpoint, t0);
  EXPECT_EQ(result.inbound, PeerPlane::Inbound::kDrop);
  EXPECT_EQ(result.reason, actors::DropReason::kCounterLimit);
}

TEST_F(PeerPlaneTest, AValidInnerPacketIsForwardedOnceAndItsReplayRefused) {
  const auto opened = receive(test_support::kStaticReceiveIndex, 5, kPeer0Endpoint, t0);
  ASSERT_EQ(opened.inbound, PeerPlane::Inbound::kOpen);
  const auto inner = test_support::ipv4_packet(ipv4("10.20.0.5"), ipv4("10.10.0.7"), 60);
  const auto first = accept(opened.args, 5, kPeer0Endpoint, inner, t0);
  EXPECT_EQ(first.kind, PeerPlane::Delivery::kForward);
  EXPECT_EQ(first.inner_length, 60u) << "without the padding to 64";
  EXPECT_FALSE(first.inner_is_v6);
  EXPECT_EQ(first.destination_v4, ipv4("10.10.0.7"));
  const auto again = accept(opened.args, 5, kPeer0Endpoint, inner, t0);
  EXPECT_EQ(again.kind, PeerPlane::Delivery::kDrop);
  EXPECT_EQ(again.reason, actors::DropReason::kReplayed);
  // An older counter not seen yet is still inside the window.
  EXPECT_EQ(accept(opened.args, 4, kPeer0Endpoint, inner, t0).kind, PeerPlane::Delivery::kForward);
  const auto peer_counters = plane_->peer_counters();
  EXPECT_EQ(peer_counters[0]->rx_packets.get(), 2u) << "the replay is not counted as received";
  auto report = plane_->take_report(t0 + actors::tuning::kActivityReportInterval);
  ASSERT_TRUE(report.has_value());
  ASSERT_NE(entry_for(*report, 0), nullptr);
  EXPECT_EQ(entry_for(*report, 0)->data_received, t0);
  EXPECT_FALSE(entry_for(*report, 0)->roamed_to.has_value()) << "same endpoint";
}

TEST_F(PeerPlaneTest, AnInnerSourceOutsideThePeersAllowedIpsIsRefused) {
  const auto opened = receive(test_support::kStaticReceiveIndex, 1, kPeer0Endpoint, t0);
  ASSERT_EQ(opened.inbound, PeerPlane::Inbound::kOpen);
  const auto nobodys =
      accept(opened.args, 1, kPeer0Endpoint,
             test_support::ipv4_packet(ipv4("172.16.0.1"), ipv4("10.10.0.7"), 40), t0);
  EXPECT_EQ(nobodys.kind, PeerPlane::Delivery::kDrop);
  EXPECT_EQ(nobodys.reason, actors::DropReason::kSourceNotAllowed);
  // Peer 0 may not speak for peer 1's addresses (cryptokey routing).
  const auto other_peers =
      accept(opened.args, 2, kPeer0Endpoint,
             test_support::ipv4_packet(ipv4("10.30.0.1"), ipv4("10.10.0.7"), 40), t0);
  EXPECT_EQ(other_peers.kind, PeerPlane::Delivery::kDrop);
  EXPECT_EQ(other_peers.reason, actors::DropReason::kSourceNotAllowed);
}

TEST_F(PeerPlaneTest, AnEmptyPlaintextIsAKeepalive) {
  const auto opened = receive(test_support::kStaticReceiveIndex, 9, kPeer0Endpoint, t0);
  ASSERT_EQ(opened.inbound, PeerPlane::Inbound::kOpen);
  const auto delivery =
      plane_->accept_inbound(opened.args, 9, kPeer0Endpoint, wg::kKeepaliveSize, nullptr, 0, t0);
  EXPECT_EQ(delivery.kind, PeerPlane::Delivery::kKeepalive);
  EXPECT_EQ(plane_->peer_counters()[0]->keepalives_received.get(), 1u);
}

TEST_F(PeerPlaneTest, AnAuthenticatedPacketFromANewAddressMovesTheEndpoint) {
  const config::Endpoint roamed = *config::parse_endpoint("198.51.100.7:4444");
  const auto opened = receive(test_support::kStaticReceiveIndex, 1, roamed, t0);
  ASSERT_EQ(opened.inbound, PeerPlane::Inbound::kOpen);
  ASSERT_TRUE(opened.verify_checksum);
  const auto delivery =
      plane_->accept_inbound(opened.args, 1, roamed, wg::kKeepaliveSize, nullptr, 0, t0);
  EXPECT_EQ(delivery.kind, PeerPlane::Delivery::kKeepalive);
  // Outbound now goes to the new address ...
  const auto result = send_to(ipv4("10.20.0.1"), 64, t0);
  ASSERT_EQ(result.outbound, PeerPlane::Outbound::kSeal);
  EXPECT_EQ(result.args.endpoint_ip, ipv4("198.51.100.7"));
  EXPECT_EQ(result.args.endpoint_port, 4444);
  // ... packets from there need no checksum check any more ...
  EXPECT_FALSE(receive(test_support::kStaticReceiveIndex, 2, roamed, t0).verify_checksum);
  // ... and the control actor hears about it.
  auto report = plane_->take_report(t0 + actors::tuning::kActivityReportInterval);
  ASSERT_TRUE(report.has_value());
  auto* entry = entry_for(*report, 0);
  ASSERT_NE(entry, nullptr);
  ASSERT_TRUE(entry->roamed_to.has_value());
  EXPECT_EQ(entry->roamed_to->address, roamed.address);
  EXPECT_EQ(entry->roamed_to->port, roamed.port);
  // Stats readers on other threads see the new endpoint too.
  const auto status = plane_->peer_counters()[0]->status.read();
  ASSERT_TRUE(status.endpoint.has_value());
  EXPECT_EQ(config::to_string(*status.endpoint), "198.51.100.7:4444");
}

TEST_F(PeerPlaneTest, TheControlActorsEndpointIsPublished) {
  EXPECT_EQ(config::to_string(*plane_->peer_counters()[1]->status.read().endpoint),
            "192.0.2.3:51820");
  actors::ControlOutput out;
  out.endpoints.emplace_back(1, *config::parse_endpoint("[2001:db8::9]:7777"));
  PeerPlane::ControlActions actions;
  plane_->apply(out, t0, actions);
  const auto status = plane_->peer_counters()[1]->status.read();
  ASSERT_TRUE(status.endpoint.has_value());
  EXPECT_EQ(config::to_string(*status.endpoint), "[2001:db8::9]:7777");
}

TEST_F(PeerPlaneTest, AnInitiatorsHandshakeCompletesWhenItsKeysArrive) {
  EXPECT_FALSE(plane_->peer_counters()[1]->status.read().last_handshake.has_value());
  actors::ControlOutput out;
  out.keypairs.push_back(install_for_peer1(0x800, /*initiator=*/true, t0 - 2ms));
  PeerPlane::ControlActions actions;
  plane_->apply(out, t0, actions);
  const auto status = plane_->peer_counters()[1]->status.read();
  EXPECT_EQ(status.last_handshake, t0);
  EXPECT_EQ(status.current_keypair_created, t0 - 2ms);
  EXPECT_FALSE(status.previous_keypair_created.has_value());
  EXPECT_FALSE(plane_->peer_counters()[0]->status.read().last_handshake.has_value())
      << "the static session had no handshake";
}

TEST_F(PeerPlaneTest, AResponderKeypairIsConfirmedByItsFirstPacketWhichReleasesStagedOnes) {
  for (std::uint16_t id = 0; id < 2; ++id) {
    ASSERT_EQ(send_to(ipv4("10.30.0.9"), 64, t0, id).outbound, PeerPlane::Outbound::kStaged);
  }
  actors::ControlOutput out;
  out.keypairs.push_back(install_for_peer1(0x600, /*initiator=*/false, t0));
  PeerPlane::ControlActions actions;
  plane_->apply(out, t0, actions);
  EXPECT_TRUE(actions.keepalives.empty()) << "a responder may not send first";
  EXPECT_FALSE(plane_->peer_counters()[1]->status.read().last_handshake.has_value())
      << "not complete before the initiator confirms it";
  EXPECT_TRUE(plane_->take_released().empty());
  EXPECT_EQ(send_to(ipv4("10.30.0.9"), 64, t0, 2).outbound, PeerPlane::Outbound::kStaged)
      << "unconfirmed keys are not used for sending";
  // The initiator's first packet under the new keys.
  const auto opened = receive(0x600, 0, kPeer1Endpoint, t0 + 1ms);
  ASSERT_EQ(opened.inbound, PeerPlane::Inbound::kOpen);
  EXPECT_EQ(accept(opened.args, 0, kPeer1Endpoint, {}, t0 + 1ms).kind,
            PeerPlane::Delivery::kKeepalive);
  std::vector<rte_mbuf*> released = plane_->take_released();
  ASSERT_EQ(released.size(), 3u);
  for (std::size_t i = 0; i < released.size(); ++i) {
    EXPECT_EQ(ip_id_of(released[i]), i);
    rte_pktmbuf_free(released[i]);
  }
  auto report = plane_->take_report(t0 + 1s);
  ASSERT_TRUE(report.has_value());
  ASSERT_NE(entry_for(*report, 1), nullptr);
  EXPECT_EQ(entry_for(*report, 1)->handshake_confirmed, t0 + 1ms);
  // A responder's handshake completes when the initiator confirms it (as in the kernel).
  const auto status = plane_->peer_counters()[1]->status.read();
  EXPECT_EQ(status.last_handshake, t0 + 1ms);
  EXPECT_EQ(status.current_keypair_created, t0);
  const auto result = send_to(ipv4("10.30.0.9"), 64, t0 + 2ms);
  ASSERT_EQ(result.outbound, PeerPlane::Outbound::kSeal);
  EXPECT_EQ(result.args.receiver_index, 0x600u + 0x1000);
}

TEST_F(PeerPlaneTest, APacketWhoseKeypairWasRetiredWhileOpeningIsDropped) {
  actors::ControlOutput out;
  out.keypairs.push_back(install_for_peer1(0x700, true, t0));
  PeerPlane::ControlActions actions;
  plane_->apply(out, t0, actions);
  const auto opened = receive(0x700, 0, kPeer1Endpoint, t0);
  ASSERT_EQ(opened.inbound, PeerPlane::Inbound::kOpen);
  // Meanwhile (a crypto worker is opening it) the control actor zeroes the keys.
  actors::ControlOutput zero;
  zero.zero_keys = {1};
  plane_->apply(zero, t0, actions);
  const auto delivery = accept(opened.args, 0, kPeer1Endpoint, {}, t0);
  EXPECT_EQ(delivery.kind, PeerPlane::Delivery::kDrop);
  EXPECT_EQ(delivery.reason, actors::DropReason::kUnknownIndex);
  EXPECT_EQ(receive(0x700, 1, kPeer1Endpoint, t0).reason, actors::DropReason::kUnknownIndex);
}

}  // namespace
