// The UAPI's set=1 as wg(8) sends it (`wg set`, `wg syncconf`): the new peer set built from the
// running one, all or nothing; and the conversation hands a whole request to its set handler.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "apps/uapi_protocol.hpp"
#include "apps/uapi_set.hpp"
#include "config/load_config.hpp"
#include "crypto/keys.hpp"

namespace actorwire::apps {
namespace {

// Throw-away keys generated with `wg genkey` / `wg pubkey` for these tests only.
constexpr const char* kPrivateKey = "MFOGME3lQkxgFerFAGEGE2dgkxNL2ZcWa1pNb02uZXo=";
constexpr const char* kPeer1 = "JGVCW1mbOmJr05WJcm0PO9Wro9GDC8ygIRk26CIy7lc=";
constexpr const char* kPeer2 = "mdD5Z47dZdeEOsxD8g9vGrxvJrv1xl9lRPH39C9EmjU=";
constexpr const char* kPeer3 = "5h48jXCVl52smKC/xo002iqZn2M/HJOLUKoTSwOgghw=";

config::GatewayConfig running() {
  const std::string text =
      std::string("[interface]\nprivate_key = \"") + kPrivateKey +
      "\"\nlisten_port = 51820\n"
      "[[port]]\nrole = \"lan\"\ndevice = \"net_ring0\"\n"
      "[[port]]\nrole = \"wan\"\ndevice = \"net_ring1\"\naddresses = [\"192.0.2.1/24\"]\n"
      "[[peer]]\npublic_key = \"" +
      kPeer1 +
      "\"\nendpoint = \"192.0.2.2:51820\"\nallowed_ips = [\"10.20.0.0/16\"]\n"
      "[[peer]]\npublic_key = \"" +
      kPeer2 + "\"\nallowed_ips = [\"10.30.0.0/16\", \"10.31.0.0/16\"]\n";
  auto loaded = config::load_config_string(text, "running.toml");
  EXPECT_TRUE(loaded.ok());
  return loaded.ok() ? *loaded.config : config::GatewayConfig{};
}

std::string hex(const char* base64_key) {
  return crypto::to_hex(*crypto::parse_public_key_base64(base64_key));
}

std::string prefixes(const config::PeerConfig& peer) {
  std::string out;
  for (const auto& prefix : peer.allowed_ips) out += config::to_string(prefix) + " ";
  return out;
}

TEST(UapiSet, WgSetAddsAPeerAndMovesAPrefixLikeWireguard) {
  // `wg set aw0 peer <3> allowed-ips 10.31.0.0/16,10.40.0.1/16 endpoint 192.0.2.3:51820`
  const auto result =
      apply_uapi_set(running(), {"public_key=" + hex(kPeer3), "endpoint=192.0.2.3:51820",
                                 "replace_allowed_ips=true", "allowed_ip=10.31.0.0/16",
                                 "allowed_ip=10.40.0.1/16"});
  ASSERT_EQ(result.error, 0) << result.message;
  ASSERT_EQ(result.next.peers.size(), 3u);
  EXPECT_EQ(prefixes(result.next.peers[1]), "10.30.0.0/16 ") << "10.31/16 moved to the new peer";
  EXPECT_EQ(prefixes(result.next.peers[2]), "10.31.0.0/16 10.40.0.0/16 ") << "host bits masked";
  EXPECT_EQ(config::to_string(*result.next.peers[2].endpoint), "192.0.2.3:51820");
}

TEST(UapiSet, RemoveUpdateOnlyReplacePeersAndTheInterfaceKeysWgSyncconfSends) {
  auto result = apply_uapi_set(running(), {"public_key=" + hex(kPeer1), "remove=true"});
  ASSERT_EQ(result.error, 0) << result.message;
  ASSERT_EQ(result.next.peers.size(), 1u);
  EXPECT_EQ(crypto::to_base64(result.next.peers[0].public_key), kPeer2);

  // update_only: an unknown peer is not created, a known one is changed.
  result = apply_uapi_set(
      running(), {"public_key=" + hex(kPeer3), "update_only=true", "allowed_ip=10.50.0.0/16",
                  "public_key=" + hex(kPeer2), "update_only=true",
                  "persistent_keepalive_interval=25", "protocol_version=1"});
  ASSERT_EQ(result.error, 0) << result.message;
  ASSERT_EQ(result.next.peers.size(), 2u);
  EXPECT_EQ(result.next.peers[1].persistent_keepalive, 25);

  // What wg syncconf sends: the same private key and port (accepted), replace_peers, the file.
  const auto key = *crypto::parse_secret_key_base64(kPrivateKey);
  std::string private_hex;
  crypto::append_hex(private_hex, key);
  result = apply_uapi_set(running(),
                          {"private_key=" + private_hex, "listen_port=51820", "fwmark=0",
                           "replace_peers=true", "public_key=" + hex(kPeer2),
                           "preshared_key=" + std::string(64, '1'), "allowed_ip=10.30.0.0/16"});
  ASSERT_EQ(result.error, 0) << result.message;
  ASSERT_EQ(result.next.peers.size(), 1u);
  EXPECT_TRUE(result.next.peers[0].preshared_key.has_value());
  // An all-zero PSK is none.
  result = apply_uapi_set(running(),
                          {"public_key=" + hex(kPeer2), "preshared_key=" + std::string(64, '0')});
  ASSERT_EQ(result.error, 0);
  EXPECT_FALSE(result.next.peers[1].preshared_key.has_value());
}

TEST(UapiSet, MalformedOrUnsupportedInputIsAnErrnoAndNoPeerSet) {
  const std::vector<std::pair<std::vector<std::string>, int>> cases = {
      {{"public_key=zz"}, EINVAL},
      {{"public_key=" + hex(kPeer1), "endpoint=nowhere"}, EINVAL},
      {{"public_key=" + hex(kPeer1), "allowed_ip=10.0.0.0/33"}, EINVAL},
      {{"public_key=" + hex(kPeer1), "persistent_keepalive_interval=65536"}, EINVAL},
      {{"public_key=" + hex(kPeer1), "protocol_version=2"}, EINVAL},
      {{"public_key=" + hex(kPeer1), "remove=maybe"}, EINVAL},
      {{"public_key=" + hex(kPeer1), "no_such_key=1"}, EINVAL},
      {{"no_such_key=1"}, EINVAL},
      {{"listen_port=51821"}, EOPNOTSUPP},
      {{"private_key=" + std::string(64, 'a')}, EOPNOTSUPP},
      {{"fwmark=7"}, EOPNOTSUPP},
      {{"garbage"}, EINVAL},
  };
  for (const auto& [lines, error] : cases) {
    const auto result = apply_uapi_set(running(), lines);
    EXPECT_EQ(result.error, error) << lines.back();
    EXPECT_TRUE(result.next.peers.empty()) << "all or nothing: " << lines.back();
    EXPECT_EQ(result.message.find(std::string(64, 'a')), std::string::npos) << "no key text";
  }
  // The gateway's own public key as a peer.
  const auto own = crypto::derive_public_key(*crypto::parse_secret_key_base64(kPrivateKey));
  EXPECT_EQ(apply_uapi_set(running(), {"public_key=" + crypto::to_hex(own)}).error, EINVAL);
}

TEST(UapiConversation, HandsAWholeSetRequestToItsHandler) {
  std::vector<std::vector<std::string>> seen;
  UapiConversation conversation([](std::string& out) { out += "listen_port=1\n"; },
                                [&seen](const std::vector<std::string>& lines) {
                                  seen.push_back(lines);
                                  return lines.size() == 1 ? 0 : EINVAL;
                                });
  std::string out;
  conversation.feed("set=1\nlisten_port=2\n\nset=1\na=1\nb=2\n\nget=1\n\n", out);
  EXPECT_EQ(out, "errno=0\n\nerrno=-22\n\nlisten_port=1\nerrno=0\n\n");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::vector<std::string>{"listen_port=2"});
  EXPECT_EQ(seen[1].size(), 2u);
}

}  // namespace
}  // namespace actorwire::apps
