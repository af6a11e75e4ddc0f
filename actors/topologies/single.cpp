// Topology `single` (the paper's Variant 1): one actor does everything on the data plane, both
// directions, on a thread of its own (it busy-polls, and backs off when idle). Outbound: LAN rx,
// allowed-IPs lookup, counter, seal, outer headers, WAN tx. Inbound: WAN rx, receiver-index lookup,
// open, replay window, allowed-IPs source check, LAN tx. Handshake messages go to the control
// actor, whose answers (datagrams, keypairs, keepalives) come back as messages. It answers ARP on
// both ports. It runs the same engine as the workers (DataPathLoop), with no lock.
#include "actors/topologies/data_path_loop.hpp"
#include "actors/topologies/topology.hpp"

namespace actorwire::actors {
namespace {

struct SingleState {
  std::unique_ptr<detail::DataPathLoop<NoLock>> loop;
  std::unique_ptr<io::RxInterruptWait> rx_wait;  // where its ports have rx interrupts
  std::optional<PollPacer> pacer;
};

caf::behavior single_behavior(caf::stateful_actor<SingleState>* self,
                              const std::shared_ptr<DataPathContext<NoLock>>& context) {
  self->state.loop = std::make_unique<detail::DataPathLoop<NoLock>>(self, *context);
  self->state.pacer.emplace(true, context->env->idle_backoff_max);
  self->state.rx_wait = context->env->rx_interrupt_wait(0);
  self->state.pacer->wait_on(self->state.rx_wait.get());
  // Keep the context (peer state, counters) alive as long as the loop runs.
  self->attach_functor([context] {});
  self->send(self, poll_atom::value);
  return {
      [self](poll_atom) {
        auto& loop = *self->state.loop;
        loop.poll();
        loop.take_learned();  // no siblings to tell
        // Its thread is its own: busy-polls under traffic, sleeps a growing pause when idle (or
        // waits that long on its ports' rx interrupts).
        schedule_next_poll(self,
                           self->state.pacer->after_poll(loop.last_poll_busy(), loop.counters(),
                                                         loop.sending_pending()));
      },
      [self](ControlOutput& out) { self->state.loop->apply(out); },
      [self](const std::shared_ptr<const PeerChange>& change) {
        self->state.loop->apply_change(*change);
      },
  };
}

class SingleTopology final : public Topology {
 public:
  explicit SingleTopology(const config::TopologyConfig& topology)
      : batch_size_(topology.batch_size) {}

  std::uint16_t queues() const override { return 1; }
  unsigned detached_threads() const override { return 1; }

  SpawnedTopology spawn(TopologyEnv env) override {
    auto context = std::make_shared<DataPathContext<NoLock>>();
    context->env = &env.data_plane;
    context->batch_size = batch_size_;
    context->shared = std::make_shared<SharedPlane<NoLock>>();
    context->shared->plane = std::move(env.plane);
    context->counters = std::make_shared<StageCounters>("single", kPollingActor);
    context->control = env.control;
    SpawnedTopology out;
    out.control_sink = env.system.spawn<caf::detached>(single_behavior, context);
    out.actors = {out.control_sink};
    out.counters = out.ingress = out.egress = {context->counters};
    return out;
  }

 private:
  std::size_t batch_size_;
};

}  // namespace

std::unique_ptr<Topology> make_single_topology(const config::GatewayConfig& config) {
  return std::make_unique<SingleTopology>(config.topology);
}

}  // namespace actorwire::actors
