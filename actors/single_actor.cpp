#include "actors/single_actor.hpp"

#include "actors/data_path_loop.hpp"

namespace actorwire::actors {
namespace {

struct SingleState {
  std::unique_ptr<detail::DataPathLoop<NoLock>> loop;
};

caf::behavior single_behavior(caf::stateful_actor<SingleState>* self,
                              const std::shared_ptr<SingleActorContext>& context) {
  self->state.loop = std::make_unique<detail::DataPathLoop<NoLock>>(self, *context);
  // Keep the context (ports, config, counters) alive as long as the loop runs.
  self->attach_functor([context] {});
  self->send(self, poll_atom::value);
  return {
      [self](poll_atom) {
        self->state.loop->poll();
        self->state.loop->take_learned();  // no siblings to tell
        self->send(self, poll_atom::value);
      },
      [self](ControlOutput& out) { self->state.loop->apply(out); },
  };
}

}  // namespace

caf::actor spawn_single_actor(caf::actor_system& system,
                              std::shared_ptr<SingleActorContext> context) {
  return system.spawn<caf::detached>(single_behavior, std::move(context));
}

}  // namespace actorwire::actors
