#include "actors/control/handshake_actor.hpp"

#include <algorithm>
#include <cstdint>

#include "actors/common/tuning.hpp"
#include "actors/runtime/messages.hpp"
#include "caf/all.hpp"

namespace actorwire::actors {
namespace {

struct HandshakeActorState {
  std::unique_ptr<ControlPlane> control;
  caf::actor data_plane;
};

void deliver(caf::stateful_actor<HandshakeActorState>* self, ControlOutput&& out) {
  if (out.empty() || !self->state.data_plane) return;
  self->send(self->state.data_plane, std::move(out));
}

caf::behavior handshake_behavior(caf::stateful_actor<HandshakeActorState>* self,
                                 const std::shared_ptr<HandshakeActorContext>& context) {
  self->state.control =
      std::make_unique<ControlPlane>(*context->config, context->counters, context->options);
  self->attach_functor([context] {});
  self->delayed_send(self, tuning::kControlTickInterval, tick_atom::value);
  return {
      [self, context](data_plane_atom, caf::actor data_plane) {
        self->state.data_plane = std::move(data_plane);
        // Peers with a persistent keepalive want the tunnel up before any traffic (as wg does
        // when the interface comes up).
        const auto now = self->clock().now();
        for (std::uint32_t peer = 0; peer < context->config->peers.size(); ++peer) {
          if (context->config->peers[peer].persistent_keepalive > 0) {
            deliver(self, self->state.control->initiate(peer, now));
          }
        }
      },
      [self, context](HandshakeIn& in) {
        // Handshake messages still queued behind this one tell whether we are under load.
        const std::int64_t queued_before = note_received(*context->counters);
        context->counters->test_delay();
        const auto backlog = static_cast<std::size_t>(std::max<std::int64_t>(queued_before - 1, 0));
        deliver(self, self->state.control->handle_handshake(in.message, in.source,
                                                            self->clock().now(), backlog));
      },
      [self](const std::shared_ptr<const PeerChange>& change) {
        deliver(self, self->state.control->apply_change(*change, self->clock().now()));
        change->applied();
      },
      [self](PeerActivity& activity) {
        deliver(self, self->state.control->handle_activity(activity, self->clock().now()));
      },
      [self, context](tick_atom) {
        context->counters->test_delay(false);  // "stuck" also stops the timers
        deliver(self, self->state.control->tick(self->clock().now()));
        self->delayed_send(self, tuning::kControlTickInterval, tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_handshake_actor(caf::actor_system& system,
                                 std::shared_ptr<HandshakeActorContext> context) {
  return system.spawn(handshake_behavior, std::move(context));
}

}  // namespace actorwire::actors
