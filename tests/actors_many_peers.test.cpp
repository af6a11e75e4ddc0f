// Ten thousand peers with ten allowed-IPs prefixes each (IPv4 /32 and /24, IPv6 /64 and /128),
// written as TOML text: the loader reads every key, endpoint, prefix and static session right,
// still finds a duplicate key, prefix or receive index among them (naming the first owner), and
// the peer table sends every prefix's addresses to its peer and every receive index to its
// keypair. Speed is measured by `actorwire bench --peers`; the times are only printed here.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "actors/dataplane/peer_table.hpp"
#include "config/load_config.hpp"
#include "crypto/keys.hpp"
#include "dataplane_test_support.hpp"

using namespace actorwire;

namespace {

constexpr std::uint32_t kPeers = 10000;
constexpr std::uint32_t kReceiveIndexBase = 0x20000000;

// Distinct, recognisable 32-byte keys: the peer number and what the key is for.
crypto::PublicKey key_bytes(std::uint32_t peer, std::uint8_t purpose) {
  crypto::PublicKey key;
  key.bytes[0] = purpose;
  for (int b = 0; b < 4; ++b) key.bytes[1 + b] = static_cast<std::uint8_t>(peer >> (8 * b));
  return key;
}

config::IpPrefix v4(std::uint32_t address, std::uint8_t length) {
  return {config::IpAddress::v4(address), length};
}

config::IpPrefix v6(std::uint8_t second_byte, std::size_t first, std::uint32_t value,
                    std::uint8_t length) {
  config::IpPrefix prefix;
  prefix.address.is_v6 = true;
  prefix.address.bytes[0] = 0xfd;
  prefix.address.bytes[1] = second_byte;
  prefix.address.bytes[first] = static_cast<std::uint8_t>(value >> 8);
  prefix.address.bytes[first + 1] = static_cast<std::uint8_t>(value);
  prefix.length = length;
  return prefix;
}

// Peer i's prefixes: 5 tunnel /32s, 2 site /24s, 2 site /64s, 1 tunnel /128; none shared.
std::vector<config::IpPrefix> prefixes_of(std::uint32_t i) {
  std::vector<config::IpPrefix> prefixes;
  for (std::uint32_t k = 0; k < 5; ++k) prefixes.push_back(v4(0x64400001u + i + k * kPeers, 32));
  for (std::uint32_t k = 0; k < 2; ++k) {
    prefixes.push_back(v4(0x0A800000u + ((2 * i + k) << 8), 24));
  }
  for (std::uint32_t k = 0; k < 2; ++k) prefixes.push_back(v6(0x00, 6, 2 * i + k, 64));
  prefixes.push_back(v6(0x01, 14, i + 1, 128));
  return prefixes;
}

config::Endpoint endpoint_of(std::uint32_t i) {
  return {config::IpAddress::v4(0xC6120001u + i), static_cast<std::uint16_t>(51820 + i % 7)};
}

// The TOML; `last` replaces the tables of peer kPeers - 1 (to plant duplicates).
std::string peers_toml(const std::string& last = "") {
  std::string text =
      "[interface]\n"
      "private_key = \"" +
      crypto::to_base64(key_bytes(0, 0xAA)) +
      "\"\n"
      "[[port]]\nrole = \"lan\"\ndevice = \"net_ring0\"\naddresses = [\"10.10.0.1/24\"]\n"
      "[[port]]\nrole = \"wan\"\ndevice = \"net_ring1\"\naddresses = [\"192.0.2.1/24\"]\n";
  for (std::uint32_t i = 0; i < kPeers; ++i) {
    if (i == kPeers - 1 && !last.empty()) {
      text += last;
      break;
    }
    text += "[[peer]]\npublic_key = \"" + crypto::to_base64(key_bytes(i, 1)) + "\"\nendpoint = \"" +
            config::to_string(endpoint_of(i)) + "\"\nallowed_ips = [";
    for (const auto& prefix : prefixes_of(i)) text += "\"" + config::to_string(prefix) + "\", ";
    text += "]\n[peer.static_session]\nsend_key = \"" + crypto::to_base64(key_bytes(i, 2)) +
            "\"\nreceive_key = \"" + crypto::to_base64(key_bytes(i, 3)) +
            "\"\nsend_index = " + std::to_string(0x10000000 + i) +
            "\nreceive_index = " + std::to_string(kReceiveIndexBase + i) + "\n";
  }
  return text;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

class ManyPeersTest : public test_support::DataPlaneTest {};

TEST_F(ManyPeersTest, TenThousandPeersLoadAndEveryPrefixFindsItsPeer) {
  const std::string text = peers_toml();
  auto start = std::chrono::steady_clock::now();
  const auto loaded = config::load_config_string(text, "many.toml");
  const double load_ms = ms_since(start);
  ASSERT_TRUE(loaded.ok()) << loaded.errors.at(0).to_string();
  EXPECT_TRUE(loaded.warnings.empty()) << loaded.warnings.at(0);
  const config::GatewayConfig& config = *loaded.config;
  ASSERT_EQ(config.peers.size(), kPeers);
  for (std::uint32_t i = 0; i < kPeers; ++i) {
    const auto& peer = config.peers[i];
    ASSERT_EQ(peer.public_key, key_bytes(i, 1)) << "peer " << i;
    ASSERT_TRUE(peer.endpoint && peer.endpoint->address == endpoint_of(i).address &&
                peer.endpoint->port == endpoint_of(i).port)
        << "peer " << i;
    ASSERT_EQ(peer.allowed_ips, prefixes_of(i)) << "peer " << i;
    ASSERT_TRUE(peer.static_session) << "peer " << i;
    ASSERT_EQ(peer.static_session->receive_index, kReceiveIndexBase + i);
  }

  start = std::chrono::steady_clock::now();
  actors::PeerTable table(config, unique_name("many"));
  const double table_ms = ms_since(start);
  ASSERT_TRUE(table.valid());
  for (std::uint32_t i = 0; i < kPeers; ++i) {
    for (const auto& prefix : prefixes_of(i)) {
      const actors::Peer* found = table.find_by_destination(prefix.address);
      ASSERT_NE(found, nullptr) << config::to_string(prefix);
      ASSERT_EQ(found->id, i) << config::to_string(prefix);
      EXPECT_TRUE(table.source_allowed(*found, prefix.address));
    }
    const auto match = table.find_by_index(kReceiveIndexBase + i);
    ASSERT_NE(match.keypair, nullptr) << "peer " << i;
    ASSERT_EQ(match.peer->id, i);
  }
  // Beside the last /32 and the last /24: nobody's.
  EXPECT_EQ(table.find_by_destination_v4(0x64400001u + 5 * kPeers), nullptr);
  EXPECT_EQ(table.find_by_destination_v4(0x0A800000u + ((2 * kPeers) << 8)), nullptr);
  std::cout << "[ timing   ] " << kPeers << " peers: load_config_string " << load_ms
            << " ms, PeerTable " << table_ms << " ms (text " << text.size() / 1024 << " KiB)\n";
}

TEST(ManyPeersConfig, DuplicatesAmongTenThousandPeersNameTheFirstOwner) {
  const std::string key = crypto::to_base64(key_bytes(1234, 1));
  const auto loaded = config::load_config_string(
      peers_toml("[[peer]]\npublic_key = \"" + key +
                 "\"\nallowed_ips = [\"10.128.8.0/24\", \"fd00:0:0:9::/64\"]\n"
                 "[peer.static_session]\nsend_key = \"" +
                 key + "\"\nreceive_key = \"" + key + "\"\nsend_index = 1\nreceive_index = " +
                 std::to_string(kReceiveIndexBase + 77) + "\n"),
      "many.toml");
  ASSERT_EQ(loaded.errors.size(), 4u);
  const std::string last = "peer[" + std::to_string(kPeers - 1) + "]";
  EXPECT_EQ(loaded.errors[0].key, last + ".public_key");
  EXPECT_NE(loaded.errors[0].message.find("same public key as peer[1234]"), std::string::npos)
      << loaded.errors[0].message;
  EXPECT_EQ(loaded.errors[1].key, last + ".allowed_ips[0]");
  EXPECT_NE(loaded.errors[1].message.find("10.128.8.0/24 is already an allowed IP of peer[4]"),
            std::string::npos)
      << loaded.errors[1].message;
  EXPECT_EQ(loaded.errors[2].key, last + ".allowed_ips[1]");
  EXPECT_NE(loaded.errors[2].message.find("fd00:0:0:9::/64 is already an allowed IP of peer[4]"),
            std::string::npos)
      << loaded.errors[2].message;
  EXPECT_EQ(loaded.errors[3].key, last + ".static_session.receive_index");
  EXPECT_NE(loaded.errors[3].message.find("already used by peer[77]"), std::string::npos)
      << loaded.errors[3].message;
}

}  // namespace
