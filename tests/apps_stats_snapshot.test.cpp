// One peer's entry of the stats snapshot (apps/stats_snapshot.hpp) from PeerCounters with chosen
// clocks: traffic, the endpoint as text (both families), the latest handshake converted to Unix
// seconds and the keypair ages; null for what the data plane has not published.
#include <gtest/gtest.h>

#include "apps/stats_snapshot.hpp"

using namespace std::chrono_literals;
namespace actors = actorwire::actors;
namespace config = actorwire::config;

namespace {

const actors::Clock::time_point kNow = actors::Clock::time_point() + 10000s;
const std::chrono::system_clock::time_point kWallNow =
    std::chrono::system_clock::time_point() + 1767225600s;  // 2026-01-01T00:00:00Z

TEST(StatsSnapshotPeer, NothingPublishedYetIsNull) {
  actors::PeerCounters peer("SHy3zMv63hs31wo5cep0gRlaHLXksQZplnkFSxVzR3A=");
  const auto entry = actorwire::apps::peer_json(peer, kNow, kWallNow);
  EXPECT_EQ(entry["public_key"], "SHy3zMv63hs31wo5cep0gRlaHLXksQZplnkFSxVzR3A=");
  for (const char* key :
       {"endpoint", "last_handshake_unix_s", "current_keypair_age_s", "previous_keypair_age_s"}) {
    ASSERT_TRUE(entry.contains(key)) << key;
    EXPECT_TRUE(entry[key].is_null()) << key << ": " << entry[key];
  }
  EXPECT_EQ(entry["rx_bytes"], 0);
}

TEST(StatsSnapshotPeer, PublishedStateAndTraffic) {
  actors::PeerCounters peer("SHy3zMv63hs31wo5cep0gRlaHLXksQZplnkFSxVzR3A=");
  peer.rx_bytes.add(1280);
  peer.tx_packets.add(3);
  peer.status.publish_endpoint(config::parse_endpoint("[2001:db8::2]:51820"));
  peer.status.publish_handshake(kNow - 30s);
  peer.status.publish_keypairs(kNow - 30s, kNow - 150s);
  const auto entry = actorwire::apps::peer_json(peer, kNow, kWallNow);
  EXPECT_EQ(entry["endpoint"], "[2001:db8::2]:51820");
  EXPECT_DOUBLE_EQ(entry["last_handshake_unix_s"].get<double>(), 1767225600.0 - 30);
  EXPECT_DOUBLE_EQ(entry["current_keypair_age_s"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(entry["previous_keypair_age_s"].get<double>(), 150.0);
  EXPECT_EQ(entry["rx_bytes"], 1280);
  EXPECT_EQ(entry["tx_packets"], 3);
  // Roaming to IPv4, and the keys cleared (zeroed after REJECT_AFTER_TIME * 3).
  peer.status.publish_endpoint(config::parse_endpoint("203.0.113.7:4444"));
  peer.status.publish_keypairs(std::nullopt, std::nullopt);
  const auto later = actorwire::apps::peer_json(peer, kNow, kWallNow);
  EXPECT_EQ(later["endpoint"], "203.0.113.7:4444");
  EXPECT_TRUE(later["current_keypair_age_s"].is_null());
  EXPECT_TRUE(later["previous_keypair_age_s"].is_null());
  EXPECT_FALSE(later["last_handshake_unix_s"].is_null()) << "the latest handshake stays known";
}

}  // namespace
