// Loading and validating gateway TOML: the shipped examples and the embedded default load
// cleanly; every kind of mistake is reported with its line, column, dotted key and a useful
// message that never repeats key material; a [topology] key the chosen kind does not read warns.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/default_config.hpp"
#include "config/load_config.hpp"
#include "crypto/keys.hpp"

namespace actorwire::config {
namespace {

// Throw-away keys generated with `wg genkey` / `wg pubkey` for these tests only.
constexpr std::string_view kPrivateKey = "wPmvBLU5c/nPfy2zNSEyqwj/RGSUomdo8/AYAg6DYVA=";
constexpr std::string_view kOwnPublicKey = "gBPVBOKsBDCJzw1uwLWrDOUBJMfkAJUW2KoEn9AIams=";
constexpr std::string_view kPeer1 = "JGVCW1mbOmJr05WJcm0PO9Wro9GDC8ygIRk26CIy7lc=";
constexpr std::string_view kPeer2 = "mdD5Z47dZdeEOsxD8g9vGrxvJrv1xl9lRPH39C9EmjU=";
constexpr std::string_view kSendKey = "CC77sjoSFSbYSadTPseP9fsnoHhwD3ag0DDa3nHvvVk=";
constexpr std::string_view kReceiveKey = "iM7vWAAcDyFuDG7lXk/sFsW/vEbnorWjqhs3JZi0W0M=";
constexpr std::string_view kPresharedKey = "WLu2WobZ1Gbumkmzg1INL+CPNID0Jh++srPzA00R9m0=";
constexpr std::string_view kAllKeys[] = {kPrivateKey, kOwnPublicKey, kPeer1,       kPeer2,
                                         kSendKey,    kReceiveKey,   kPresharedKey};

// A valid configuration; tests replace single lines so that line numbers stay put.
std::vector<std::string> base_lines() {
  return {
      "[interface]",                                                         // 1
      "private_key = \"" + std::string(kPrivateKey) + "\"",                  // 2
      "listen_port = 51820",                                                 // 3
      "addresses = [\"10.0.0.1/24\"]",                                       // 4
      "",                                                                    // 5
      "[[port]]",                                                            // 6
      "role = \"lan\"",                                                      // 7
      "device = \"net_ring0\"",                                              // 8
      "addresses = [\"10.10.0.1/24\"]",                                      // 9
      "",                                                                    // 10
      "[[port]]",                                                            // 11
      "role = \"wan\"",                                                      // 12
      "device = \"net_ring1\"",                                              // 13
      "addresses = [\"192.0.2.1/24\"]",                                      // 14
      "next_hop = \"192.0.2.2\"",                                            // 15
      "neighbours = [{ ip = \"192.0.2.2\", mac = \"02:00:00:00:02:02\" }]",  // 16
      "",                                                                    // 17
      "[[peer]]",                                                            // 18
      "public_key = \"" + std::string(kPeer1) + "\"",                        // 19
      "endpoint = \"192.0.2.2:51820\"",                                      // 20
      "allowed_ips = [\"10.20.0.0/16\"]",                                    // 21
      "",                                                                    // 22
      "[[peer]]",                                                            // 23
      "public_key = \"" + std::string(kPeer2) + "\"",                        // 24
      "allowed_ips = [\"10.30.0.0/16\", \"fd00:30::/48\"]",                  // 25
      "",                                                                    // 26
      "[topology]",                                                          // 27
      "kind = \"single\"",                                                   // 28
      "",                                                                    // 29
      "[crypto]",                                                            // 30
      "aead = \"openssl\"",                                                  // 31
      "",                                                                    // 32
      "[generator]",                                                         // 33
      "flows = 16",                                                          // 34
      "packet_sizes = [64]",                                                 // 35
  };
}

std::string join(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

std::string base() {
  return join(base_lines());
}

// The base text with 1-based line `line` replaced.
std::string with_line(int line, const std::string& replacement) {
  auto lines = base_lines();
  lines.at(static_cast<std::size_t>(line - 1)) = replacement;
  return join(lines);
}

std::string with_lines(std::initializer_list<std::pair<int, std::string>> replacements) {
  auto lines = base_lines();
  for (const auto& [line, text] : replacements) {
    lines.at(static_cast<std::size_t>(line - 1)) = text;
  }
  return join(lines);
}

// Every loader result passes through here: no message or warning may contain key text (nor a
// long piece of it).
void expect_no_key_text(const LoadResult& result) {
  std::vector<std::string> texts = result.warnings;
  for (const auto& error : result.errors) texts.push_back(error.to_string());
  for (const auto& text : texts) {
    for (const auto key : kAllKeys) {
      for (std::size_t at = 0; at + 12 <= key.size(); ++at) {
        EXPECT_EQ(text.find(key.substr(at, 12)), std::string::npos)
            << "message leaks key material: " << text;
      }
    }
  }
}

LoadResult load(const std::string& text) {
  auto result = load_config_string(text, "test.toml");
  expect_no_key_text(result);
  EXPECT_EQ(result.ok(), result.errors.empty());
  return result;
}

std::string describe(const LoadResult& result) {
  std::string out;
  for (const auto& error : result.errors) out += "  error: " + error.to_string() + "\n";
  for (const auto& warning : result.warnings) out += "  " + warning + "\n";
  return out;
}

// Asserts that loading fails with an error on `line` for `key` whose message contains
// `substring`, and returns that error.
ConfigError expect_error(const std::string& text, int line, std::string_view key,
                         std::string_view substring) {
  const auto result = load(text);
  EXPECT_FALSE(result.ok());
  for (const auto& error : result.errors) {
    if (error.line == line && error.key == key &&
        error.message.find(substring) != std::string::npos) {
      EXPECT_EQ(error.file, "test.toml");
      return error;
    }
  }
  ADD_FAILURE() << "no error at line " << line << " for '" << key << "' containing '" << substring
                << "'; got:\n"
                << describe(result);
  return {};
}

TEST(ConfigLoad, BaseConfigLoads) {
  const auto result = load(base());
  ASSERT_TRUE(result.ok()) << describe(result);
  EXPECT_TRUE(result.warnings.empty()) << describe(result);
  const auto& config = *result.config;
  EXPECT_EQ(config.source, "test.toml");
  EXPECT_EQ(config.interface.listen_port, 51820);
  EXPECT_EQ(config.interface.mtu, 1420);
  ASSERT_EQ(config.interface.addresses.size(), 1u);
  EXPECT_EQ(to_string(config.interface.addresses[0]), "10.0.0.1/24");
  EXPECT_TRUE(crypto::derive_public_key(config.interface.private_key) ==
              *crypto::parse_public_key_base64(kOwnPublicKey));

  ASSERT_EQ(config.ports.size(), 2u);
  const auto* lan = config.port(PortRole::kLan);
  const auto* wan = config.port(PortRole::kWan);
  ASSERT_NE(lan, nullptr);
  ASSERT_NE(wan, nullptr);
  EXPECT_EQ(lan->device, "net_ring0");
  EXPECT_EQ(wan->device, "net_ring1");
  EXPECT_FALSE(wan->mac.has_value());
  ASSERT_TRUE(wan->next_hop.has_value());
  EXPECT_EQ(to_string(*wan->next_hop), "192.0.2.2");
  ASSERT_EQ(wan->neighbours.size(), 1u);
  EXPECT_EQ(to_string(wan->neighbours[0].mac), "02:00:00:00:02:02");

  ASSERT_EQ(config.peers.size(), 2u);
  EXPECT_EQ(config.peers[0].public_key, *crypto::parse_public_key_base64(kPeer1));
  ASSERT_TRUE(config.peers[0].endpoint.has_value());
  EXPECT_EQ(to_string(*config.peers[0].endpoint), "192.0.2.2:51820");
  EXPECT_FALSE(config.peers[1].endpoint.has_value());
  ASSERT_EQ(config.peers[1].allowed_ips.size(), 2u);
  EXPECT_EQ(to_string(config.peers[1].allowed_ips[1]), "fd00:30::/48");
  EXPECT_FALSE(config.peers[0].static_session.has_value());
  EXPECT_FALSE(config.peers[0].preshared_key.has_value());

  // Defaults for what the file leaves out.
  EXPECT_EQ(config.dpdk.eal_args,
            (std::vector<std::string>{"--no-huge", "-m", "1024", "--no-pci"}));
  EXPECT_EQ(config.dpdk.mbuf_count, 8192u);
  EXPECT_EQ(config.dpdk.idle_backoff_max_us, 2000u);
  EXPECT_EQ(config.topology.kind, TopologyKind::kSingle);
  EXPECT_EQ(config.topology.batch_size, 32u);
  EXPECT_EQ(config.topology.mailbox_capacity, 8u);
  EXPECT_EQ(config.topology.backoff_min_us, 1u);
  EXPECT_EQ(config.topology.backoff_max_us, 1000u);
  EXPECT_FALSE(config.topology.ordered);
  EXPECT_EQ(config.crypto.aead, crypto::AeadKind::kOpenSsl);
  EXPECT_EQ(config.generator.flows, 16u);
  EXPECT_EQ(config.generator.packet_sizes, (std::vector<std::uint16_t>{64}));
  EXPECT_EQ(config.generator.rate_pps, 0u);
  EXPECT_TRUE(config.generator.enabled);
}

TEST(ConfigLoad, AllKeysAreRead) {
  auto text = with_lines({
      {3, "listen_port = 4242\nname = \"edge-1.b_2\""},
      {4, "addresses = [\"10.0.0.1/24\", \"fd00::1/64\"]\nmtu = 1280"},
      {8, "device = \"net_tap0,iface=aw0\"\nmac = \"02:AA:00:00:00:01\""},
      {20, "endpoint = \"[2001:db8::2]:51821\"\npreshared_key = \"" + std::string(kPresharedKey) +
               "\"\npersistent_keepalive = 25"},
      {28,
       "kind = \"pipeline\"\ncrypto_workers = 8\nbatch_size = 64\nmailbox_capacity = 16\n"
       "backoff_min_us = 5\nbackoff_max_us = 50\nordered = true"},
      {31, "aead = \"libsodium\""},
      {35, "packet_sizes = [64, 1280]\nrate_pps = 1000000\nmax_packets = 5000000\nenabled = false"},
  });
  text += "\n[peer.static_session]\nsend_key = \"" + std::string(kSendKey) +
          "\"\nreceive_key = \"" + std::string(kReceiveKey) +
          "\"\nsend_index = 4294967295\nreceive_index = 7\n"
          "\n[dpdk]\neal_args = [\"-l\", \"0-1\"]\nmbuf_count = 16384\nrx_descriptors = 512\n"
          "tx_descriptors = 2048\nidle_backoff_max_us = 0\n";
  const auto result = load(text);
  ASSERT_TRUE(result.ok()) << describe(result);
  const auto& config = *result.config;
  EXPECT_EQ(config.interface.listen_port, 4242);
  EXPECT_EQ(config.interface.name, "edge-1.b_2");
  EXPECT_EQ(config.interface.mtu, 1280);
  EXPECT_EQ(config.interface.addresses.size(), 2u);
  EXPECT_EQ(config.ports[0].device, "net_tap0,iface=aw0");
  EXPECT_EQ(to_string(*config.ports[0].mac), "02:aa:00:00:00:01");
  EXPECT_EQ(to_string(*config.peers[0].endpoint), "[2001:db8::2]:51821");
  ASSERT_TRUE(config.peers[0].preshared_key.has_value());
  EXPECT_TRUE(
      config.peers[0].preshared_key->equals(*crypto::parse_secret_key_base64(kPresharedKey)));
  EXPECT_EQ(config.peers[0].persistent_keepalive, 25);
  EXPECT_EQ(config.topology.kind, TopologyKind::kPipeline);
  EXPECT_EQ(config.topology.crypto_workers, 8u);
  EXPECT_EQ(config.topology.batch_size, 64u);
  EXPECT_EQ(config.topology.mailbox_capacity, 16u);
  EXPECT_EQ(config.topology.backoff_min_us, 5u);
  EXPECT_EQ(config.topology.backoff_max_us, 50u);
  EXPECT_TRUE(config.topology.ordered);
  EXPECT_EQ(config.crypto.aead, crypto::AeadKind::kLibsodium);
  EXPECT_EQ(config.generator.packet_sizes, (std::vector<std::uint16_t>{64, 1280}));
  EXPECT_EQ(config.generator.rate_pps, 1000000u);
  EXPECT_EQ(config.generator.max_packets, 5000000u);
  // The static session belongs to the last [[peer]] (site 2).
  EXPECT_FALSE(config.peers[0].static_session.has_value());
  ASSERT_TRUE(config.peers[1].static_session.has_value());
  const auto& session = *config.peers[1].static_session;
  EXPECT_TRUE(session.send_key.equals(*crypto::parse_secret_key_base64(kSendKey)));
  EXPECT_TRUE(session.receive_key.equals(*crypto::parse_secret_key_base64(kReceiveKey)));
  EXPECT_EQ(session.send_index, 4294967295u);
  EXPECT_EQ(session.receive_index, 7u);
  EXPECT_EQ(config.dpdk.eal_args, (std::vector<std::string>{"-l", "0-1"}));
  EXPECT_EQ(config.dpdk.mbuf_count, 16384u);
  EXPECT_EQ(config.dpdk.rx_descriptors, 512);
  EXPECT_EQ(config.dpdk.tx_descriptors, 2048);
  EXPECT_EQ(config.dpdk.idle_backoff_max_us, 0u);
  EXPECT_FALSE(config.generator.enabled);
}

TEST(ConfigLoad, ShippedExamplesLoad) {
  const std::filesystem::path directory = ACTORWIRE_SOURCE_DIR "/config/examples";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    const auto result = load_config_file(entry.path().string());
    expect_no_key_text(result);
    EXPECT_TRUE(result.ok()) << describe(result);
    // The only acceptable warning is about file permissions (checkouts are usually 0644).
    for (const auto& warning : result.warnings) {
      EXPECT_NE(warning.find("readable by group or others"), std::string::npos) << warning;
    }
  }
  EXPECT_GE(files, 1);
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

TEST(ConfigLoad, ReadmeQuotesTheExample) {
  const auto readme = read_file(ACTORWIRE_SOURCE_DIR "/config/README.md");
  const auto example = read_file(ACTORWIRE_SOURCE_DIR "/config/examples/gateway.toml");
  ASSERT_FALSE(example.empty());
  EXPECT_NE(readme.find("```toml\n" + example + "```"), std::string::npos)
      << "config/README.md must quote config/examples/gateway.toml verbatim";
}

TEST(ConfigLoad, DefaultConfigLoads) {
  const auto text = default_config_toml();
  const auto result = load_config_string(text, "<embedded default>");
  ASSERT_TRUE(result.ok()) << describe(result);
  EXPECT_TRUE(result.warnings.empty()) << describe(result);
  const auto& config = *result.config;
  EXPECT_EQ(config.source, "<embedded default>");
  ASSERT_NE(config.port(PortRole::kLan), nullptr);
  ASSERT_NE(config.port(PortRole::kWan), nullptr);
  EXPECT_EQ(config.port(PortRole::kLan)->device, "net_ring0");
  EXPECT_EQ(to_string(config.port(PortRole::kLan)->addresses.at(0)), "10.10.0.1/24");
  const auto* wan = config.port(PortRole::kWan);
  EXPECT_EQ(wan->device, "net_ring1");
  EXPECT_EQ(to_string(wan->addresses.at(0)), "192.0.2.1/24");
  EXPECT_EQ(to_string(*wan->next_hop), "192.0.2.2");
  ASSERT_EQ(wan->neighbours.size(), 1u);
  EXPECT_EQ(to_string(wan->neighbours[0].address), "192.0.2.2");
  ASSERT_EQ(config.peers.size(), 1u);
  EXPECT_EQ(to_string(*config.peers[0].endpoint), "192.0.2.2:51820");
  ASSERT_EQ(config.peers[0].allowed_ips.size(), 1u);
  EXPECT_EQ(to_string(config.peers[0].allowed_ips[0]), "10.20.0.0/16");
  ASSERT_TRUE(config.peers[0].static_session.has_value());
  EXPECT_FALSE(
      config.peers[0].static_session->send_key.equals(config.peers[0].static_session->receive_key));
  EXPECT_EQ(config.topology.kind, TopologyKind::kSingle);
  EXPECT_EQ(config.crypto.aead, crypto::AeadKind::kAuto);
  EXPECT_EQ(config.generator.flows, 16u);
  EXPECT_EQ(config.generator.packet_sizes, (std::vector<std::uint16_t>{64}));
  // It is meant to be read: commented.
  EXPECT_NE(text.find("\n# "), std::string::npos);

  // Fresh keys on every call.
  const auto again = load_config_string(default_config_toml(), "<embedded default>");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.config->interface.private_key.equals(config.interface.private_key));
  EXPECT_FALSE(again.config->peers[0].public_key == config.peers[0].public_key);
}

TEST(ConfigLoad, SyntaxError) {
  const auto result = load(with_line(20, "endpoint = \"192.0.2.2:51820"));
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u) << describe(result);
  EXPECT_EQ(result.errors[0].line, 20);
  EXPECT_GT(result.errors[0].column, 0);
  EXPECT_NE(result.errors[0].message.find("TOML syntax error"), std::string::npos);
  EXPECT_EQ(result.errors[0].to_string().rfind("test.toml:20:", 0), 0u);

  expect_error(with_line(34, "flows = = 16"), 34, "", "TOML syntax error");
  // A table defined twice is a TOML error too.
  expect_error(with_line(30, "[topology]"), 30, "", "TOML syntax error");
}

TEST(ConfigLoad, SyntaxErrorNeverEchoesAKey) {
  // Unquoted keys, which toml++ tries to read as bare values or numbers.
  expect_error(with_line(2, "private_key = " + std::string(kPrivateKey)), 2, "",
               "TOML syntax error");
  expect_error(with_line(2, "private_key = 1234567890123456789012345"), 2, "", "TOML syntax error");
  const auto result = load(with_line(2, "private_key = 12345678901234567890123456789"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.errors[0].message.find("12345678901234567890123456789"), std::string::npos)
      << describe(result);
}

TEST(ConfigLoad, TheInstanceNameBecomesAFileNameSoOnlySafeCharacters) {
  EXPECT_EQ(load(with_line(3, "listen_port = 51820")).config->interface.name, "aw0")
      << "the default";
  for (const char* bad :
       {"\"\"", "\"../etc\"", "\"a/b\"", "\"..\"", "\"sixteen-chars-xx\"", "\"with space\""}) {
    expect_error(with_line(3, std::string("name = ") + bad), 3, "interface.name",
                 "expected 1 to 15 letters, digits");
  }
}

TEST(ConfigLoad, TheUserToRunAsIsANameWithItsPosition) {
  EXPECT_FALSE(load(with_line(3, "listen_port = 51820")).config->interface.user) << "the default";
  const auto loaded = load(with_line(3, "user = \"actorwire\""));
  ASSERT_TRUE(loaded.ok()) << describe(loaded);
  EXPECT_EQ(loaded.config->interface.user, "actorwire");
  EXPECT_EQ(loaded.config->interface.user_at.file, "test.toml");
  EXPECT_EQ(loaded.config->interface.user_at.line, 3);
  EXPECT_EQ(loaded.config->interface.user_at.column, 8);
  for (const char* good : {"\"_apt\"", "\"systemd-network\"", "\"nobody\""}) {
    EXPECT_TRUE(load(with_line(3, std::string("user = ") + good)).ok()) << good;
  }
  for (const char* bad : {"\"\"", "\"Root\"", "\"-x\"", "\"1abc\"", "\"a b\"", "\"../x\"",
                          "\"thirty-three-characters-long-name\"", "0"}) {
    const auto result = load(with_line(3, std::string("user = ") + bad));
    EXPECT_FALSE(result.ok()) << bad;
    bool at_key = false;
    for (const auto& error : result.errors)
      at_key |= error.key == "interface.user" && error.line == 3;
    EXPECT_TRUE(at_key) << bad << ":\n" << describe(result);
  }
}

TEST(ConfigLoad, UnknownKeys) {
  const auto error = expect_error(with_line(28, "kinds = \"single\""), 28, "topology.kinds",
                                  "unknown key 'kinds' in [topology]");
  EXPECT_EQ(error.column, 1);
  EXPECT_NE(error.message.find("did you mean 'kind'?"), std::string::npos) << error.message;

  expect_error(with_line(3, "listenport = 51820"), 3, "interface.listenport",
               "unknown key 'listenport' in [interface]; did you mean 'listen_port'?");
  expect_error(with_line(21, "allowed_ip = [\"10.20.0.0/16\"]"), 21, "peer[0].allowed_ip",
               "unknown key 'allowed_ip' in [[peer]]");
  expect_error(with_line(13, "dev = \"net_ring1\""), 13, "port[1].dev",
               "unknown key 'dev' in [[port]]");
  expect_error(with_line(16, "neighbours = [{ ip = \"192.0.2.2\", mak = \"02:00:00:00:02:02\" }]"),
               16, "port[1].neighbours[0].mak", "unknown key 'mak'");
  expect_error(with_line(31, "aed = \"openssl\""), 31, "crypto.aed",
               "unknown key 'aed' in [crypto]");
  expect_error(with_line(34, "flow = 16"), 34, "generator.flow",
               "unknown key 'flow' in [generator]");
  expect_error(base() + "[dpdk]\neal_arg = []\n", 37, "dpdk.eal_arg",
               "unknown key 'eal_arg' in [dpdk]");
  expect_error(base() + "[peer.static_session]\nsend_key = \"" + std::string(kSendKey) +
                   "\"\nreceive_key = \"" + std::string(kReceiveKey) +
                   "\"\nsend_index = 1\nreceive_index = 2\nsend_idx = 1\n",
               41, "peer[1].static_session.send_idx",
               "unknown key 'send_idx' in [peer.static_session]");
  expect_error(with_line(27, "[topolgy]"), 27, "topolgy",
               "unknown table 'topolgy'; did you mean 'topology'?");
  expect_error("mtu = 1420\n" + base(), 1, "mtu", "unknown key 'mtu' at the top level");
}

TEST(ConfigLoad, WrongTypes) {
  expect_error(with_line(3, "listen_port = \"51820\""), 3, "interface.listen_port",
               "expected an integer from 1 to 65535, got a string");
  expect_error(with_line(34, "flows = 1.5"), 34, "generator.flows",
               "expected an integer from 1 to 65536, got a floating-point number");
  expect_error(with_line(4, "addresses = \"10.0.0.1/24\""), 4, "interface.addresses",
               "expected an array");
  expect_error(with_line(21, "allowed_ips = [10]"), 21, "peer[0].allowed_ips[0]",
               "expected a string (a CIDR prefix), got an integer");
  expect_error(with_line(2, "private_key = 42"), 2, "interface.private_key",
               "expected a string (a base64 key), got an integer");
  expect_error(with_line(28, "ordered = \"yes\""), 28, "topology.ordered", "expected a boolean");
  expect_error(with_lines({{6, "[port]"}, {11, "[port2]"}}), 6, "port",
               "write [[port]] instead of [port]");
  expect_error(with_line(16, "neighbours = [\"192.0.2.2\"]"), 16, "port[1].neighbours[0]",
               "expected a table");
}

TEST(ConfigLoad, BadKeys) {
  // Right length, not base64.
  auto error =
      expect_error(with_line(2, "private_key = \"wPmvBLU5c/nPfy2zNSEyqwj/RGSUomdo8/AYAg6DY!A=\""),
                   2, "interface.private_key", "invalid base64");
  EXPECT_EQ(error.column, 15);
  EXPECT_NE(error.message.find("wg genkey"), std::string::npos);
  // Cut short.
  expect_error(with_line(2, "private_key = \"" + std::string(kPrivateKey.substr(0, 40)) + "\""), 2,
               "interface.private_key", "got 40 characters");
  // A 48-byte (64-character) value.
  expect_error(with_line(19, "public_key = \"" + std::string(kPeer1) +
                                 std::string(kPeer2.substr(0, 20)) + "\""),
               19, "peer[0].public_key", "got 64 characters");
  expect_error(with_line(20, "preshared_key = \"" + std::string(kPresharedKey.substr(1)) + "\""),
               20, "peer[0].preshared_key", "wg genpsk");
  expect_error(with_line(2, "private_key = \"\""), 2, "interface.private_key", "got 0 characters");
}

TEST(ConfigLoad, BadAddresses) {
  expect_error(with_line(21, "allowed_ips = [\"10.20.0.0/33\"]"), 21, "peer[0].allowed_ips[0]",
               "'10.20.0.0/33' is not a CIDR prefix");
  const auto error =
      expect_error(with_line(21, "allowed_ips = [\"10.20.0.0/16\", \"10.21.0.1/16\"]"), 21,
                   "peer[0].allowed_ips[1]",
                   "'10.21.0.1/16' has host bits set beyond /16; did you mean "
                   "'10.21.0.0/16'?");
  EXPECT_EQ(error.column, 32);
  expect_error(with_line(25, "allowed_ips = [\"fd00:30::1/48\"]"), 25, "peer[1].allowed_ips[0]",
               "did you mean 'fd00:30::/48'?");
  expect_error(with_line(4, "addresses = [\"10.0.0.1/40\"]"), 4, "interface.addresses[0]",
               "is not an address with prefix length");
  expect_error(with_line(15, "next_hop = \"192.0.2.300\""), 15, "port[1].next_hop",
               "'192.0.2.300' is not an IP address");
  expect_error(with_line(16, "neighbours = [{ ip = \"192.0.2.2\", mac = \"02:00:00:00:02\" }]"), 16,
               "port[1].neighbours[0].mac", "is not a MAC address");
  expect_error(with_line(16, "neighbours = [{ mac = \"02:00:00:00:02:02\" }]"), 16,
               "port[1].neighbours[0].ip", "missing required key 'ip'");
  expect_error(with_line(8, "device = \"net_ring0\"\nmac = \"02:00:00:00:00\""), 9, "port[0].mac",
               "is not a MAC address");
  expect_error(with_line(20, "endpoint = \"192.0.2.2\""), 20, "peer[0].endpoint",
               "'192.0.2.2' is not an endpoint");
  expect_error(with_line(20, "endpoint = \"2001:db8::2:51820\""), 20, "peer[0].endpoint",
               "[2001:db8::2]:51820");
  expect_error(with_line(20, "endpoint = \"vpn.example.com:51820\""), 20, "peer[0].endpoint",
               "host names are not resolved");
}

TEST(ConfigLoad, UnknownTopologyKind) {
  const auto error = expect_error(with_line(28, "kind = \"parallel\""), 28, "topology.kind",
                                  "unknown topology kind 'parallel'");
  EXPECT_NE(error.message.find("'single', 'workers-mutex', 'workers-spinlock', 'pipeline'"),
            std::string::npos)
      << error.message;
  EXPECT_EQ(error.column, 8);
}

// The base text with [topology] holding `kind_line` and then every other [topology] key, one a
// line from line 29 on, in kTopologyKeys order.
std::string with_all_topology_keys(const std::string& kind_line) {
  std::string topology = kind_line;
  const std::string values[] = {"crypto_workers = 2", "batch_size = 16",     "mailbox_capacity = 4",
                                "backoff_min_us = 2", "backoff_max_us = 20", "ordered = true",
                                "io = \"scheduled\""};
  for (const auto& value : values) topology += "\n" + value;
  return with_line(28, topology);
}

TEST(ConfigLoad, TopologyKeysTheKindDoesNotReadWarnOnceEach) {
  struct Case {
    std::string_view kind;
    std::vector<std::string> warnings;
  };
  const std::string workers = "(read only by: workers-mutex, workers-spinlock, pipeline)";
  const Case cases[] = {
      {"single",
       {"test.toml:29:1: topology.crypto_workers: ignored by kind \"single\" " + workers,
        "test.toml:31:1: topology.mailbox_capacity: ignored by kind \"single\" (read only by: "
        "pipeline)",
        "test.toml:32:1: topology.backoff_min_us: ignored by kind \"single\" (read only by: "
        "pipeline)",
        "test.toml:33:1: topology.backoff_max_us: ignored by kind \"single\" (read only by: "
        "pipeline)",
        "test.toml:34:1: topology.ordered: ignored by kind \"single\" (read only by: pipeline)",
        "test.toml:35:1: topology.io: ignored by kind \"single\" " + workers}},
      {"workers-mutex",
       {"test.toml:31:1: topology.mailbox_capacity: ignored by kind \"workers-mutex\" (read "
        "only by: pipeline)",
        "test.toml:32:1: topology.backoff_min_us: ignored by kind \"workers-mutex\" (read only "
        "by: pipeline)",
        "test.toml:33:1: topology.backoff_max_us: ignored by kind \"workers-mutex\" (read only "
        "by: pipeline)",
        "test.toml:34:1: topology.ordered: ignored by kind \"workers-mutex\" (read only by: "
        "pipeline)"}},
      {"workers-spinlock",
       {"test.toml:31:1: topology.mailbox_capacity: ignored by kind \"workers-spinlock\" (read "
        "only by: pipeline)",
        "test.toml:32:1: topology.backoff_min_us: ignored by kind \"workers-spinlock\" (read "
        "only by: pipeline)",
        "test.toml:33:1: topology.backoff_max_us: ignored by kind \"workers-spinlock\" (read "
        "only by: pipeline)",
        "test.toml:34:1: topology.ordered: ignored by kind \"workers-spinlock\" (read only by: "
        "pipeline)"}},
      {"pipeline", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.kind);
    const auto result = load(with_all_topology_keys("kind = \"" + std::string(c.kind) + "\""));
    ASSERT_TRUE(result.ok()) << describe(result);
    EXPECT_EQ(result.warnings, c.warnings) << describe(result);
    // Ignored or not, every value is still validated and stored.
    EXPECT_EQ(result.config->topology.crypto_workers, 2u);
    EXPECT_TRUE(result.config->topology.ordered);
  }
}

TEST(ConfigLoad, TopologyKeysTheKindReadsDoNotWarn) {
  // Only what single reads.
  auto result = load(with_line(28, "kind = \"single\"\nbatch_size = 16"));
  ASSERT_TRUE(result.ok()) << describe(result);
  EXPECT_TRUE(result.warnings.empty()) << describe(result);
  // Whatever each kind reads, per the table.
  for (const auto& kind : kTopologyKinds) {
    SCOPED_TRACE(kind.name);
    result = load(with_all_topology_keys("kind = \"" + std::string(kind.name) + "\""));
    ASSERT_TRUE(result.ok()) << describe(result);
    std::size_t unread = 0;
    for (const auto& key : kTopologyKeys) {
      const bool warned = std::any_of(
          result.warnings.begin(), result.warnings.end(), [&](const std::string& warning) {
            return warning.find("topology." + std::string(key.name) + ":") != std::string::npos;
          });
      EXPECT_EQ(warned, !topology_kind_reads(kind.kind, key.key)) << key.name;
      unread += topology_kind_reads(kind.kind, key.key) ? 0 : 1;
    }
    EXPECT_EQ(result.warnings.size(), unread) << describe(result);
  }
}

TEST(ConfigLoad, TopologyKeysWithTheDefaultKind) {
  // No kind: the default, single, decides what is ignored, and the warning says so.
  const auto result = load(with_line(28, "ordered = true"));
  ASSERT_TRUE(result.ok()) << describe(result);
  ASSERT_EQ(result.warnings.size(), 1u) << describe(result);
  EXPECT_EQ(result.warnings[0],
            "test.toml:28:1: topology.ordered: ignored by kind \"single\" (the default; read "
            "only by: pipeline)");
}

TEST(ConfigLoad, TopologyKeysWithAnUnknownKindOnlyError) {
  // Which keys an unknown kind reads is unknown: the error alone, no guesses.
  const auto result = load(with_all_topology_keys("kind = \"parallel\""));
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u) << describe(result);
  EXPECT_EQ(result.errors[0].key, "topology.kind");
  EXPECT_TRUE(result.warnings.empty()) << describe(result);
}

// Whether a comment line of `text` starts with the quoted `name` ("#   \"pipeline\" ...").
bool comment_lists(const std::string& text, std::string_view name) {
  const std::string quoted_name = "\"" + std::string(name) + "\"";
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = std::min(text.find('\n', at), text.size());
    const std::string_view line(text.data() + at, end - at);
    const auto first = line.find_first_not_of("# ");
    if (line.starts_with('#') && first != std::string_view::npos &&
        line.substr(first).starts_with(quoted_name)) {
      return true;
    }
    at = end + 1;
  }
  return false;
}

TEST(ConfigLoad, EveryTopologyKindIsDocumented) {
  const auto example = read_file(ACTORWIRE_SOURCE_DIR "/config/examples/gateway.toml");
  const auto default_text = default_config_toml();
  for (const auto& kind : kTopologyKinds) {
    EXPECT_TRUE(comment_lists(example, kind.name)) << kind.name << " in the example";
    EXPECT_TRUE(comment_lists(default_text, kind.name)) << kind.name << " in the default";
    EXPECT_NE(default_text.find(std::string(kind.summary)), std::string::npos) << kind.name;
  }
}

// [metrics] listen: off by default; "ip:port" or "[v6]:port"; anything else is an error at
// the value's position.
TEST(ConfigLoad, MetricsListen) {
  EXPECT_FALSE(load(base()).config->metrics.listen.has_value()) << "off by default";
  auto with_listen = [](const std::string& value) {
    return base() + "\n[metrics]\nlisten = " + value + "\n";  // the listen line is line 38
  };
  const auto v4 = load(with_listen("\"127.0.0.1:9586\""));
  ASSERT_TRUE(v4.ok()) << describe(v4);
  EXPECT_EQ(to_string(*v4.config->metrics.listen), "127.0.0.1:9586");
  const auto v6 = load(with_listen("\"[::1]:19586\""));
  ASSERT_TRUE(v6.ok()) << describe(v6);
  EXPECT_EQ(to_string(*v6.config->metrics.listen), "[::1]:19586");
  EXPECT_TRUE(v6.config->metrics.listen->address.is_v6);
  for (const char* bad : {"\"localhost:9586\"", "\"127.0.0.1\"", "\"127.0.0.1:0\"",
                          "\"127.0.0.1:65536\"", "\"::1:9586\"", "\"[127.0.0.1]:9586\"", "\"\""}) {
    const auto error = expect_error(with_listen(bad), 38, "metrics.listen",
                                    "is not a listen address (expected \"ip:port\"");
    EXPECT_EQ(error.column, 10) << bad;
  }
  expect_error(with_listen("9586"), 38, "metrics.listen", "expected");
  expect_error(base() + "\n[metrics]\nlisen = \"127.0.0.1:9586\"\n", 38, "metrics.lisen",
               "did you mean 'listen'?");
}

TEST(ConfigLoad, BadAead) {
  const auto error = expect_error(
      with_line(31, "aead = \"boringssl\""), 31, "crypto.aead",
      "unknown AEAD back-end 'boringssl'; expected one of 'auto', 'ipsec-mb', 'openssl', "
      "'libsodium'");
  EXPECT_EQ(error.column, 8);  // file:line:col points at the value
  expect_error(with_line(31, "aead = \"ipsec_mb\""), 31, "crypto.aead",
               "unknown AEAD back-end 'ipsec_mb'");
  expect_error(with_line(31, "aead = \"AUTO\""), 31, "crypto.aead", "unknown AEAD back-end");
}

TEST(ConfigLoad, EveryAeadChoice) {
  const std::pair<const char*, crypto::AeadKind> choices[] = {
      {"auto", crypto::AeadKind::kAuto},
      {"ipsec-mb", crypto::AeadKind::kIpsecMb},
      {"openssl", crypto::AeadKind::kOpenSsl},
      {"libsodium", crypto::AeadKind::kLibsodium},
  };
  for (const auto& [name, kind] : choices) {
    const auto result = load(with_line(31, std::string("aead = \"") + name + "\""));
    ASSERT_TRUE(result.ok()) << name << describe(result);
    EXPECT_EQ(result.config->crypto.aead, kind) << name;
  }
  // Without the key (or the whole [crypto] table): auto.
  const auto result = load(with_line(31, ""));
  ASSERT_TRUE(result.ok()) << describe(result);
  EXPECT_EQ(result.config->crypto.aead, crypto::AeadKind::kAuto);
}

TEST(ConfigLoad, DuplicatePeer) {
  expect_error(with_line(24, "public_key = \"" + std::string(kPeer1) + "\""), 24,
               "peer[1].public_key", "duplicate peer: the same public key as peer[0]");
}

TEST(ConfigLoad, PeerWithOurOwnKey) {
  expect_error(with_line(24, "public_key = \"" + std::string(kOwnPublicKey) + "\""), 24,
               "peer[1].public_key", "the gateway's own public key");
}

TEST(ConfigLoad, SamePrefixOnTwoPeers) {
  expect_error(with_line(25, "allowed_ips = [\"10.30.0.0/16\", \"10.20.0.0/16\"]"), 25,
               "peer[1].allowed_ips[1]", "10.20.0.0/16 is already an allowed IP of peer[0]");
  // Spelled differently, the same prefix.
  expect_error(with_lines({{21, "allowed_ips = [\"10.20.0.0/16\", \"fd00:20::/48\"]"},
                           {25, "allowed_ips = [\"FD00:20:0::/48\"]"}}),
               25, "peer[1].allowed_ips[0]", "fd00:20::/48 is already an allowed IP of peer[0]");
  // The error names where the first peer listed it.
  expect_error(with_line(25, "allowed_ips = [\"10.20.0.0/16\"]"), 25, "peer[1].allowed_ips[0]",
               "(peer[0].allowed_ips[0] at line 21:16)");
  // A more specific prefix inside another peer's is legal (longest prefix wins): one warning
  // naming both peers and the outer prefix's line.
  const auto result = load(with_line(25, "allowed_ips = [\"10.20.5.0/24\"]"));
  ASSERT_TRUE(result.ok()) << describe(result);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find(":25:"), std::string::npos) << result.warnings[0];
  EXPECT_NE(result.warnings[0].find("10.20.5.0/24 of peer[1] lies inside 10.20.0.0/16 of peer[0] "
                                    "(peer[0].allowed_ips[0] at line 21:16); the longest prefix "
                                    "wins, so its traffic goes to peer[1]"),
            std::string::npos)
      << result.warnings[0];
  // Several nested pairs, either order, both families: still one warning, counting the others.
  const auto several = load(with_lines(
      {{21, "allowed_ips = [\"10.20.0.0/16\", \"fd00:20::/48\", \"10.9.9.0/24\"]"},
       {25, "allowed_ips = [\"10.20.5.0/24\", \"fd00:20:0:7::/64\", \"10.9.0.0/16\"]"}}));
  ASSERT_TRUE(several.ok()) << describe(several);
  ASSERT_EQ(several.warnings.size(), 1u);
  EXPECT_NE(several.warnings[0].find("(2 more prefix(es) lie inside another peer's)"),
            std::string::npos)
      << several.warnings[0];
  // Nested prefixes of one peer, and disjoint prefixes of two, say nothing.
  const auto own = load(with_line(21, "allowed_ips = [\"10.20.0.0/16\", \"10.20.7.0/24\"]"));
  ASSERT_TRUE(own.ok()) << describe(own);
  EXPECT_TRUE(own.warnings.empty()) << own.warnings.front();
  // Twice on the same peer only warns.
  const auto twice = load(with_line(21, "allowed_ips = [\"10.20.0.0/16\", \"10.20.0.0/16\"]"));
  ASSERT_TRUE(twice.ok()) << describe(twice);
  ASSERT_EQ(twice.warnings.size(), 1u);
  EXPECT_NE(twice.warnings[0].find("listed twice"), std::string::npos);
}

TEST(ConfigLoad, Ports) {
  // Missing role: reported at the [[port]] header, and no extra "no lan port" error.
  auto result = load(with_line(7, ""));
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u) << describe(result);
  EXPECT_EQ(result.errors[0].line, 6);
  EXPECT_EQ(result.errors[0].key, "port[0].role");
  EXPECT_NE(result.errors[0].message.find("missing required key 'role'"), std::string::npos);

  expect_error(with_line(7, "role = \"inside\""), 7, "port[0].role",
               "unknown port role 'inside'; expected 'lan' or 'wan'");
  expect_error(with_line(13, ""), 11, "port[1].device", "missing required key 'device'");
  expect_error(with_line(13, "device = \"net_ring0\""), 13, "port[1].device",
               "device 'net_ring0' is already used by port[0]");

  // Two lan ports: the second is an error, and the wan port is missing.
  result = load(with_line(12, "role = \"lan\""));
  ASSERT_FALSE(result.ok());
  expect_error(with_line(12, "role = \"lan\""), 12, "port[1].role", "a second lan port");
  expect_error(with_line(12, "role = \"lan\""), 6, "port", "no [[port]] with role = \"wan\"");

  // No ports at all.
  auto lines = base_lines();
  for (int line = 6; line <= 16; ++line) lines[static_cast<std::size_t>(line - 1)] = "";
  expect_error(join(lines), 0, "port", "missing [[port]] tables");
}

// A dual-stack port: one next hop per family, as one address or a list.
TEST(ConfigLoad, NextHopPerFamily) {
  auto result = load(with_line(15, "next_hop = [\"192.0.2.2\", \"2001:db8::fe\"]"));
  ASSERT_TRUE(result.ok()) << describe(result);
  const auto* wan = result.config->port(PortRole::kWan);
  ASSERT_NE(wan, nullptr);
  EXPECT_EQ(wan->next_hop, parse_ip_address("192.0.2.2"));
  EXPECT_EQ(wan->next_hop_v6, parse_ip_address("2001:db8::fe"));

  result = load(with_line(15, "next_hop = \"2001:db8::fe\""));
  ASSERT_TRUE(result.ok()) << describe(result);
  wan = result.config->port(PortRole::kWan);
  EXPECT_FALSE(wan->next_hop.has_value());
  EXPECT_EQ(wan->next_hop_v6, parse_ip_address("2001:db8::fe"));

  expect_error(with_line(15, "next_hop = [\"192.0.2.2\", \"192.0.2.3\"]"), 15,
               "port[1].next_hop[1]", "a second IPv4 next hop");
  expect_error(with_line(15, "next_hop = [\"2001:db8::1\", \"nonsense\"]"), 15,
               "port[1].next_hop[1]", "");
}

TEST(ConfigLoad, MissingRequired) {
  expect_error(with_line(2, ""), 1, "interface.private_key", "missing required key 'private_key'");
  expect_error(with_line(19, ""), 18, "peer[0].public_key", "missing required key 'public_key'");
  auto lines = base_lines();
  lines[0] = lines[1] = lines[2] = lines[3] = "";
  expect_error(join(lines), 0, "interface", "missing required table [interface]");
}

TEST(ConfigLoad, OutOfRange) {
  expect_error(with_line(3, "mtu = 100"), 3, "interface.mtu",
               "expected an integer from 576 to 9000, got 100 (out of range)");
  expect_error(with_line(3, "listen_port = 70000"), 3, "interface.listen_port", "1 to 65535");
  expect_error(with_line(28, "batch_size = 0"), 28, "topology.batch_size", "1 to 256");
  expect_error(with_line(28, "crypto_workers = 65"), 28, "topology.crypto_workers", "1 to 64");
  expect_error(with_line(28, "mailbox_capacity = 2000"), 28, "topology.mailbox_capacity",
               "1 to 1024");
  expect_error(with_line(28, "backoff_min_us = 10\nbackoff_max_us = 5"), 29,
               "topology.backoff_max_us", "must be at least backoff_min_us (10)");
  expect_error(with_line(28, "backoff_min_us = 2000"), 28, "topology.backoff_min_us",
               "must be at least backoff_min_us");
  expect_error(with_line(21, "persistent_keepalive = 70000"), 21, "peer[0].persistent_keepalive",
               "0 to 65535");
  expect_error(with_line(34, "flows = 0"), 34, "generator.flows", "1 to 65536");
  expect_error(with_line(35, "packet_sizes = [64, 20]"), 35, "generator.packet_sizes[1]",
               "28 to 1500");
  expect_error(with_line(35, "packet_sizes = []"), 35, "generator.packet_sizes",
               "at least one packet size");
  expect_error(with_line(35, "rate_pps = -1"), 35, "generator.rate_pps", "got -1");
  expect_error(base() + "[dpdk]\nmbuf_count = 512\n", 37, "dpdk.mbuf_count", "1024 to");
  expect_error(base() + "[dpdk]\nrx_descriptors = 1000\n", 37, "dpdk.rx_descriptors",
               "expected a power of two from 32 to 32768, got 1000");
  expect_error(base() + "[dpdk]\ntx_descriptors = 65536\n", 37, "dpdk.tx_descriptors",
               "power of two");
  expect_error(base() + "[dpdk]\nidle_backoff_max_us = 10001\n", 37, "dpdk.idle_backoff_max_us",
               "0 to 10000, got 10001");
  expect_error(base() + "[dpdk]\nidle_backoff_max_us = -1\n", 37, "dpdk.idle_backoff_max_us",
               "got -1");
  expect_error(base() + "[dpdk]\nidle_backoff_max_us = \"100us\"\n", 37, "dpdk.idle_backoff_max_us",
               "integer");
  expect_error(with_line(35, "enabled = 0"), 35, "generator.enabled", "boolean");
}

TEST(ConfigLoad, StaticSession) {
  const std::string session = "\n[peer.static_session]\nsend_key = \"" + std::string(kSendKey) +
                              "\"\nreceive_key = \"" + std::string(kReceiveKey) + "\"\n";
  // Lines 37..: [peer.static_session] is on line 37, belonging to peer[1].
  expect_error(base() + session + "send_index = 1\n", 37, "peer[1].static_session.receive_index",
               "missing required key 'receive_index'");
  expect_error(base() + session + "send_index = -1\nreceive_index = 1\n", 40,
               "peer[1].static_session.send_index", "0 to 4294967295");
  expect_error(base() + "\n[peer.static_session]\nsend_key = \"AAAA\"\nreceive_key = \"" +
                   std::string(kReceiveKey) + "\"\nsend_index = 1\nreceive_index = 2\n",
               38, "peer[1].static_session.send_key", "got 4 characters");

  // The same receive_index on two peers.
  auto lines = base_lines();
  lines[20] += "\n[peer.static_session]\nsend_key = \"" + std::string(kSendKey) +
               "\"\nreceive_key = \"" + std::string(kReceiveKey) +
               "\"\nsend_index = 1\nreceive_index = 9";
  expect_error(join(lines) + session + "send_index = 2\nreceive_index = 9\n", 46,
               "peer[1].static_session.receive_index", "already used by peer[0]");
}

TEST(ConfigLoad, CollectsAllErrors) {
  const auto result = load(with_lines({
      {3, "listen_port = 0"},
      {15, "next_hop = \"nowhere\""},
      {21, "allowed_ips = [\"10.20.0.1/16\"]"},
      {28, "kind = \"fast\""},
      {31, "aead = \"none\""},
  }));
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 5u) << describe(result);
  // In file order.
  const int lines[] = {3, 15, 21, 28, 31};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(result.errors[i].line, lines[i]);
}

TEST(ConfigLoad, ErrorToString) {
  const ConfigError error{"gw.toml", 3, 15, "interface.mtu", "expected an integer"};
  EXPECT_EQ(error.to_string(), "gw.toml:3:15: interface.mtu: expected an integer");
  const ConfigError no_position{"gw.toml", 0, 0, "", "cannot read file"};
  EXPECT_EQ(no_position.to_string(), "gw.toml: cannot read file");
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/actorwire_config_test_XXXXXX";
    const int fd = ::mkstemp(name);
    EXPECT_GE(fd, 0);
    ::close(fd);
    path_ = name;
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ConfigLoad, AnEndlessFileIsRefusedNotReadUntilMemoryRunsOut) {
  // It was read until std::bad_alloc (`actorwire check -c /dev/zero`).
  const auto result = load_config_file("/dev/zero");
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].to_string(), "/dev/zero: cannot read file: larger than 64 MiB");
}

TEST(ConfigLoad, FilePermissionWarning) {
  TempFile file(base());
  ASSERT_EQ(::chmod(file.path().c_str(), 0600), 0);
  auto result = load_config_file(file.path());
  expect_no_key_text(result);
  ASSERT_TRUE(result.ok()) << describe(result);
  EXPECT_TRUE(result.warnings.empty()) << describe(result);
  EXPECT_EQ(result.config->source, file.path());

  ASSERT_EQ(::chmod(file.path().c_str(), 0644), 0);
  result = load_config_file(file.path());
  expect_no_key_text(result);
  ASSERT_TRUE(result.ok()) << describe(result);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("readable by group or others"), std::string::npos);
  EXPECT_NE(result.warnings[0].find("0644"), std::string::npos);
  EXPECT_NE(result.warnings[0].find("chmod 600"), std::string::npos);

  // Group-only access is enough to warn, and the warning survives validation errors.
  TempFile broken(with_line(28, "kind = \"fast\""));
  ASSERT_EQ(::chmod(broken.path().c_str(), 0640), 0);
  result = load_config_file(broken.path());
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].file, broken.path());
  EXPECT_EQ(result.errors[0].line, 28);
  EXPECT_EQ(result.warnings.size(), 1u);
}

TEST(ConfigLoad, UnreadableFile) {
  auto result = load_config_file("/nonexistent/actorwire/gateway.toml");
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].file, "/nonexistent/actorwire/gateway.toml");
  EXPECT_EQ(result.errors[0].line, 0);
  EXPECT_NE(result.errors[0].message.find("cannot read file: No such file"), std::string::npos);

  result = load_config_file(ACTORWIRE_SOURCE_DIR "/config");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].message.find("cannot read file: Is a directory"), std::string::npos);
}

TEST(ConfigLoad, ReadsFromAPipe) {
  // Not a regular file, so the size is unknown and the buffer grows while reading.
  const std::string path = "/tmp/actorwire_config_test_fifo_" + std::to_string(::getpid());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const std::string text = base() + "# " + std::string(20000, 'x') + "\n";
  std::thread writer([&] { std::ofstream(path) << text; });
  const auto result = load_config_file(path);
  writer.join();
  std::filesystem::remove(path);
  EXPECT_TRUE(result.ok()) << describe(result);
  EXPECT_TRUE(result.warnings.empty()) << describe(result);
}

}  // namespace
}  // namespace actorwire::config
