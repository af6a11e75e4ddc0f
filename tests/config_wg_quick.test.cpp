// wg-quick files in and out (config/wg_quick*): five files under tests/data/wg_quick/ (a typical
// site, IPv6, a preshared key, peers without endpoints, junk lines) each convert to the gateway
// TOML committed beside them, which loads; host-only keys and junk get one warning each; bad
// values are errors that never echo key text; the export of a peer is its side of the tunnel and
// holds no private or preshared key.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "config/load_config.hpp"
#include "config/wg_quick.hpp"
#include "config/wg_quick_convert.hpp"
#include "crypto/keys.hpp"

namespace actorwire::config {
namespace {

const std::string kData = std::string(ACTORWIRE_SOURCE_DIR) + "/tests/data/wg_quick/";

std::string read(const std::string& path) {
  std::ifstream file(path);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::size_t count_containing(const std::vector<std::string>& lines, const std::string& part) {
  return static_cast<std::size_t>(std::count_if(
      lines.begin(), lines.end(), [&](const auto& line) { return line.find(part) != line.npos; }));
}

struct Case {
  const char* name;
  WgQuickImportOptions options;
};

class WgQuickImport : public testing::TestWithParam<Case> {};

TEST_P(WgQuickImport, ConvertsToTheCommittedTomlWhichLoads) {
  const Case& c = GetParam();
  const std::string conf = kData + c.name + ".conf";
  const WgQuickParse parsed = parse_wg_quick(read(conf), conf);
  ASSERT_TRUE(parsed.ok()) << parsed.errors.front();
  const std::string toml = gateway_toml_from_wg_quick(*parsed.file, conf, c.options);
  EXPECT_EQ(toml, read(kData + c.name + ".toml")) << "converted:\n" << toml;

  // With devices for the ports (placeholders are comments), the TOML loads, and says what the
  // wg-quick file said.
  WgQuickImportOptions with_ports = c.options;
  if (with_ports.lan_device.empty()) with_ports.lan_device = "net_ring0";
  if (with_ports.wan_device.empty()) with_ports.wan_device = "net_ring1";
  const LoadResult loaded =
      load_config_string(gateway_toml_from_wg_quick(*parsed.file, conf, with_ports), c.name);
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().to_string();
  const GatewayConfig& config = *loaded.config;
  EXPECT_TRUE(config.interface.private_key.equals(*parsed.file->interface.private_key));
  EXPECT_EQ(config.interface.addresses, parsed.file->interface.addresses);
  ASSERT_EQ(config.peers.size(), parsed.file->peers.size());
  for (std::size_t i = 0; i < config.peers.size(); ++i) {
    const auto& peer = parsed.file->peers[i];
    EXPECT_EQ(config.peers[i].public_key, *peer.public_key);
    EXPECT_EQ(config.peers[i].allowed_ips, peer.allowed_ips);
    EXPECT_EQ(config.peers[i].preshared_key.has_value(), peer.preshared_key.has_value());
    EXPECT_EQ(config.peers[i].persistent_keepalive, peer.persistent_keepalive);
    EXPECT_EQ(config.peers[i].endpoint.has_value(), peer.endpoint.has_value());
  }
}

INSTANTIATE_TEST_SUITE_P(Files, WgQuickImport,
                         testing::Values(Case{"typical-site", {"", "0000:03:00.0", "0000:03:00.1"}},
                                         Case{"ipv6", {"edge6", "", ""}}, Case{"psk", {}},
                                         Case{"no-endpoint", {}}, Case{"junk-lines", {}}),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(WgQuickImport, ValuesReadAsWgReadsThem) {
  const WgQuickParse typical = parse_wg_quick(read(kData + "typical-site.conf"), "typical");
  ASSERT_TRUE(typical.ok());
  EXPECT_TRUE(typical.warnings.empty()) << typical.warnings.front();
  const WgQuickFile& file = *typical.file;
  EXPECT_EQ(file.interface.listen_port, 51820);
  EXPECT_EQ(file.interface.mtu, 1420);
  ASSERT_EQ(file.peers.size(), 2u);
  EXPECT_EQ(crypto::to_base64(*file.peers[0].public_key),
            "7qAeHpvbWjO+ZG5+2bsAF6gDO+fBGzMhO2V6zsibk0g=");
  EXPECT_EQ(to_string(*file.peers[1].endpoint), "203.0.113.9:51821");
  EXPECT_EQ(file.peers[0].persistent_keepalive, 25);
  // The private key's public key is the one `wg pubkey` printed for it.
  EXPECT_EQ(crypto::to_base64(crypto::derive_public_key(*file.interface.private_key)),
            "MNv64RwZuSOpXWlH54Ei1LIuOds00ZxP1V9qw7VyGTI=");

  const WgQuickParse ipv6 = parse_wg_quick(read(kData + "ipv6.conf"), "ipv6");
  ASSERT_TRUE(ipv6.ok());
  // Two AllowedIPs lines add up.
  EXPECT_EQ(ipv6.file->peers[0].allowed_ips.size(), 3u);
  EXPECT_EQ(to_string(*ipv6.file->peers[0].endpoint), "[2001:db8:c::1]:51820");
}

TEST(WgQuickImport, JunkAndHostOnlyKeysGetOneWarningEach) {
  const std::string conf = kData + "junk-lines.conf";
  const WgQuickParse parsed = parse_wg_quick(read(conf), "junk-lines.conf");
  ASSERT_TRUE(parsed.ok()) << parsed.errors.front();
  const auto& warnings = parsed.warnings;
  for (const char* key :
       {"DNS", "Table", "PostUp", "PostDown", "SaveConfig", "FwMark", "PreUp", "PreDown"}) {
    EXPECT_EQ(count_containing(warnings, std::string(": ") + key + ": a host interface setting"),
              1u)
        << key;
  }
  for (const char* expected :
       {"junk-lines.conf:1:1: not a 'Key = value' line",
        "junk-lines.conf:14:1: not a 'Key = value' line",
        "junk-lines.conf:13:1: Colour: unknown key", "junk-lines.conf:16:1: unknown section",
        "'10.9.0.1/16' has host bits set: imported as 10.9.0.0/16",
        "Endpoint: 'vpn.example.com:51820' is a host name"}) {
    EXPECT_EQ(count_containing(warnings, expected), 1u) << expected;
  }
  // 8 host-only keys, 2 junk lines, 1 unknown key, 1 unknown section, 1 masked prefix, 1 name.
  EXPECT_EQ(warnings.size(), 14u);
  const WgQuickFile& file = *parsed.file;
  EXPECT_EQ(file.interface.listen_port, 51820);       // whitespace around '=' and the value
  ASSERT_EQ(file.peers.size(), 1u);                   // [PEER]: section names ignore case
  EXPECT_EQ(file.peers[0].persistent_keepalive, 30);  // a CRLF line
  EXPECT_EQ(file.peers[0].allowed_ips.size(), 2u);    // empty list items skipped
}

TEST(WgQuickImport, BadValuesAreErrorsWithPositionsAndNoKeyText) {
  const std::string key = "yDggV2AYg9lE2JfRJ0RDn/XtZ43M+Yr6ylg7i+gL7nU=";
  const std::string cut = key.substr(0, 40);
  const WgQuickParse parsed =
      parse_wg_quick("[Interface]\nPrivateKey = " + cut + "\nMTU = 70000\nListenPort = x\n" +
                         "[Peer]\nPresharedKey = " + cut + "\nEndpoint = 192.0.2.1\n" +
                         "PersistentKeepalive = -1\nAllowedIPs = 10.0.0.0/33\n",
                     "bad.conf");
  ASSERT_FALSE(parsed.ok());
  const auto& errors = parsed.errors;
  for (const char* expected :
       {"bad.conf:2:14: PrivateKey: not a base64 key", "bad.conf:3:7: MTU: expected 576..9000",
        "bad.conf:4:14: ListenPort: expected a port",
        "bad.conf:6:16: PresharedKey: not a base64 key",
        "bad.conf:7:12: Endpoint: '192.0.2.1' is not an endpoint",
        "bad.conf:8:23: PersistentKeepalive", "bad.conf:9:14: AllowedIPs: '10.0.0.0/33'",
        "bad.conf:5:1: [Peer]: no PublicKey", "[Interface]: no PrivateKey"}) {
    EXPECT_EQ(count_containing(errors, expected), 1u) << expected;
  }
  EXPECT_EQ(errors.size(), 9u);
  EXPECT_EQ(count_containing(errors, cut.substr(0, 8)), 0u);
  EXPECT_FALSE(parse_wg_quick("[Peer]\n", "empty.conf").ok());
}

GatewayConfig example() {
  LoadResult loaded =
      load_config_file(std::string(ACTORWIRE_SOURCE_DIR) + "/config/examples/gateway.toml");
  EXPECT_TRUE(loaded.ok());
  return *loaded.config;
}

TEST(WgQuickExport, IsThePeersSideWithoutAnySecret) {
  const GatewayConfig config = example();
  std::string error;
  const PeerConfig* peer = find_peer(config, "xTIBA5rb", error);
  ASSERT_NE(peer, nullptr) << error;
  const std::string text = peer_wg_quick(config, *peer);
  EXPECT_NE(text.find("[Interface]\n# PrivateKey = "), std::string::npos) << text;
  EXPECT_NE(text.find("Address = 10.0.0.2/24\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ListenPort = 51820\n"), std::string::npos) << text;
  EXPECT_NE(text.find("MTU = 1420\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[Peer]\nPublicKey = HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# PresharedKey = "), std::string::npos) << text;
  EXPECT_NE(text.find("Endpoint = 192.0.2.1:51820\n"), std::string::npos) << text;
  EXPECT_NE(text.find("AllowedIPs = 10.1.0.0/16, 10.0.0.1/32\n"), std::string::npos) << text;
  EXPECT_NE(text.find("PersistentKeepalive = 25\n"), std::string::npos) << text;
  // Neither our private key nor the preshared key, in base64 or hex.
  EXPECT_EQ(text.find("yAnz5TF+"), std::string::npos);
  EXPECT_EQ(text.find("/UwcSPg3"), std::string::npos);

  // The second peer: no tunnel address of ours, no keepalive.
  const std::string second = peer_wg_quick(config, *find_peer(config, "peer[1]", error));
  EXPECT_NE(second.find("# Address = "), std::string::npos) << second;
  EXPECT_EQ(second.find("PersistentKeepalive"), std::string::npos) << second;
  EXPECT_EQ(second.find("PresharedKey"), std::string::npos) << second;
  // Its endpoint is IPv6: so is ours for it.
  EXPECT_NE(second.find("Endpoint = [2001:db8::1]:51820\n"), std::string::npos) << second;
}

TEST(WgQuickExport, FindsPeersByKeyStartOrIndexOnly) {
  const GatewayConfig config = example();
  std::string error;
  EXPECT_EQ(find_peer(config, "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=", error),
            &config.peers[1]);
  EXPECT_EQ(find_peer(config, "peer[0]", error), &config.peers[0]);
  EXPECT_EQ(find_peer(config, "peer[2]", error), nullptr);
  EXPECT_NE(error.find("2 peer(s)"), std::string::npos) << error;
  EXPECT_EQ(find_peer(config, "xTI", error), nullptr);  // too short to be sure
  EXPECT_EQ(find_peer(config, "nobody", error), nullptr);
  EXPECT_NE(error.find("no peer"), std::string::npos) << error;
}

}  // namespace
}  // namespace actorwire::config
