#include "actors/workers.hpp"

#include "actors/data_path_loop.hpp"

namespace actorwire::actors {
namespace {

// A scheduled worker whose queues were empty looks again after this long.
constexpr auto kIdlePause = std::chrono::microseconds(20);

template <class Lock>
struct WorkerState {
  std::unique_ptr<detail::DataPathLoop<Lock>> loop;
  std::vector<caf::actor> siblings;
};

template <class Lock>
caf::behavior worker_behavior(caf::stateful_actor<WorkerState<Lock>>* self,
                              std::shared_ptr<DataPathContext<Lock>> context, bool detached) {
  self->state.loop = std::make_unique<detail::DataPathLoop<Lock>>(self, *context);
  self->attach_functor([context] {});
  return {
      [self](const std::vector<caf::actor>& siblings) {
        self->state.siblings = siblings;
        self->send(self, poll_atom::value);
      },
      [self, detached](poll_atom) {
        auto& loop = *self->state.loop;
        loop.poll();
        for (const auto& learned : loop.take_learned()) {
          std::uint64_t mac = 0;
          for (std::uint8_t byte : learned.mac.bytes) mac = mac << 8 | byte;
          for (const auto& sibling : self->state.siblings) {
            if (sibling != self) {
              self->send(sibling, neighbour_atom::value, learned.wan, learned.ip, mac);
            }
          }
        }
        if (detached || loop.last_poll_busy()) {
          self->send(self, poll_atom::value);
        } else {
          self->delayed_send(self, kIdlePause, poll_atom::value);
        }
      },
      [self](neighbour_atom, bool wan, std::uint32_t ip, std::uint64_t mac) {
        config::MacAddress address;
        for (int i = 5; i >= 0; --i, mac >>= 8) address.bytes[i] = static_cast<std::uint8_t>(mac);
        self->state.loop->learn_neighbour(wan, ip, address);
      },
      [self](ControlOutput& out) { self->state.loop->apply(out); },
  };
}

template <class Lock>
std::vector<caf::actor> spawn_workers(caf::actor_system& system, const DataPathContext<Lock>& base,
                                      const std::vector<std::shared_ptr<StageCounters>>& counters,
                                      bool detached) {
  std::vector<caf::actor> workers;
  for (std::size_t i = 0; i < counters.size(); ++i) {
    auto context = std::make_shared<DataPathContext<Lock>>(base);
    context->queue = static_cast<std::uint16_t>(i);
    context->counters = counters[i];
    workers.push_back(detached ? system.spawn<caf::detached>(worker_behavior<Lock>, context, true)
                               : system.spawn(worker_behavior<Lock>, context, false));
  }
  for (const auto& worker : workers) caf::anon_send(worker, workers);
  return workers;
}

}  // namespace

std::vector<caf::actor> spawn_workers_mutex(
    caf::actor_system& system, const DataPathContext<MutexLock>& base,
    const std::vector<std::shared_ptr<StageCounters>>& counters, bool detached) {
  return spawn_workers(system, base, counters, detached);
}

std::vector<caf::actor> spawn_workers_spinlock(
    caf::actor_system& system, const DataPathContext<SpinLock>& base,
    const std::vector<std::shared_ptr<StageCounters>>& counters, bool detached) {
  return spawn_workers(system, base, counters, detached);
}

}  // namespace actorwire::actors
