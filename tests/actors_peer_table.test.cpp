// PeerTable on its own: allowed-IPs longest-prefix match over two peers in both directions (IPv4
// and IPv6), the static session of the config found by its receive index, and keypair rotation
// keeping the receiver-index map in step with the kernel's current/previous/next semantics
// (actors/dataplane/peer_sessions.hpp): a retired index must stop naming any peer.
#include <gtest/gtest.h>

#include <memory>

#include "actors/dataplane/peer_table.hpp"
#include "dataplane_test_support.hpp"

using namespace actorwire;
using test_support::ipv4;

namespace {

config::IpAddress address(const char* text) {
  return *config::parse_ip_address(text);
}
config::IpPrefix prefix(const char* text) {
  return *config::parse_ip_prefix(text);
}

std::unique_ptr<actors::Keypair> keypair(std::uint32_t local_index, bool initiator,
                                         actors::Clock::time_point created = {}) {
  auto k = std::make_unique<actors::Keypair>();
  k->created = created;
  k->local_index = local_index;
  k->remote_index = local_index + 1000;
  k->initiator = initiator;
  return k;
}

class PeerTableTest : public test_support::DataPlaneTest {
 protected:
  // Peer 0 (with the static session) owns the wide prefixes and one narrow prefix inside peer
  // 1's, so a lookup can only come out right by prefix length, not by insertion order.
  void SetUp() override {
    DataPlaneTest::SetUp();
    config_ = test_support::two_peer_config();
    config_.peers[0].allowed_ips = {prefix("10.0.0.0/8"), prefix("10.30.7.0/24"),
                                    prefix("fd00::/16")};
    config_.peers[1].allowed_ips = {prefix("10.30.0.0/16"), prefix("fd00:1::/32")};
    table_ = std::make_unique<actors::PeerTable>(config_, unique_name("pt"));
    ASSERT_TRUE(table_->valid());
    ASSERT_EQ(table_->peers().size(), 2u);
  }

  actors::Peer& peer(std::uint32_t id) { return table_->peers().at(id); }
  // The peer id an index names, or -1 when it names none.
  long owner_of(std::uint32_t index) {
    const auto match = table_->find_by_index(index);
    EXPECT_EQ(match.peer == nullptr, match.keypair == nullptr) << "index " << index;
    if (match.keypair != nullptr) {
      EXPECT_EQ(match.keypair->local_index, index);
    }
    return match.peer == nullptr ? -1 : static_cast<long>(match.peer->id);
  }

  config::GatewayConfig config_;
  std::unique_ptr<actors::PeerTable> table_;
};

TEST_F(PeerTableTest, Ipv4DestinationsTakeTheLongestMatchingPrefix) {
  actors::Peer* wide = table_->find_by_destination_v4(ipv4("10.1.2.3"));
  ASSERT_NE(wide, nullptr);
  EXPECT_EQ(wide->id, 0u);
  actors::Peer* narrow = table_->find_by_destination_v4(ipv4("10.30.1.1"));
  ASSERT_NE(narrow, nullptr);
  EXPECT_EQ(narrow->id, 1u) << "/16 of peer 1 beats /8 of peer 0";
  actors::Peer* narrower = table_->find_by_destination_v4(ipv4("10.30.7.9"));
  ASSERT_NE(narrower, nullptr);
  EXPECT_EQ(narrower->id, 0u) << "/24 of peer 0 beats /16 of peer 1";
  // The generic lookup agrees with the IPv4 one.
  EXPECT_EQ(table_->find_by_destination(address("10.30.1.1")), narrow);
  EXPECT_EQ(table_->find_by_destination(address("10.30.7.9")), narrower);
}

TEST_F(PeerTableTest, Ipv6DestinationsTakeTheLongestMatchingPrefix) {
  actors::Peer* wide = table_->find_by_destination(address("fd00:2::5"));
  ASSERT_NE(wide, nullptr);
  EXPECT_EQ(wide->id, 0u);
  actors::Peer* narrow = table_->find_by_destination(address("fd00:1::5"));
  ASSERT_NE(narrow, nullptr);
  EXPECT_EQ(narrow->id, 1u) << "/32 of peer 1 beats /16 of peer 0";
}

TEST_F(PeerTableTest, NoMatchingPrefixIsNoPeer) {
  EXPECT_EQ(table_->find_by_destination_v4(ipv4("11.0.0.1")), nullptr);
  EXPECT_EQ(table_->find_by_destination_v4(ipv4("192.0.2.2")), nullptr);
  EXPECT_EQ(table_->find_by_destination(address("fe80::1")), nullptr);
  EXPECT_EQ(table_->find_by_destination(address("fd01::1")), nullptr) << "just outside fd00::/16";
}

TEST_F(PeerTableTest, SourceAllowedOnlyForThePeerTheAddressRoutesTo) {
  // Cryptokey routing: a source inside peer 0's /8 but routed to peer 1 belongs to peer 1 only.
  EXPECT_TRUE(table_->source_allowed(peer(1), address("10.30.1.1")));
  EXPECT_FALSE(table_->source_allowed(peer(0), address("10.30.1.1")));
  EXPECT_TRUE(table_->source_allowed(peer(0), address("10.30.7.1")));
  EXPECT_FALSE(table_->source_allowed(peer(1), address("10.30.7.1")));
  EXPECT_TRUE(table_->source_allowed(peer(0), address("10.99.0.1")));
  EXPECT_FALSE(table_->source_allowed(peer(0), address("172.16.0.1")));
  EXPECT_FALSE(table_->source_allowed(peer(1), address("172.16.0.1")));
  EXPECT_TRUE(table_->source_allowed(peer(1), address("fd00:1::9")));
  EXPECT_FALSE(table_->source_allowed(peer(0), address("fd00:1::9")));
  EXPECT_TRUE(table_->source_allowed(peer(0), address("fd00:2::9")));
  EXPECT_FALSE(table_->source_allowed(peer(0), address("fe80::1")));
}

TEST_F(PeerTableTest, TheStaticSessionIsInstalledUnderItsReceiveIndex) {
  const auto match = table_->find_by_index(test_support::kStaticReceiveIndex);
  ASSERT_NE(match.peer, nullptr);
  ASSERT_NE(match.keypair, nullptr);
  EXPECT_EQ(match.peer->id, 0u);
  const auto& session = *config_.peers[0].static_session;
  EXPECT_EQ(match.keypair->remote_index, test_support::kStaticSendIndex);
  EXPECT_TRUE(match.keypair->send_key.equals(session.send_key));
  EXPECT_TRUE(match.keypair->receive_key.equals(session.receive_key));
  EXPECT_FALSE(match.keypair->expires) << "no handshake renews a static session";
  EXPECT_EQ(peer(0).sessions.current(), match.keypair) << "usable for sending at once";
  // The index we write on outgoing packets is the peer's, not ours.
  EXPECT_EQ(owner_of(test_support::kStaticSendIndex), -1);
  // Peer 1 has no keys at all.
  EXPECT_TRUE(peer(1).sessions.empty());
  EXPECT_EQ(owner_of(0), -1);
}

TEST_F(PeerTableTest, InitiatorInstallsRotateCurrentIntoPreviousAndRetireTheOldest) {
  actors::Peer& p = peer(1);
  table_->install(p, keypair(101, true));
  EXPECT_EQ(owner_of(101), 1);
  EXPECT_EQ(p.sessions.current()->local_index, 101u);
  table_->install(p, keypair(102, true));
  EXPECT_EQ(p.sessions.current()->local_index, 102u);
  EXPECT_EQ(owner_of(101), 1) << "previous keys still open packets in flight";
  table_->install(p, keypair(103, true));
  EXPECT_EQ(p.sessions.current()->local_index, 103u);
  EXPECT_EQ(owner_of(102), 1);
  EXPECT_EQ(owner_of(101), -1) << "the keypair that fell out must not be found any more";
  // Peer 0's static session is untouched by another peer's rotation.
  EXPECT_EQ(owner_of(test_support::kStaticReceiveIndex), 0);
}

TEST_F(PeerTableTest, ResponderKeysWaitInNextAndDropPrevious) {
  actors::Peer& p = peer(1);
  table_->install(p, keypair(201, true));
  table_->install(p, keypair(202, true));  // current 202, previous 201
  table_->install(p, keypair(203, false));
  // Kernel add_new_keypair, responder: next = new, previous dropped, current kept for sending.
  EXPECT_EQ(p.sessions.current()->local_index, 202u);
  EXPECT_EQ(owner_of(203), 1) << "a responder keypair opens the initiator's first packet";
  EXPECT_EQ(owner_of(201), -1);
  EXPECT_EQ(owner_of(202), 1);
  // Packets under the current keys confirm nothing.
  EXPECT_FALSE(table_->received_with(p, table_->find_by_index(202).keypair));
  EXPECT_EQ(p.sessions.current()->local_index, 202u);
  // The first packet under next confirms it: next -> current, current -> previous.
  EXPECT_TRUE(table_->received_with(p, table_->find_by_index(203).keypair));
  EXPECT_EQ(p.sessions.current()->local_index, 203u);
  EXPECT_EQ(owner_of(202), 1);
  EXPECT_EQ(owner_of(203), 1);
  EXPECT_FALSE(table_->received_with(p, table_->find_by_index(203).keypair)) << "only once";
  // A second responder keypair replaces an unconfirmed one in next: the first is retired.
  table_->install(p, keypair(204, false));  // next 204; previous 202 dropped
  EXPECT_EQ(owner_of(202), -1);
  table_->install(p, keypair(205, false));  // next 205 replaces 204
  EXPECT_EQ(owner_of(204), -1);
  EXPECT_EQ(owner_of(205), 1);
  EXPECT_EQ(p.sessions.current()->local_index, 203u);
}

TEST_F(PeerTableTest, AnInitiatorInstallOverAnUnconfirmedNextKeepsNextAsPrevious) {
  actors::Peer& p = peer(1);
  table_->install(p, keypair(301, true));   // current 301
  table_->install(p, keypair(302, false));  // next 302
  table_->install(p, keypair(303, true));
  // Kernel: next becomes previous (the responder's packets may still arrive), current goes.
  EXPECT_EQ(p.sessions.current()->local_index, 303u);
  EXPECT_EQ(owner_of(302), 1);
  EXPECT_EQ(owner_of(301), -1);
  EXPECT_FALSE(table_->received_with(p, table_->find_by_index(302).keypair))
      << "previous is not next: no confirmation";
  EXPECT_EQ(p.sessions.current()->local_index, 303u);
}

TEST_F(PeerTableTest, ClearSessionsForgetsEveryIndexOfThatPeerOnly) {
  actors::Peer& p = peer(1);
  table_->install(p, keypair(401, true));
  table_->install(p, keypair(402, true));
  table_->install(p, keypair(403, false));  // current 402, next 403 (401 dropped)
  ASSERT_EQ(owner_of(402), 1);
  ASSERT_EQ(owner_of(403), 1);
  table_->clear_sessions(p);
  EXPECT_TRUE(p.sessions.empty());
  EXPECT_EQ(p.sessions.current(), nullptr);
  for (std::uint32_t index : {401u, 402u, 403u}) EXPECT_EQ(owner_of(index), -1) << index;
  EXPECT_EQ(owner_of(test_support::kStaticReceiveIndex), 0);
  // Clearing the static session works the same way.
  table_->clear_sessions(peer(0));
  EXPECT_EQ(owner_of(test_support::kStaticReceiveIndex), -1);
  // And the table keeps working afterwards.
  table_->install(p, keypair(404, true));
  EXPECT_EQ(owner_of(404), 1);
}

// What stats readers see (PeerCounters::status): the keypairs' creation times follow every
// rotation, and the endpoint is the config's until something moves it.
TEST_F(PeerTableTest, RotationsArePublishedForStatsReaders) {
  using namespace std::chrono_literals;
  const actors::Clock::time_point t0 = actors::Clock::time_point() + 500s;
  actors::Peer& p = peer(1);
  auto status = [&p] { return p.counters->status.read(); };
  EXPECT_FALSE(status().current_keypair_created.has_value());
  EXPECT_FALSE(status().previous_keypair_created.has_value());
  EXPECT_FALSE(status().last_handshake.has_value()) << "the table records no handshakes";
  ASSERT_TRUE(status().endpoint.has_value());
  EXPECT_EQ(config::to_string(*status().endpoint), config::to_string(*config_.peers[1].endpoint));
  table_->install(p, keypair(501, true, t0));
  EXPECT_EQ(status().current_keypair_created, t0);
  EXPECT_FALSE(status().previous_keypair_created.has_value());
  table_->install(p, keypair(502, false, t0 + 10s));  // waits in next: nothing visible moves
  EXPECT_EQ(status().current_keypair_created, t0);
  EXPECT_TRUE(table_->received_with(p, table_->find_by_index(502).keypair));
  EXPECT_EQ(status().current_keypair_created, t0 + 10s);
  EXPECT_EQ(status().previous_keypair_created, t0);
  table_->clear_sessions(p);
  EXPECT_FALSE(status().current_keypair_created.has_value());
  EXPECT_FALSE(status().previous_keypair_created.has_value());
  // The static session of peer 0 counts its age from the table's start.
  const auto static_created = peer(0).counters->status.read().current_keypair_created;
  ASSERT_TRUE(static_created.has_value());
  EXPECT_LE(actors::Clock::now() - *static_created, 60s);
}

}  // namespace

// The usual WireGuard "route everything" peer: 0.0.0.0/0 and ::/0 (rte_lpm6 refuses length 0,
// so the table stores ::/0 as its two /1 halves); more specific prefixes of other peers still win.
TEST_F(PeerTableTest, DefaultRoutesCatchEverythingElse) {
  config_.peers[1].allowed_ips = {prefix("0.0.0.0/0"), prefix("::/0")};
  actors::PeerTable table(config_, unique_name("pt_default"));
  ASSERT_TRUE(table.valid());
  for (const char* text : {"0.0.0.0", "1.2.3.4", "127.255.255.255", "128.0.0.0", "203.0.113.9",
                           "255.255.255.255", "::", "2001:db8::1", "8000::", "ffff::1"}) {
    const actors::Peer* found = table.find_by_destination(address(text));
    ASSERT_NE(found, nullptr) << text;
    EXPECT_EQ(found->id, 1u) << text;
  }
  const actors::Peer* specific = table.find_by_destination(address("10.1.2.3"));
  ASSERT_NE(specific, nullptr);
  EXPECT_EQ(specific->id, 0u) << "10.0.0.0/8 is longer than /0";
  EXPECT_TRUE(table.source_allowed(table.peers().at(1), address("198.51.100.1")));
  EXPECT_FALSE(table.source_allowed(table.peers().at(1), address("10.1.2.3")));
}

// A /0 is stored as two /1 halves: another peer's explicit /1 must still own its half, whatever
// the order of the peers in the config.
TEST_F(PeerTableTest, AnExplicitHalfWinsOverADefaultRouteListedAfterIt) {
  config_.peers[0].allowed_ips = {prefix("128.0.0.0/1"), prefix("8000::/1")};
  config_.peers[1].allowed_ips = {prefix("0.0.0.0/0"), prefix("::/0")};
  actors::PeerTable table(config_, unique_name("pt_halves"));
  ASSERT_TRUE(table.valid());
  for (const char* text : {"203.0.113.9", "ffff::1"}) {
    const actors::Peer* found = table.find_by_destination(address(text));
    ASSERT_NE(found, nullptr) << text;
    EXPECT_EQ(found->id, 0u) << text << ": the explicit /1";
  }
  for (const char* text : {"10.1.2.3", "2001:db8::1"}) {
    const actors::Peer* found = table.find_by_destination(address(text));
    ASSERT_NE(found, nullptr) << text;
    EXPECT_EQ(found->id, 1u) << text << ": the default route";
  }
}

namespace {

// A reload applied to the table: a removed peer becomes a tombstone (no routes, no keys, its
// indices forgotten) while the other keeps its keys and id; an added peer gets the next id and
// its prefixes; enough new routes that the table cannot take them in place is a rebuild, and
// every route still comes out right.
TEST_F(PeerTableTest, AReloadLeavesTombstonesAppendsAndRoutesByTheNewTable) {
  table_->install(peer(1), keypair(77, true));
  actors::PeerChange change;
  change.removed = {0};
  config::PeerConfig added;
  added.public_key = crypto::derive_public_key(crypto::random_secret_key());
  for (std::uint32_t i = 0; i < 300; ++i) {  // far beyond the table's size: a rebuild
    added.allowed_ips.push_back({config::IpAddress::v4(0x0B000000u + (i << 8)), 24});
  }
  added.allowed_ips.push_back(prefix("fd00:2::/32"));
  change.added.push_back({2, added, nullptr});
  config::PeerConfig changed = config_.peers[1];
  changed.allowed_ips = {prefix("10.30.0.0/16"), prefix("10.0.0.0/8")};  // takes peer 0's /8
  change.changed.push_back({1, changed, nullptr});
  std::vector<rte_mbuf*> orphaned;
  ASSERT_TRUE(table_->apply(change, orphaned));
  EXPECT_TRUE(orphaned.empty());

  ASSERT_EQ(table_->peers().size(), 3u) << "no slot moved or went";
  EXPECT_TRUE(peer(0).removed);
  EXPECT_EQ(table_->live_peer(0), nullptr);
  EXPECT_TRUE(peer(0).sessions.empty()) << "its keys are gone";
  EXPECT_EQ(owner_of(test_support::kStaticReceiveIndex), -1);
  EXPECT_FALSE(peer(0).endpoint.has_value());
  EXPECT_EQ(owner_of(77), 1) << "the unchanged session of peer 1 stays";
  EXPECT_EQ(table_->find_by_destination(address("10.1.2.3"))->id, 1u) << "the /8 moved";
  EXPECT_EQ(table_->find_by_destination(address("10.30.7.1"))->id, 1u) << "peer 0's /24 went";
  EXPECT_EQ(table_->find_by_destination(address("fd00::1")), nullptr);
  for (std::uint32_t i = 0; i < 300; ++i) {
    ASSERT_EQ(table_->find_by_destination_v4(0x0B000001u + (i << 8))->id, 2u) << i;
  }
  EXPECT_EQ(table_->find_by_destination(address("fd00:2::1"))->id, 2u);
  EXPECT_EQ(table_->live_peer(2)->counters->public_key, crypto::to_base64(added.public_key));
}

}  // namespace
