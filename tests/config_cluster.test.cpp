// A cluster file (config/cluster_config.hpp): the shipped example loads; TLS is required unless
// plain TCP is asked for by name; pins must name configured peers, at most once each; the
// explicit policy needs a pin per peer; the gateway file's checks (duplicate peers, overlapping
// prefixes) hold here too; errors carry file:line:col and never key text.
#include <gtest/gtest.h>

#include <string>

#include "config/cluster_config.hpp"
#include "crypto/keys.hpp"

namespace actorwire::config {
namespace {

std::string key_text(const crypto::SecretKey& key) {
  std::string out;
  crypto::append_base64(out, key);
  return out;
}

struct Keys {
  crypto::SecretKey identity = crypto::generate_private_key();
  std::string identity_text = key_text(identity);
  std::string peer_a = crypto::to_base64(crypto::derive_public_key(crypto::generate_private_key()));
  std::string peer_b = crypto::to_base64(crypto::derive_public_key(crypto::generate_private_key()));
};

std::string cluster_file(const Keys& keys, const std::string& controller_extra,
                         const std::string& assignment) {
  return "[interface]\nprivate_key = \"" + keys.identity_text +
         "\"\n\n[controller]\nlisten = \"127.0.0.1:4510\"\n" + controller_extra + "\n" +
         assignment + "\n[[peer]]\npublic_key = \"" + keys.peer_a +
         "\"\nallowed_ips = [\"10.1.0.0/16\"]\n\n[[peer]]\npublic_key = \"" + keys.peer_b +
         "\"\nallowed_ips = [\"10.2.0.0/16\"]\n";
}

std::string all_errors(const ClusterLoadResult& result) {
  std::string out;
  for (const auto& error : result.errors) out += error.to_string() + "\n";
  return out;
}

void expect_no_key_text(const ClusterLoadResult& result, const Keys& keys) {
  for (const auto& error : result.errors) {
    EXPECT_EQ(error.to_string().find(keys.identity_text), std::string::npos);
  }
  for (const auto& warning : result.warnings) {
    EXPECT_EQ(warning.find(keys.identity_text), std::string::npos);
  }
}

const char* const kPlain = "plain_tcp_for_tests = true\n";

TEST(ClusterConfig, ShippedExampleLoads) {
  const auto result =
      load_cluster_config_file(ACTORWIRE_SOURCE_DIR "/config/examples/cluster/cluster.toml");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const auto& config = *result.config;
  EXPECT_EQ(config.peers.size(), 3u);
  ASSERT_TRUE(config.controller.tls.has_value());
  EXPECT_EQ(config.controller.tls->ca, "/etc/actorwire/cluster-ca.pem");
  EXPECT_EQ(config.controller.node_timeout_ms, 3000u);
  EXPECT_EQ(config.controller.rejoin_hold_ms, 10000u);
  EXPECT_EQ(config.policy, AssignmentPolicy::kRendezvous);
  ASSERT_EQ(config.pins.size(), 1u);
  EXPECT_EQ(config.pins[0].node, "gw3");
  EXPECT_EQ(config.pins[0].peer, config.peers[2].public_key);
}

TEST(ClusterConfig, PlainTcpLoadsWithAWarning) {
  const Keys keys;
  const auto result = load_cluster_config_string(cluster_file(keys, kPlain, ""), "c.toml");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_TRUE(result.config->controller.plain_tcp_for_tests);
  EXPECT_FALSE(result.config->controller.tls.has_value());
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("without authentication"), std::string::npos);
  EXPECT_TRUE(result.config->private_key.equals(keys.identity));
  EXPECT_EQ(crypto::to_base64(result.config->peers[1].public_key), keys.peer_b);
}

TEST(ClusterConfig, TlsIsRequiredUnlessPlainTcpIsNamed) {
  const Keys keys;
  const auto result = load_cluster_config_string(cluster_file(keys, "", ""), "c.toml");
  ASSERT_FALSE(result.ok());
  const auto errors = all_errors(result);
  EXPECT_NE(errors.find("c.toml:4:1: controller: missing [controller.tls]"), std::string::npos)
      << errors;
  expect_no_key_text(result, keys);
}

TEST(ClusterConfig, TlsNeedsAllThreeFilesAndExcludesPlainTcp) {
  const Keys keys;
  const auto partial = load_cluster_config_string(
      cluster_file(keys, "[controller.tls]\ncertificate = \"c.pem\"\nkey = \"\"\n", ""), "c.toml");
  ASSERT_FALSE(partial.ok());
  const auto errors = all_errors(partial);
  EXPECT_NE(errors.find("controller.tls.key: expected a file name, got an empty string"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("controller.tls.ca: missing required key 'ca'"), std::string::npos)
      << errors;

  const auto both = load_cluster_config_string(
      cluster_file(
          keys,
          std::string(kPlain) +
              "[controller.tls]\ncertificate = \"c.pem\"\nkey = \"k.pem\"\nca = \"ca.pem\"\n",
          ""),
      "c.toml");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(all_errors(both).find("contradict"), std::string::npos) << all_errors(both);
}

TEST(ClusterConfig, PinsNameConfiguredPeersOnce) {
  const Keys keys;
  const std::string stranger =
      crypto::to_base64(crypto::derive_public_key(crypto::generate_private_key()));
  const auto result =
      load_cluster_config_string(cluster_file(keys, kPlain,
                                              "[assignment]\npin = [{ peer = \"" + keys.peer_a +
                                                  "\", node = \"gw1\" },\n"
                                                  "  { peer = \"" +
                                                  keys.peer_a +
                                                  "\", node = \"gw2\" },\n"
                                                  "  { peer = \"" +
                                                  stranger +
                                                  "\", node = \"gw2\" },\n"
                                                  "  { peer = \"" +
                                                  keys.peer_b + "\", node = \"no/slash\" }]\n"),
                                 "c.toml");
  ASSERT_FALSE(result.ok());
  const auto errors = all_errors(result);
  EXPECT_NE(errors.find("assignment.pin[1]: this peer is already pinned"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("assignment.pin[2]: pins a peer that no [[peer]] has"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("assignment.pin[3].node: expected a node name"), std::string::npos)
      << errors;
}

TEST(ClusterConfig, ExplicitPolicyNeedsAPinPerPeer) {
  const Keys keys;
  const auto result = load_cluster_config_string(
      cluster_file(keys, kPlain,
                   "[assignment]\npolicy = \"explicit\"\npin = [{ peer = \"" + keys.peer_a +
                       "\", node = \"gw1\" }]\n"),
      "c.toml");
  ASSERT_FALSE(result.ok());
  const auto errors = all_errors(result);
  EXPECT_NE(errors.find("peer[1]: no [[assignment.pin]] for this peer"), std::string::npos)
      << errors;
  EXPECT_EQ(errors.find("peer[0]:"), std::string::npos) << errors;
}

TEST(ClusterConfig, GatewayPeerChecksApply) {
  const Keys keys;
  std::string text = cluster_file(keys, kPlain, "");
  text += "\n[[peer]]\npublic_key = \"" + keys.peer_a + "\"\nallowed_ips = [\"10.2.0.0/16\"]\n";
  const auto result = load_cluster_config_string(text, "c.toml");
  ASSERT_FALSE(result.ok());
  const auto errors = all_errors(result);
  EXPECT_NE(errors.find("duplicate peer"), std::string::npos) << errors;
  EXPECT_NE(errors.find("10.2.0.0/16"), std::string::npos) << errors;
}

TEST(ClusterConfig, UnknownTablesAndGatewayOnlyKeysAreErrors) {
  const Keys keys;
  std::string text = cluster_file(keys, kPlain, "[assignment]\npolicy = \"roundrobin\"\n");
  text += "\n[topology]\nkind = \"single\"\n";
  text.replace(text.find("[controller]"), 0, "mtu = 1420\n\n");
  const auto result = load_cluster_config_string(text, "c.toml");
  ASSERT_FALSE(result.ok());
  const auto errors = all_errors(result);
  EXPECT_NE(errors.find("unknown table 'topology'"), std::string::npos) << errors;
  EXPECT_NE(errors.find("interface.mtu"), std::string::npos) << errors;
  EXPECT_NE(errors.find("unknown assignment policy 'roundrobin'"), std::string::npos) << errors;
  expect_no_key_text(result, keys);
}

TEST(ClusterConfig, StaticSessionsAreRefused) {
  const Keys keys;
  std::string text = cluster_file(keys, kPlain, "");
  text += "[peer.static_session]\nsend_key = \"" + keys.identity_text + "\"\nreceive_key = \"" +
          keys.identity_text + "\"\nsend_index = 1\nreceive_index = 2\n";
  const auto result = load_cluster_config_string(text, "c.toml");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(all_errors(result).find("peer[1].static_session: not in a cluster file"),
            std::string::npos)
      << all_errors(result);
  expect_no_key_text(result, keys);
}

TEST(ClusterConfig, BrokenTomlIsOneError) {
  const auto result = load_cluster_config_string("[controller\nlisten = 1", "c.toml");
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].to_string().find("c.toml:1:"), std::string::npos);
}

}  // namespace
}  // namespace actorwire::config
