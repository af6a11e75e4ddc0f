#include "actors/cluster/controller_actor.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "actors/cluster/cluster_messages.hpp"
#include "actors/cluster/peer_assignment.hpp"
#include "caf/io/all.hpp"
#include "caf/openssl/all.hpp"
#include "crypto/keys.hpp"

namespace actorwire::actors::cluster {
namespace {

struct NodeLink {
  caf::actor handle;
  ClusterClock::time_point last_heard{};
  std::vector<std::size_t> peers;  // what it was last told to serve
  std::uint64_t version = 0;       // of that assignment
};

struct ControllerState {
  std::unique_ptr<ControllerOptions> options;
  std::unique_ptr<PeerAssignment> assignment;
  std::map<std::string, NodeLink> nodes;
  std::uint64_t version = 0;
  // When a node waiting out its rejoin hold becomes eligible: the next reassignment.
  std::optional<ClusterClock::time_point> next_change;
};

using ControllerActor = caf::stateful_actor<ControllerState>;

void log(ControllerActor* self, const std::string& line) {
  if (self->state.options->log) self->state.options->log(line);
}

NodeAssignment assignment_for(ControllerActor* self, const std::vector<std::size_t>& peers) {
  const auto& config = self->state.options->config;
  NodeAssignment out;
  out.version = self->state.version;
  crypto::append_base64(out.private_key, config.private_key);
  out.listen_port = config.listen_port;
  for (const auto index : peers) out.peers.push_back(to_wire(config.peers[index]));
  return out;
}

// Tells every node whose share changed what it serves now.
void reassign(ControllerActor* self, ClusterClock::time_point now) {
  auto shares = peers_by_node(self->state.assignment->assign(now));
  self->state.next_change = self->state.assignment->next_change(now);
  ++self->state.version;
  for (auto& [name, link] : self->state.nodes) {
    auto& share = shares[name];  // empty for a node that serves nothing (yet)
    if (share == link.peers && link.version != 0) continue;
    link.peers = share;
    link.version = self->state.version;
    self->send(link.handle, assign_atom::value, assignment_for(self, share));
  }
}

// `name` by value: callers pass the key of the entry this erases.
void fail_node(ControllerActor* self, std::string name, const std::string& why) {
  const auto found = self->state.nodes.find(name);
  if (found == self->state.nodes.end()) return;
  const auto moving = found->second.peers.size();
  self->demonitor(found->second.handle);
  self->state.nodes.erase(found);
  self->state.assignment->node_down(name);
  log(self, "node " + name + " lost (" + why + "): its " + std::to_string(moving) +
                " peer(s) move to the others");
  reassign(self, ClusterClock::now());
}

caf::behavior controller_behavior(ControllerActor* self, ControllerOptions options) {
  const auto& config = options.config;
  std::vector<crypto::PublicKey> keys;
  for (const auto& peer : config.peers) keys.push_back(peer.public_key);
  self->state.assignment =
      std::make_unique<PeerAssignment>(config.policy, std::move(keys), config.pins,
                                       std::chrono::milliseconds(config.controller.rejoin_hold_ms));
  self->state.options = std::make_unique<ControllerOptions>(std::move(options));
  const auto timeout =
      std::chrono::milliseconds(self->state.options->config.controller.node_timeout_ms);
  const auto check_every = std::max(timeout / 4, std::chrono::milliseconds(10));

  self->set_down_handler([self](caf::down_msg& down) {
    for (const auto& [name, link] : self->state.nodes) {
      if (link.handle.address() == down.source) {
        fail_node(self, name, "connection closed");
        return;
      }
    }
  });
  self->delayed_send(self, check_every, check_atom::value);
  return {
      [self](join_atom, const std::string& name) -> caf::result<std::uint64_t> {
        if (!config::is_valid_instance_name(name)) {
          return caf::make_error(caf::sec::invalid_argument, "bad node name '" + name + "'");
        }
        auto node = caf::actor_cast<caf::actor>(self->current_sender());
        if (!node) return caf::make_error(caf::sec::invalid_argument, "join from no actor");
        const auto now = ClusterClock::now();
        if (const auto found = self->state.nodes.find(name); found != self->state.nodes.end()) {
          if (found->second.handle != node) {
            // The same name from a new connection: the old one is gone (a restarted node whose
            // connection drop has not been noticed yet) or the operator made a mistake; the
            // newest wins, and the old one gets nothing more.
            fail_node(self, name, "replaced by a new connection with the same name");
          }
        }
        self->monitor(node);
        self->state.nodes[name] = NodeLink{node, now, {}, 0};
        self->state.assignment->node_up(name, now);
        log(self, "node " + name + " joined" +
                      (self->state.assignment->eligible(name, now)
                           ? std::string()
                           : " (gets peers after the rejoin hold)"));
        reassign(self, now);
        return self->state.version;
      },
      [self](beat_atom, const std::string& name) {
        const auto found = self->state.nodes.find(name);
        if (found != self->state.nodes.end()) found->second.last_heard = ClusterClock::now();
      },
      [self, timeout, check_every](check_atom) {
        const auto now = ClusterClock::now();
        std::vector<std::string> silent;
        for (const auto& [name, link] : self->state.nodes) {
          if (now - link.last_heard > timeout) silent.push_back(name);
        }
        for (const auto& name : silent) {
          fail_node(self, name, "no beat for " + std::to_string(timeout.count()) + " ms");
        }
        if (self->state.next_change && *self->state.next_change <= now) reassign(self, now);
        self->delayed_send(self, check_every, check_atom::value);
      },
      [self](status_atom) {
        std::vector<std::string> lines;
        for (const auto& [name, link] : self->state.nodes) {
          std::string line = name + " " + std::to_string(link.version);
          for (const auto index : link.peers) {
            line += " " + crypto::to_base64(self->state.options->config.peers[index].public_key);
          }
          lines.push_back(std::move(line));
        }
        return lines;
      },
  };
}

}  // namespace

caf::actor spawn_cluster_controller(caf::actor_system& system, ControllerOptions options) {
  return system.spawn(controller_behavior, std::move(options));
}

caf::expected<std::uint16_t> publish_controller(caf::actor_system& system,
                                                const caf::actor& controller,
                                                const config::ClusterConfig& config) {
  const auto& listen = config.controller.listen;
  const std::string address = config::to_string(listen.address);
  if (config.controller.plain_tcp_for_tests) {
    return system.middleman().publish(controller, listen.port, address.c_str(), true);
  }
  return caf::openssl::publish(controller, listen.port, address.c_str(), true);
}

void prepare_cluster_system(caf::actor_system_config& system_config,
                            const config::ClusterTls* tls) {
  system_config.load<caf::io::middleman>();
  if (tls != nullptr) {
    system_config.load<caf::openssl::manager>();
    system_config.openssl_certificate = tls->certificate;
    system_config.openssl_key = tls->key;
    system_config.openssl_cafile = tls->ca;
  }
  add_cluster_message_types(system_config);
}

}  // namespace actorwire::actors::cluster
