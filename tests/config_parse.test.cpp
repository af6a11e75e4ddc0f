// Parsing and printing of the plain config values: IP addresses, prefixes, interface addresses,
// MAC addresses, endpoints, topology kinds and the keys each kind reads.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/gateway_config.hpp"

namespace actorwire::config {
namespace {

struct RoundTrip {
  std::string_view text;
  std::string_view canonical;  // to_string of the parsed value
};

TEST(ConfigParse, IpAddressGood) {
  const RoundTrip cases[] = {
      {"0.0.0.0", "0.0.0.0"},
      {"192.0.2.1", "192.0.2.1"},
      {"255.255.255.255", "255.255.255.255"},
      {"::", "::"},
      {"::1", "::1"},
      {"2001:db8::1", "2001:db8::1"},
      {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
      {"fe80::1:2:3:4", "fe80::1:2:3:4"},
      {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto address = parse_ip_address(c.text);
    ASSERT_TRUE(address.has_value());
    EXPECT_EQ(to_string(*address), c.canonical);
    EXPECT_EQ(address->is_v6, c.text.find(':') != std::string_view::npos);
  }
}

TEST(ConfigParse, IpAddressBad) {
  const std::string_view cases[] = {
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.0.0.1",
      "1.2.3.-4",
      " 1.2.3.4",
      "1.2.3.4 ",
      "1.2.3.4/32",
      "01.2.3.4",
      "0x1.2.3.4",
      "a.b.c.d",
      "1..2.3",
      "2001:db8::1::2",
      ":::",
      "12345::",
      "2001:db8:g::1",
      "[::1]",
      "1.2.3.4:80",
      "localhost",
      std::string_view("1.2.3.4\0", 8),
  };
  for (const auto text : cases) {
    SCOPED_TRACE(std::string(text));
    EXPECT_FALSE(parse_ip_address(text).has_value());
  }
}

TEST(ConfigParse, Ipv4HostOrderHelpers) {
  const auto address = IpAddress::v4(0xc0000201);
  EXPECT_FALSE(address.is_v6);
  EXPECT_EQ(to_string(address), "192.0.2.1");
  EXPECT_EQ(address.v4_host_order(), 0xc0000201u);
  EXPECT_EQ(parse_ip_address("10.1.2.3")->v4_host_order(), 0x0a010203u);
  EXPECT_EQ(*parse_ip_address("10.1.2.3"), IpAddress::v4(0x0a010203));
}

struct PrefixCase {
  std::string_view text;
  std::string_view canonical;  // empty: must be rejected
};

TEST(ConfigParse, IpPrefix) {
  const PrefixCase cases[] = {
      {"10.0.0.0/8", "10.0.0.0/8"},
      {"10.1.0.0/16", "10.1.0.0/16"},
      {"0.0.0.0/0", "0.0.0.0/0"},
      {"192.0.2.1", "192.0.2.1/32"},
      {"192.0.2.1/32", "192.0.2.1/32"},
      {"192.0.2.128/25", "192.0.2.128/25"},
      {"fd00::/64", "fd00::/64"},
      {"::/0", "::/0"},
      {"2001:db8::1", "2001:db8::1/128"},
      {"2001:db8:8000::/33", "2001:db8:8000::/33"},
      // Host bits set.
      {"10.0.0.1/8", ""},
      {"192.0.2.129/25", ""},
      {"fd00::1/64", ""},
      {"2001:db8:4000::/33", ""},
      // Malformed.
      {"10.0.0.0/33", ""},
      {"fd00::/129", ""},
      {"10.0.0.0/", ""},
      {"10.0.0.0/-1", ""},
      {"10.0.0.0/+8", ""},
      {"10.0.0.0/8/8", ""},
      {"10.0.0.0 /8", ""},
      {"/8", ""},
      {"", ""},
      {"10.0.0.0/a", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto prefix = parse_ip_prefix(c.text);
    if (c.canonical.empty()) {
      EXPECT_FALSE(prefix.has_value());
    } else {
      ASSERT_TRUE(prefix.has_value());
      EXPECT_EQ(to_string(*prefix), c.canonical);
    }
  }
}

TEST(ConfigParse, InterfaceAddress) {
  const PrefixCase cases[] = {
      {"10.0.0.1/24", "10.0.0.1/24"},
      {"192.0.2.1/24", "192.0.2.1/24"},
      {"10.0.0.0/8", "10.0.0.0/8"},
      {"192.0.2.7", "192.0.2.7/32"},
      {"fd00::1/64", "fd00::1/64"},
      {"10.0.0.1/33", ""},
      {"fd00::1/200", ""},
      {"10.0.0.1/", ""},
      {"10.0.0/24", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto prefix = parse_interface_address(c.text);
    if (c.canonical.empty()) {
      EXPECT_FALSE(prefix.has_value());
    } else {
      ASSERT_TRUE(prefix.has_value());
      EXPECT_EQ(to_string(*prefix), c.canonical);
    }
  }
  const auto prefix = parse_interface_address("192.0.2.1/24");
  EXPECT_EQ(prefix->length, 24);
  EXPECT_EQ(prefix->address, IpAddress::v4(0xc0000201));
}

TEST(ConfigParse, MacAddress) {
  const PrefixCase cases[] = {
      {"02:00:00:00:00:01", "02:00:00:00:00:01"},
      {"AA:bb:CC:dd:EE:ff", "aa:bb:cc:dd:ee:ff"},
      {"02-00-00-00-00-fe", "02:00:00:00:00:fe"},
      {"ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff"},
      {"02:00:00:00:00", ""},
      {"02:00:00:00:00:01:02", ""},
      {"2:0:0:0:0:1", ""},
      {"02:00:00:00:00:0g", ""},
      {"02:00-00:00:00:01", ""},
      {"02.00.00.00.00.01", ""},
      {"0200.0000.0001", ""},
      {"", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto mac = parse_mac_address(c.text);
    if (c.canonical.empty()) {
      EXPECT_FALSE(mac.has_value());
    } else {
      ASSERT_TRUE(mac.has_value());
      EXPECT_EQ(to_string(*mac), c.canonical);
    }
  }
  EXPECT_EQ(parse_mac_address("02:00:00:00:00:01")->bytes,
            (std::array<std::uint8_t, 6>{2, 0, 0, 0, 0, 1}));
}

TEST(ConfigParse, Endpoint) {
  const PrefixCase cases[] = {
      {"192.0.2.2:51820", "192.0.2.2:51820"},
      {"198.51.100.7:1", "198.51.100.7:1"},
      {"203.0.113.9:65535", "203.0.113.9:65535"},
      {"[2001:db8::1]:51820", "[2001:db8::1]:51820"},
      {"[::1]:443", "[::1]:443"},
      {"192.0.2.2", ""},
      {"192.0.2.2:", ""},
      {"192.0.2.2:0", ""},
      {"192.0.2.2:65536", ""},
      {"192.0.2.2:-1", ""},
      {"192.0.2.2:51820x", ""},
      {":51820", ""},
      {"2001:db8::1:51820", ""},  // IPv6 needs brackets
      {"[2001:db8::1]", ""},
      {"[2001:db8::1]51820", ""},
      {"[2001:db8::1:51820", ""},
      {"[192.0.2.2]:51820", ""},
      {"vpn.example.com:51820", ""},
      {"", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto endpoint = parse_endpoint(c.text);
    if (c.canonical.empty()) {
      EXPECT_FALSE(endpoint.has_value());
    } else {
      ASSERT_TRUE(endpoint.has_value());
      EXPECT_EQ(to_string(*endpoint), c.canonical);
    }
  }
  const auto endpoint = parse_endpoint("[2001:db8::1]:51820");
  EXPECT_TRUE(endpoint->address.is_v6);
  EXPECT_EQ(endpoint->port, 51820);
}

TEST(ConfigParse, TopologyKind) {
  for (const auto kind : {TopologyKind::kSingle, TopologyKind::kWorkersMutex,
                          TopologyKind::kWorkersSpinlock, TopologyKind::kPipeline}) {
    EXPECT_EQ(parse_topology_kind(to_string(kind)), kind);
  }
  EXPECT_EQ(to_string(TopologyKind::kSingle), "single");
  EXPECT_EQ(to_string(TopologyKind::kWorkersMutex), "workers-mutex");
  EXPECT_EQ(to_string(TopologyKind::kWorkersSpinlock), "workers-spinlock");
  EXPECT_EQ(to_string(TopologyKind::kPipeline), "pipeline");
  EXPECT_FALSE(parse_topology_kind("Single").has_value());
  EXPECT_FALSE(parse_topology_kind("workers").has_value());
  EXPECT_FALSE(parse_topology_kind("").has_value());
}

TEST(ConfigParse, TopologyKindTable) {
  EXPECT_EQ(topology_kind_names(" | "), "single | workers-mutex | workers-spinlock | pipeline");
  EXPECT_EQ(topology_kind_names(", ", "'"),
            "'single', 'workers-mutex', 'workers-spinlock', 'pipeline'");
  ASSERT_EQ(kTopologyKinds.size(), 4u);
  for (const auto& info : kTopologyKinds) {
    EXPECT_EQ(topology_kind_info(info.kind).name, info.name);
    EXPECT_FALSE(info.summary.empty()) << info.name;
  }

  // Which [topology] keys each kind reads, written out here rather than taken from the table.
  const auto reads = [](TopologyKind kind) {
    std::string names;
    for (const auto& key : kTopologyKeys) {
      if (topology_kind_reads(kind, key.key))
        names += std::string(names.empty() ? "" : " ") + std::string(key.name);
    }
    return names;
  };
  EXPECT_EQ(reads(TopologyKind::kSingle), "batch_size");
  EXPECT_EQ(reads(TopologyKind::kWorkersMutex), "crypto_workers batch_size io");
  EXPECT_EQ(reads(TopologyKind::kWorkersSpinlock), "crypto_workers batch_size io");
  EXPECT_EQ(reads(TopologyKind::kPipeline),
            "crypto_workers batch_size mailbox_capacity backoff_min_us backoff_max_us ordered io");
  EXPECT_EQ(to_string(TopologyKey::kBackoffMaxUs), "backoff_max_us");
}

TEST(ConfigParse, PortByRole) {
  GatewayConfig config;
  EXPECT_EQ(config.port(PortRole::kLan), nullptr);
  for (const auto& [role, device] :
       {std::pair{PortRole::kWan, "net_ring1"}, std::pair{PortRole::kLan, "net_ring0"}}) {
    PortConfig port;
    port.role = role;
    port.device = device;
    config.ports.push_back(port);
  }
  ASSERT_NE(config.port(PortRole::kLan), nullptr);
  EXPECT_EQ(config.port(PortRole::kLan)->device, "net_ring0");
  EXPECT_EQ(config.port(PortRole::kWan)->device, "net_ring1");
}

}  // namespace
}  // namespace actorwire::config
