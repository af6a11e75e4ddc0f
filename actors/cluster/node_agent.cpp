#include "actors/cluster/node_agent.hpp"

#include <memory>
#include <set>
#include <utility>

#include "caf/io/all.hpp"
#include "caf/openssl/all.hpp"

namespace actorwire::actors::cluster {
namespace {

using connect_retry_atom = caf::atom_constant<caf::atom("clretry")>;

struct NodeAgentState {
  std::unique_ptr<NodeAgentOptions> options;
  caf::actor controller;
  std::uint64_t applied_version = 0;
  bool muted = false;
  bool connecting = false;
};

using NodeAgent = caf::stateful_actor<NodeAgentState>;

void log(NodeAgent* self, const std::string& line) {
  if (self->state.options->log) self->state.options->log(line);
}

void connect(NodeAgent* self) {
  if (self->state.connecting || self->state.controller) return;
  self->state.connecting = true;
  const auto& options = *self->state.options;
  caf::io::middleman_actor middleman = options.tls ? self->system().openssl_manager().actor_handle()
                                                   : self->system().middleman().actor_handle();
  self->request(middleman, caf::infinite, caf::connect_atom::value, options.controller_host,
                options.controller_port)
      .then(
          [self](const caf::node_id&, caf::strong_actor_ptr& controller,
                 const std::set<std::string>&) {
            self->state.connecting = false;
            if (!controller) {
              log(self, "the controller's port has no actor published; retrying");
              self->delayed_send(self, self->state.options->retry, connect_retry_atom::value);
              return;
            }
            self->state.controller = caf::actor_cast<caf::actor>(std::move(controller));
            self->monitor(self->state.controller);
            self->request(self->state.controller, caf::infinite, join_atom::value,
                          self->state.options->name)
                .then([self](std::uint64_t) { log(self, "joined the controller"); },
                      [self](const caf::error& error) {
                        log(self,
                            "the controller refused the join: " + self->system().render(error));
                      });
          },
          [self](const caf::error& error) {
            self->state.connecting = false;
            log(self,
                "cannot reach the controller: " + self->system().render(error) + "; retrying");
            self->delayed_send(self, self->state.options->retry, connect_retry_atom::value);
          });
}

caf::behavior node_agent_behavior(NodeAgent* self, NodeAgentOptions options) {
  self->state.options = std::make_unique<NodeAgentOptions>(std::move(options));
  self->set_down_handler([self](caf::down_msg& down) {
    if (self->state.controller && self->state.controller.address() == down.source) {
      self->state.controller = nullptr;
      log(self, "lost the controller; serving the current peers and reconnecting");
      self->delayed_send(self, self->state.options->retry, connect_retry_atom::value);
    }
  });
  connect(self);
  self->delayed_send(self, self->state.options->beat_interval, check_atom::value);
  return {
      [self](assign_atom, NodeAssignment& assignment) {
        if (assignment.version <= self->state.applied_version) return;  // stale
        self->state.applied_version = assignment.version;
        if (self->state.options->apply) self->state.options->apply(assignment);
      },
      [self](connect_retry_atom) { connect(self); },
      [self](check_atom) {
        if (self->state.controller && !self->state.muted) {
          self->send(self->state.controller, beat_atom::value, self->state.options->name);
        }
        self->delayed_send(self, self->state.options->beat_interval, check_atom::value);
      },
      [self](mute_atom) { self->state.muted = true; },
  };
}

}  // namespace

caf::actor spawn_node_agent(caf::actor_system& system, NodeAgentOptions options) {
  return system.spawn(node_agent_behavior, std::move(options));
}

}  // namespace actorwire::actors::cluster
