// AllowedIps against a brute-force longest-prefix match: random overlapping prefixes of every
// length in both families, inserted in random order, must give the same peer for random
// addresses and for addresses at and around every prefix's edges; default routes (/0) work in
// both families (rte_lpm6 refuses length 0) and lose to a real /1; second-level groups are sized
// by what the routes need (thousands of /24s with host routes, far more than a fixed 256); bad
// routes are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "dpdk_test_config.hpp"
#include "io/allowed_ips.hpp"
#include "io/eal.hpp"

using namespace actorwire;
using io::AllowedIps;

namespace {

class AllowedIpsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(io::start_eal(test_support::default_test_config().dpdk.eal_args, error)) << error;
  }
  static std::string unique_name() {
    static int serial = 0;
    return "aip" + std::to_string(serial++);
  }
};

bool contains(const config::IpPrefix& prefix, const config::IpAddress& address) {
  if (prefix.address.is_v6 != address.is_v6) return false;
  for (unsigned bit = 0; bit < prefix.length; ++bit) {
    const unsigned byte = bit / 8;
    const auto mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    if ((prefix.address.bytes[byte] & mask) != (address.bytes[byte] & mask)) return false;
  }
  return true;
}

// The longest prefix containing `address`; of equal ones the last listed.
std::uint32_t reference_lookup(const std::vector<AllowedIps::Route>& routes,
                               const config::IpAddress& address) {
  std::uint32_t peer = AllowedIps::kNoPeer;
  int best = -1;
  for (const auto& route : routes) {
    if (contains(route.prefix, address) && route.prefix.length >= best) {
      best = route.prefix.length;
      peer = route.peer;
    }
  }
  return peer;
}

config::IpPrefix masked(config::IpAddress address, std::uint8_t length) {
  const unsigned bytes = address.is_v6 ? 16 : 4;
  for (unsigned bit = length; bit < bytes * 8; ++bit) {
    address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  }
  return {address, length};
}

// Random addresses clustered in a few regions, so that prefixes nest and overlap.
config::IpAddress random_address(std::mt19937& random, bool v6) {
  config::IpAddress address;
  address.is_v6 = v6;
  const unsigned bytes = v6 ? 16 : 4;
  for (unsigned i = 0; i < bytes; ++i) address.bytes[i] = static_cast<std::uint8_t>(random());
  address.bytes[0] = v6 ? 0xfd : 10;
  address.bytes[1] = static_cast<std::uint8_t>(random() % 4);
  if (v6) address.bytes[2] = static_cast<std::uint8_t>(random() % 2);
  return address;
}

// The address one above (+1) or below (-1), wrapping around.
config::IpAddress step(config::IpAddress address, int direction) {
  for (int i = address.is_v6 ? 15 : 3; i >= 0; --i) {
    const std::uint8_t carry_at = direction > 0 ? 0xff : 0x00;
    const bool carries = address.bytes[i] == carry_at;
    address.bytes[i] = static_cast<std::uint8_t>(address.bytes[i] + direction);
    if (!carries) break;
  }
  return address;
}

// The prefix's first and last address, and their neighbours just outside.
std::vector<config::IpAddress> edges(const config::IpPrefix& prefix) {
  const unsigned bytes = prefix.address.is_v6 ? 16 : 4;
  config::IpAddress last = prefix.address;
  for (unsigned bit = prefix.length; bit < bytes * 8; ++bit) {
    last.bytes[bit / 8] |= static_cast<std::uint8_t>(0x80 >> (bit % 8));
  }
  return {prefix.address, last, step(prefix.address, -1), step(last, +1)};
}

TEST_F(AllowedIpsTest, AgreesWithABruteForceLongestMatchInAnyInsertionOrder) {
  std::mt19937 random(7);
  std::vector<AllowedIps::Route> routes;
  for (std::uint32_t peer = 0; peer < 600; ++peer) {
    const bool v6 = peer % 3 == 0;
    const auto length = static_cast<std::uint8_t>(v6 ? random() % 129 : 8 + random() % 25);
    routes.push_back({masked(random_address(random, v6), length), peer});
  }
  routes.push_back({masked(random_address(random, false), 0), 600});  // 0.0.0.0/0
  std::shuffle(routes.begin(), routes.end(), random);
  const AllowedIps table(unique_name(), routes);
  ASSERT_TRUE(table.valid());

  std::vector<config::IpAddress> probes;
  for (const auto& route : routes) {
    for (const auto& address : edges(route.prefix)) probes.push_back(address);
  }
  for (int i = 0; i < 5000; ++i) probes.push_back(random_address(random, i % 2 == 0));
  for (const auto& address : probes) {
    ASSERT_EQ(table.lookup(address), reference_lookup(routes, address))
        << config::to_string(address);
  }
  // Only IPv4 has a default route.
  EXPECT_EQ(table.lookup(*config::parse_ip_address("203.0.113.9")), 600u);
  EXPECT_EQ(table.lookup(*config::parse_ip_address("2001:db8::1")), AllowedIps::kNoPeer);
}

TEST_F(AllowedIpsTest, DefaultRoutesMatchEverythingAndLoseToAnyLongerPrefix) {
  const std::vector<AllowedIps::Route> routes = {
      {*config::parse_ip_prefix("8000::/1"), 4},  // before the ::/0 whose half it equals
      {*config::parse_ip_prefix("::/0"), 1},
      {*config::parse_ip_prefix("0.0.0.0/0"), 2},
      {*config::parse_ip_prefix("fd00::/8"), 3},
  };
  const AllowedIps table(unique_name(), routes);
  ASSERT_TRUE(table.valid());
  EXPECT_EQ(table.lookup(*config::parse_ip_address("::1")), 1u);
  EXPECT_EQ(table.lookup(*config::parse_ip_address("7fff::1")), 1u);
  EXPECT_EQ(table.lookup(*config::parse_ip_address("fd00::1")), 3u);
  EXPECT_EQ(table.lookup(*config::parse_ip_address("8000::1")), 4u) << "/1 is longer than /0";
  EXPECT_EQ(table.lookup(*config::parse_ip_address("255.255.255.255")), 2u);
  EXPECT_EQ(table.lookup(*config::parse_ip_address("0.0.0.0")), 2u);
}

TEST_F(AllowedIpsTest, HostRoutesInThousandsOfDifferentSlash24s) {
  // 4096 /32s, each in its own /24 (a second-level group each), and a /128 in 4096 /64s.
  std::vector<AllowedIps::Route> routes;
  for (std::uint32_t i = 0; i < 4096; ++i) {
    routes.push_back({{config::IpAddress::v4(0x0A000001u + (i << 8)), 32}, i});
    config::IpPrefix host{{}, 128};
    host.address = *config::parse_ip_address("2001:db8::1");
    host.address.bytes[6] = static_cast<std::uint8_t>(i >> 8);
    host.address.bytes[7] = static_cast<std::uint8_t>(i);
    routes.push_back({host, i});
  }
  const AllowedIps table(unique_name(), routes);
  ASSERT_TRUE(table.valid());
  for (const auto& route : routes) {
    ASSERT_EQ(table.lookup(route.prefix.address), route.peer) << config::to_string(route.prefix);
  }
  EXPECT_EQ(table.lookup_v4(0x0A000002u), AllowedIps::kNoPeer) << "beside a host route";
}

TEST_F(AllowedIpsTest, RefusesPeerIndicesBeyondTheNextHopWidth) {
  const AllowedIps table(unique_name(),
                         {{*config::parse_ip_prefix("10.0.0.0/8"), AllowedIps::kMaxPeers}});
  EXPECT_FALSE(table.valid());
}

TEST_F(AllowedIpsTest, UpdateMovesRoutesInPlaceOrSaysItCannot) {
  auto route = [](const char* prefix, std::uint32_t peer) {
    return AllowedIps::Route{*config::parse_ip_prefix(prefix), peer};
  };
  AllowedIps table(unique_name(), {route("10.1.0.0/16", 0), route("10.2.0.0/16", 1),
                                   route("10.2.3.0/24", 0), route("fd00:1::/32", 1)});
  ASSERT_TRUE(table.valid());
  // Peer 0 loses 10.2.3.0/24 and gains 10.3.0.0/16; peer 1's IPv6 prefix moves to peer 2.
  ASSERT_TRUE(table.update({route("10.2.3.0/24", 0), route("fd00:1::/32", 1)},
                           {route("10.3.0.0/16", 0), route("fd00:1::/32", 2)}));
  EXPECT_EQ(table.lookup(*config::parse_ip_address("10.2.3.4")), 1u) << "the /16 again";
  EXPECT_EQ(table.lookup(*config::parse_ip_address("10.3.0.1")), 0u);
  EXPECT_EQ(table.lookup(*config::parse_ip_address("10.1.0.1")), 0u) << "untouched";
  EXPECT_EQ(table.lookup(*config::parse_ip_address("fd00:1::1")), 2u);
  // What cannot be done in place: a family without a table, an IPv6 /0, a refused route.
  AllowedIps v4_only(unique_name(), {route("10.1.0.0/16", 0)});
  EXPECT_FALSE(v4_only.update({}, {route("fd00::/8", 0)}));
  EXPECT_FALSE(table.update({}, {route("::/0", 0)}));
  EXPECT_FALSE(
      table.update({}, {{*config::parse_ip_prefix("10.9.0.0/16"), AllowedIps::kMaxPeers}}));
}

TEST_F(AllowedIpsTest, AnEmptyTableFindsNobody) {
  const AllowedIps table(unique_name(), {});
  ASSERT_TRUE(table.valid());
  EXPECT_EQ(table.lookup(*config::parse_ip_address("10.0.0.1")), AllowedIps::kNoPeer);
  EXPECT_EQ(table.lookup(*config::parse_ip_address("fd00::1")), AllowedIps::kNoPeer);
}

}  // namespace
