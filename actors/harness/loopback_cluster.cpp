#include "actors/harness/loopback_cluster.hpp"

#include <sodium.h>

#include <utility>

#include "actors/cluster/cluster_messages.hpp"
#include "actors/cluster/controller_actor.hpp"
#include "actors/cluster/node_agent.hpp"
#include "crypto/keys.hpp"

namespace actorwire::actors::harness {
namespace {

std::unique_ptr<caf::actor_system_config> small_system_config() {
  auto config = std::make_unique<caf::actor_system_config>();
  config->set("scheduler.max-threads", 1);
  cluster::prepare_cluster_system(*config, nullptr);
  return config;
}

std::string cluster_toml(std::size_t peers, std::chrono::milliseconds node_timeout,
                         std::chrono::milliseconds rejoin_hold, std::vector<std::string>& keys) {
  std::string identity;
  crypto::append_base64(identity, crypto::generate_private_key());
  std::string text = "[interface]\nprivate_key = \"" + identity +
                     "\"\n[controller]\nlisten = \"127.0.0.1:4510\"\nplain_tcp_for_tests = true\n"
                     "node_timeout_ms = " +
                     std::to_string(node_timeout.count()) +
                     "\nrejoin_hold_ms = " + std::to_string(rejoin_hold.count()) + "\n";
  for (std::size_t i = 0; i < peers; ++i) {
    const auto key = crypto::to_base64(crypto::derive_public_key(crypto::generate_private_key()));
    keys.push_back(key);
    const auto second = std::to_string(i / 256 % 256);
    const auto third = std::to_string(i % 256);
    text += "[[peer]]\npublic_key = \"" + key + "\"\nallowed_ips = [\"10." + second + "." + third +
            ".0/24\"]\nendpoint = \"192.0.2." + std::to_string(i % 250 + 1) + ":51820\"\n";
  }
  sodium_memzero(identity.data(), identity.size());
  return text;
}

}  // namespace

struct LoopbackCluster::Node {
  Node(const std::string& name, std::uint16_t port, std::chrono::milliseconds beat,
       const std::shared_ptr<Shared>& shared)
      : config(small_system_config()), system(std::make_unique<caf::actor_system>(*config)) {
    cluster::NodeAgentOptions options;
    options.name = name;
    options.controller_host = "127.0.0.1";
    options.controller_port = port;
    options.beat_interval = beat;
    options.retry = std::chrono::milliseconds(100);
    options.apply = [name, shared](cluster::NodeAssignment& assignment) {
      std::set<std::string> keys;
      for (auto& peer : assignment.peers) {
        std::string error;
        if (cluster::from_wire(peer, error)) keys.insert(peer.public_key);
      }
      std::lock_guard lock(shared->mutex);
      shared->served[name] = std::move(keys);
      shared->identities[name] = assignment.private_key;
    };
    agent = cluster::spawn_node_agent(*system, std::move(options));
  }
  ~Node() {
    caf::anon_send_exit(agent, caf::exit_reason::kill);
    agent = nullptr;
    system.reset();
  }
  std::unique_ptr<caf::actor_system_config> config;
  std::unique_ptr<caf::actor_system> system;
  caf::actor agent;
};

LoopbackCluster::LoopbackCluster(std::size_t peers, std::chrono::milliseconds node_timeout,
                                 std::chrono::milliseconds rejoin_hold) {
  const auto loaded = config::load_cluster_config_string(
      cluster_toml(peers, node_timeout, rejoin_hold, peer_keys_), "loopback-cluster.toml");
  if (!loaded.ok()) {
    error_ = loaded.errors.empty() ? "cannot load" : loaded.errors[0].to_string();
    return;
  }
  auto config = *loaded.config;
  config.controller.listen.port = 0;  // any free port: several clusters may run side by side
  controller_config_ = small_system_config();
  controller_system_ = std::make_unique<caf::actor_system>(*controller_config_);
  cluster::ControllerOptions options;
  options.config = config;
  options.log = [shared = shared_](const std::string& line) {
    std::lock_guard lock(shared->mutex);
    shared->log.push_back(line);
  };
  controller_ = cluster::spawn_cluster_controller(*controller_system_, std::move(options));
  const auto port = cluster::publish_controller(*controller_system_, controller_, config);
  if (!port) {
    error_ = controller_system_->render(port.error());
    return;
  }
  port_ = *port;
}

LoopbackCluster::~LoopbackCluster() {
  nodes_.clear();
  if (controller_) caf::anon_send_exit(controller_, caf::exit_reason::kill);
  controller_ = nullptr;
  controller_system_.reset();
}

void LoopbackCluster::start_node(const std::string& name, std::chrono::milliseconds beat) {
  nodes_[name] = std::make_unique<Node>(name, port_, beat, shared_);
}

void LoopbackCluster::kill_node(const std::string& name) {
  nodes_.erase(name);
  std::lock_guard lock(shared_->mutex);
  shared_->served.erase(name);  // a dead node serves nothing
}

void LoopbackCluster::mute_node(const std::string& name) {
  const auto found = nodes_.find(name);
  if (found != nodes_.end()) caf::anon_send(found->second->agent, cluster::mute_atom::value);
}

bool LoopbackCluster::covered_by(const std::set<std::string>& nodes) const {
  std::multiset<std::string> all;
  std::lock_guard lock(shared_->mutex);
  for (const auto& name : nodes) {
    const auto found = shared_->served.find(name);
    if (found == shared_->served.end() || found->second.empty()) return false;
    all.insert(found->second.begin(), found->second.end());
  }
  return all == std::multiset<std::string>(peer_keys_.begin(), peer_keys_.end());
}

std::map<std::string, std::set<std::string>> LoopbackCluster::served() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->served;
}

std::map<std::string, std::string> LoopbackCluster::identities() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->identities;
}

std::string LoopbackCluster::progress() const {
  std::string out;
  for (const auto& [name, keys] : served()) out += name + ":" + std::to_string(keys.size()) + " ";
  return out + "of " + std::to_string(peer_keys_.size()) + " peers";
}

std::vector<std::string> LoopbackCluster::log() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->log;
}

std::vector<std::string> LoopbackCluster::status() {
  std::vector<std::string> lines;
  caf::scoped_actor self{*controller_system_};
  self->request(controller_, caf::infinite, cluster::status_atom::value)
      .receive([&](std::vector<std::string>& reply) { lines = std::move(reply); },
               [&](caf::error& error) { lines = {"error: " + controller_system_->render(error)}; });
  return lines;
}

}  // namespace actorwire::actors::harness
