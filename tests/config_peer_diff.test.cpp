// The reload diff: old and new configs compared peer by peer (keyed by public key), and every
// change that needs a restart refused with the new file's file:line:col of its key.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/load_config.hpp"
#include "config/peer_diff.hpp"

namespace actorwire::config {
namespace {

// Throw-away keys generated with `wg genkey` / `wg pubkey` for these tests only.
constexpr std::string_view kPrivateKey = "wPmvBLU5c/nPfy2zNSEyqwj/RGSUomdo8/AYAg6DYVA=";
constexpr std::string_view kOtherPrivateKey = "MFOGME3lQkxgFerFAGEGE2dgkxNL2ZcWa1pNb02uZXo=";
constexpr std::string_view kPeer1 = "JGVCW1mbOmJr05WJcm0PO9Wro9GDC8ygIRk26CIy7lc=";
constexpr std::string_view kPeer2 = "mdD5Z47dZdeEOsxD8g9vGrxvJrv1xl9lRPH39C9EmjU=";
constexpr std::string_view kPeer3 = "5h48jXCVl52smKC/xo002iqZn2M/HJOLUKoTSwOgghw=";
constexpr std::string_view kPresharedKey = "WLu2WobZ1Gbumkmzg1INL+CPNID0Jh++srPzA00R9m0=";

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

struct Peer {
  std::string_view key;
  std::string allowed_ips;
  std::string extra;  // further lines of the [[peer]] table
};

Peer peer(std::string_view key, std::string allowed_ips = "[\"10.20.0.0/16\"]",
          std::string extra = "") {
  return {key, std::move(allowed_ips), std::move(extra)};
}

std::string gateway(const std::vector<Peer>& peers, std::string_view topology_kind = "single",
                    std::string_view private_key = kPrivateKey) {
  std::string text = "[interface]\nprivate_key = " + quoted(private_key) +
                     "\nlisten_port = 51820\n"
                     "[[port]]\nrole = \"lan\"\ndevice = \"net_ring0\"\n"
                     "addresses = [\"10.10.0.1/24\"]\n"
                     "[[port]]\nrole = \"wan\"\ndevice = \"net_ring1\"\n"
                     "addresses = [\"192.0.2.1/24\"]\n"
                     "[topology]\nkind = " +
                     quoted(topology_kind) + "\n";
  for (const Peer& peer : peers) {
    text += "[[peer]]\npublic_key = " + quoted(peer.key) + "\nallowed_ips = " + peer.allowed_ips +
            "\n" + peer.extra;
  }
  return text;
}

GatewayConfig load(const std::string& text, std::string_view name = "new.toml") {
  auto loaded = load_config_string(text, name);
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  return loaded.ok() ? std::move(*loaded.config) : GatewayConfig{};
}

TEST(PeerDiff, SameConfigChangesNothing) {
  const auto running = load(gateway({peer(kPeer1), peer(kPeer2, "[\"10.30.0.0/16\"]")}));
  const auto next = load(gateway({peer(kPeer1), peer(kPeer2, "[\"10.30.0.0/16\"]")}));
  const PeerDiff diff = diff_peers(running, next);
  EXPECT_TRUE(diff.ok());
  EXPECT_TRUE(diff.empty());
  ASSERT_EQ(diff.unchanged.size(), 2u);
  EXPECT_EQ(diff.unchanged[1].old_index, 1u);
  EXPECT_EQ(diff.unchanged[1].new_index, 1u);
}

TEST(PeerDiff, AddedRemovedAndChangedPeersByPublicKeyWhateverTheOrder) {
  const auto running = load(gateway({peer(kPeer1), peer(kPeer2, "[\"10.30.0.0/16\"]")}));
  // Peer 2 moves first and gains a prefix, peer 1 goes, peer 3 comes.
  const auto next = load(gateway(
      {peer(kPeer2, "[\"10.30.0.0/16\", \"10.40.0.0/16\"]"), peer(kPeer3, "[\"10.50.0.0/16\"]")}));
  const PeerDiff diff = diff_peers(running, next);
  ASSERT_TRUE(diff.ok());
  EXPECT_EQ(diff.removed, (std::vector<std::size_t>{0}));
  EXPECT_EQ(diff.added, (std::vector<std::size_t>{1}));
  ASSERT_EQ(diff.changed.size(), 1u);
  EXPECT_EQ(diff.changed[0].old_index, 1u);
  EXPECT_EQ(diff.changed[0].new_index, 0u);
  EXPECT_EQ(diff.changed[0].what, (std::vector<std::string>{"allowed_ips"}));
  EXPECT_TRUE(diff.unchanged.empty());

  const auto lines = describe(diff, running, next);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "removed peer " + std::string(kPeer1));
  EXPECT_EQ(lines[1], "added peer " + std::string(kPeer3) + " (allowed_ips 10.50.0.0/16)");
  EXPECT_EQ(lines[2], "changed peer " + std::string(kPeer2) + ": allowed_ips");
}

TEST(PeerDiff, EndpointPresharedKeyAndKeepaliveAreChangesOfTheSamePeer) {
  const auto running = load(gateway({peer(kPeer1)}));
  const auto next = load(
      gateway({peer(kPeer1, "[\"10.20.0.0/16\"]",
                    "endpoint = \"192.0.2.9:51820\"\npreshared_key = " + quoted(kPresharedKey) +
                        "\npersistent_keepalive = 25\n")}));
  const PeerDiff diff = diff_peers(running, next);
  ASSERT_TRUE(diff.ok());
  ASSERT_EQ(diff.changed.size(), 1u);
  EXPECT_EQ(diff.changed[0].what,
            (std::vector<std::string>{"endpoint", "preshared_key", "persistent_keepalive"}));
  for (const auto& line : describe(diff, running, next)) {
    EXPECT_EQ(line.find(kPresharedKey), std::string::npos) << "key material in " << line;
  }
}

TEST(PeerDiff, TopologyChangeIsRefusedAtItsKey) {
  const auto running = load(gateway({peer(kPeer1)}));
  const std::string text = gateway({peer(kPeer1), peer(kPeer2, "[\"10.30.0.0/16\"]")}, "pipeline");
  const auto next = load(text);
  const PeerDiff diff = diff_peers(running, next);
  ASSERT_EQ(diff.refused.size(), 1u);
  const ConfigError& refusal = diff.refused[0];
  EXPECT_EQ(refusal.key, "topology.kind");
  EXPECT_EQ(refusal.file, "new.toml");
  // "kind = ..." is the line after "[topology]".
  int line = 1;
  for (std::size_t at = 0; at < text.find("kind ="); ++at) line += text[at] == '\n';
  EXPECT_EQ(refusal.line, line);
  EXPECT_EQ(refusal.column, 1);
  EXPECT_NE(refusal.to_string().find("needs a restart"), std::string::npos);
}

TEST(PeerDiff, PrivateKeyAndPortChangesAreRefusedAndNeverShowTheKey) {
  const auto running = load(gateway({peer(kPeer1)}));
  std::string text = gateway({peer(kPeer1)}, "single", kOtherPrivateKey);
  text.replace(text.find("net_ring1"), 9, "net_ring7");
  const auto next = load(text);
  const PeerDiff diff = diff_peers(running, next);
  ASSERT_EQ(diff.refused.size(), 2u);
  EXPECT_EQ(diff.refused[0].key, "interface.private_key");
  EXPECT_EQ(diff.refused[0].line, 2);
  EXPECT_EQ(diff.refused[1].key, "port[1].device");
  for (const auto& refusal : diff.refused) {
    EXPECT_EQ(refusal.to_string().find(kOtherPrivateKey), std::string::npos);
    EXPECT_EQ(refusal.to_string().find(kPrivateKey), std::string::npos);
  }
}

TEST(PeerDiff, ConfigBuiltInCodeIsRefusedWithoutPosition) {
  const auto running = load(gateway({peer(kPeer1)}));
  GatewayConfig next = running;
  next.key_positions.clear();
  next.interface.listen_port = 51821;
  const PeerDiff diff = diff_peers(running, next);
  ASSERT_EQ(diff.refused.size(), 1u);
  EXPECT_EQ(diff.refused[0].key, "interface.listen_port");
  EXPECT_EQ(diff.refused[0].line, 0);
}

}  // namespace
}  // namespace actorwire::config
