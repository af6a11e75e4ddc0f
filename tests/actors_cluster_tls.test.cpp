// The cluster's control plane with mutual TLS (caf_openssl), as deployed: certificates made by
// the openssl tool for the test (a cluster CA signing the controller and one node, and a rogue
// self-signed node). The node with a CA-signed certificate joins and gets its peers; the rogue
// one, started after it, is refused during the TLS handshake and never joins.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "actors/cluster/cluster_messages.hpp"
#include "actors/cluster/controller_actor.hpp"
#include "actors/cluster/node_agent.hpp"
#include "caf/all.hpp"
#include "config/cluster_config.hpp"
#include "crypto/keys.hpp"
#include "tests/poll_until.hpp"

namespace actorwire::actors::cluster {
namespace {

using namespace std::chrono_literals;
using test_support::poll_until;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "aw-cluster-tls-XXXXXX");
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    if (!path_.empty()) std::filesystem::remove_all(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs the openssl tool quietly; true on success.
bool openssl(const std::string& arguments) {
  return std::system(("openssl " + arguments + " >/dev/null 2>&1").c_str()) == 0;
}

const char* const kEcKey = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

// `name`.pem/.key signed by the CA in `dir` (ca.pem, ca.key).
bool make_signed(const std::string& dir, const std::string& name) {
  const std::string base = dir + "/" + name;
  return openssl(std::string("req ") + kEcKey + " -keyout " + base + ".key -out " + base +
                 ".csr -subj /CN=" + name) &&
         openssl("x509 -req -in " + base + ".csr -CA " + dir + "/ca.pem -CAkey " + dir +
                 "/ca.key -CAcreateserial -out " + base + ".pem -days 1");
}

bool make_self_signed(const std::string& dir, const std::string& name) {
  const std::string base = dir + "/" + name;
  return openssl(std::string("req -x509 ") + kEcKey + " -keyout " + base + ".key -out " + base +
                 ".pem -days 1 -subj /CN=" + name);
}

config::ClusterTls tls_files(const std::string& dir, const std::string& name) {
  return {dir + "/" + name + ".pem", dir + "/" + name + ".key", dir + "/ca.pem"};
}

struct Joined {
  std::mutex mutex;
  std::size_t peers = 0;
  bool assigned = false;
};

struct TlsNode {
  TlsNode(const config::ClusterTls& tls, const std::string& name, std::uint16_t port,
          Joined& joined) {
    system_config.set("scheduler.max-threads", 1);
    prepare_cluster_system(system_config, &tls);
    system = std::make_unique<caf::actor_system>(system_config);
    NodeAgentOptions options;
    options.name = name;
    options.controller_host = "127.0.0.1";
    options.controller_port = port;
    options.tls = true;
    options.retry = 100ms;
    options.apply = [&joined](NodeAssignment& assignment) {
      std::lock_guard lock(joined.mutex);
      joined.assigned = true;
      joined.peers = assignment.peers.size();
    };
    agent = spawn_node_agent(*system, std::move(options));
  }
  ~TlsNode() {
    caf::anon_send_exit(agent, caf::exit_reason::kill);
    agent = nullptr;
    system.reset();
  }
  caf::actor_system_config system_config;
  std::unique_ptr<caf::actor_system> system;
  caf::actor agent;
};

TEST(ClusterTls, ACaSignedNodeJoinsARogueOneIsRefused) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  ASSERT_TRUE(openssl(std::string("req -x509 ") + kEcKey + " -keyout " + dir.path() +
                      "/ca.key -out " + dir.path() + "/ca.pem -days 1 -subj /CN=cluster-ca"))
      << "the openssl tool could not make a CA";
  ASSERT_TRUE(make_signed(dir.path(), "controller"));
  ASSERT_TRUE(make_signed(dir.path(), "gw1"));
  ASSERT_TRUE(make_self_signed(dir.path(), "rogue"));

  std::string identity;
  crypto::append_base64(identity, crypto::generate_private_key());
  const auto peer = crypto::to_base64(crypto::derive_public_key(crypto::generate_private_key()));
  const auto controller_tls = tls_files(dir.path(), "controller");
  const auto loaded = config::load_cluster_config_string(
      "[interface]\nprivate_key = \"" + identity +
          "\"\n[controller]\nlisten = \"127.0.0.1:4510\"\n[controller.tls]\ncertificate = \"" +
          controller_tls.certificate + "\"\nkey = \"" + controller_tls.key + "\"\nca = \"" +
          controller_tls.ca + "\"\n[[peer]]\npublic_key = \"" + peer +
          "\"\nallowed_ips = [\"10.1.0.0/16\"]\n",
      "tls.toml");
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  auto config = *loaded.config;
  config.controller.listen.port = 0;  // any free port

  caf::actor_system_config controller_config;
  controller_config.set("scheduler.max-threads", 1);
  prepare_cluster_system(controller_config, &*config.controller.tls);
  auto controller_system = std::make_unique<caf::actor_system>(controller_config);
  ControllerOptions options;
  options.config = config;
  auto controller = spawn_cluster_controller(*controller_system, options);
  const auto port = publish_controller(*controller_system, controller, config);
  ASSERT_TRUE(port) << controller_system->render(port.error());

  {
    // The good node first, until it has its peer: the join over TLS works.
    Joined good_joined;
    TlsNode good(tls_files(dir.path(), "gw1"), "gw1", *port, good_joined);
    ASSERT_TRUE(poll_until(
        10s, "the CA-signed node to get its peer over TLS",
        [&] {
          std::lock_guard lock(good_joined.mutex);
          return good_joined.peers == 1;
        },
        [] { std::this_thread::sleep_for(10ms); }));
    // Then the rogue one. Its refusal has no message of its own on this side; what shows it is
    // that after several of its attempts it has no assignment and the controller knows only gw1.
    Joined rogue_joined;
    TlsNode rogue(tls_files(dir.path(), "rogue"), "gw9", *port, rogue_joined);
    std::this_thread::sleep_for(500ms);  // five of the rogue's retries
    {
      std::lock_guard lock(rogue_joined.mutex);
      EXPECT_FALSE(rogue_joined.assigned) << "a node with a certificate outside the CA joined";
    }
    caf::scoped_actor self{*controller_system};
    self->request(controller, 10s, status_atom::value)
        .receive(
            [&](std::vector<std::string>& lines) {
              ASSERT_EQ(lines.size(), 1u);
              EXPECT_EQ(lines[0].rfind("gw1 ", 0), 0u) << lines[0];
            },
            [&](caf::error& error) { ADD_FAILURE() << controller_system->render(error); });
  }
  caf::anon_send_exit(controller, caf::exit_reason::kill);
  controller = nullptr;
  controller_system.reset();
}

}  // namespace
}  // namespace actorwire::actors::cluster
