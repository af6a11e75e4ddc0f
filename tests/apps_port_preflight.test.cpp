// The start-up check of the configured ports against the host (apps/port_preflight): a port the
// host cannot give is reported as a config error at its `device` key, with the file, line and
// column the loader saw, the finding and its fix. Runs on a fake /sys and /proc tree.
#include <gtest/gtest.h>
#include <string>

#include "apps/port_preflight.hpp"
#include "config/default_config.hpp"
#include "config/load_config.hpp"
#include "fake_host_tree.hpp"

namespace actorwire::apps {
namespace {

// The embedded default with its WAN ring port replaced by `device`.
config::GatewayConfig with_wan_device(const std::string& device) {
  std::string text = config::default_config_toml();
  const std::string ring = "device = \"net_ring1\"";
  const auto at = text.find(ring);
  EXPECT_NE(at, std::string::npos) << "the default config has no net_ring1 port";
  text.replace(at, ring.size(), "device = \"" + device + "\"");
  config::LoadResult loaded = config::load_config_string(text, "gw.toml");
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  return std::move(*loaded.config);
}

using FakeRoot = test_support::FakeHostTree;

TEST(PortPreflight, RingPortsNeedNothing) {
  const FakeRoot host;
  const auto preflight = port_preflight(with_wan_device("net_ring1"), host.tree());
  EXPECT_FALSE(preflight.error.has_value());
  EXPECT_TRUE(preflight.warnings.empty());
}

TEST(PortPreflight, MissingInterfaceIsAnErrorAtTheDeviceKey) {
  const FakeRoot host;
  host.write("/proc/self/status", "Uid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff");
  const auto problem =
      port_preflight(with_wan_device("net_af_packet0,iface=veth9"), host.tree()).error;
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->file, "gw.toml");
  EXPECT_GT(problem->line, 0);
  EXPECT_EQ(problem->column, 10);  // the value of `device = "..."`
  EXPECT_EQ(problem->key, "port[1].device");
  EXPECT_NE(problem->message.find("'net_af_packet0,iface=veth9': no interface veth9 -> ip link"),
            std::string::npos)
      << problem->to_string();
}

// A link that is down may come up later (a cable, a peer namespace): the gateway starts, with a
// warning at the key. A missing capability stops it.
TEST(PortPreflight, InterfaceDownWarnsThenNoCapabilityStops) {
  const FakeRoot host;
  host.write("/sys/class/net/veth9/operstate", "down");
  host.write("/proc/self/status", "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000002000");
  const auto config = with_wan_device("net_af_packet0,iface=veth9");
  auto preflight = port_preflight(config, host.tree());
  EXPECT_FALSE(preflight.error.has_value()) << preflight.error->to_string();
  ASSERT_EQ(preflight.warnings.size(), 1u);
  EXPECT_EQ(preflight.warnings[0].key, "port[1].device");
  EXPECT_NE(
      preflight.warnings[0].message.find("interface veth9 is down -> ip link set dev veth9 up"),
      std::string::npos)
      << preflight.warnings[0].to_string();

  host.write("/sys/class/net/veth9/operstate", "up");
  host.write("/proc/self/status", "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000");
  preflight = port_preflight(config, host.tree());
  ASSERT_TRUE(preflight.error.has_value()) << "an unprivileged process cannot open a packet socket";
  EXPECT_NE(preflight.error->message.find("no CAP_NET_RAW"), std::string::npos)
      << preflight.error->to_string();
  EXPECT_TRUE(preflight.warnings.empty());

  host.write("/proc/self/status", "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000002000");
  preflight = port_preflight(config, host.tree());
  EXPECT_FALSE(preflight.error.has_value()) << "CAP_NET_RAW is enough";
  EXPECT_TRUE(preflight.warnings.empty());
}

}  // namespace
}  // namespace actorwire::apps
