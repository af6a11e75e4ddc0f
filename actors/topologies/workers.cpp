// Topologies `workers-mutex` and `workers-spinlock` (the paper's Variant 2): crypto_workers
// identical actors, each polling its own rx/tx queue pair (RSS spreads flows over the queues:
// hardware RSS on NICs, software Toeplitz RSS on in-process ports), each doing the whole data
// path (DataPathLoop), all sharing one peer table (keypairs, counters, replay windows) behind a
// lock taken per packet: a std::mutex (pthread) or a DPDK spin lock. Worker 0 also applies the
// control actor's decisions. Workers tell each other about neighbours learned from ARP and ND.
#include "actors/topologies/data_path_loop.hpp"
#include "actors/topologies/topology.hpp"

namespace actorwire::actors {
namespace {

// A neighbour travels between workers as plain integers (the message needs no type of its own):
// the address as two 64-bit halves (IPv4: host order in the low half), the MAC in 48 bits.
std::pair<std::uint64_t, std::uint64_t> pack_address(const config::IpAddress& ip) {
  if (!ip.is_v6) return {0, ip.v4_host_order()};
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  for (int i = 0; i < 8; ++i) high = high << 8 | ip.bytes[i];
  for (int i = 8; i < 16; ++i) low = low << 8 | ip.bytes[i];
  return {high, low};
}

config::IpAddress unpack_address(bool is_v6, std::uint64_t high, std::uint64_t low) {
  if (!is_v6) return config::IpAddress::v4(static_cast<std::uint32_t>(low));
  config::IpAddress ip;
  ip.is_v6 = true;
  for (int i = 7; i >= 0; --i, high >>= 8) ip.bytes[i] = static_cast<std::uint8_t>(high);
  for (int i = 15; i >= 8; --i, low >>= 8) ip.bytes[i] = static_cast<std::uint8_t>(low);
  return ip;
}

std::uint64_t pack_mac(const config::MacAddress& mac) {
  std::uint64_t packed = 0;
  for (std::uint8_t byte : mac.bytes) packed = packed << 8 | byte;
  return packed;
}

config::MacAddress unpack_mac(std::uint64_t packed) {
  config::MacAddress mac;
  for (int i = 5; i >= 0; --i, packed >>= 8) mac.bytes[i] = static_cast<std::uint8_t>(packed);
  return mac;
}

template <class Lock>
struct WorkerState {
  std::unique_ptr<detail::DataPathLoop<Lock>> loop;
  std::unique_ptr<io::RxInterruptWait> rx_wait;  // detached, where its queues have rx interrupts
  std::optional<PollPacer> pacer;
  std::vector<caf::actor> siblings;
};

template <class Lock>
caf::behavior worker_behavior(caf::stateful_actor<WorkerState<Lock>>* self,
                              std::shared_ptr<DataPathContext<Lock>> context, bool detached) {
  self->state.loop = std::make_unique<detail::DataPathLoop<Lock>>(self, *context);
  self->state.pacer.emplace(detached, context->env->idle_backoff_max);
  if (detached) {
    self->state.rx_wait = context->env->rx_interrupt_wait(context->queue);
    self->state.pacer->wait_on(self->state.rx_wait.get());
  }
  self->attach_functor([context] {});
  return {
      [self](const std::vector<caf::actor>& siblings) {
        self->state.siblings = siblings;
        self->send(self, poll_atom::value);
      },
      [self](poll_atom) {
        auto& loop = *self->state.loop;
        self->state.pacer->resumed(loop.counters());
        loop.poll();
        for (const auto& learned : loop.take_learned()) {
          const auto [high, low] = pack_address(learned.ip);
          const std::uint64_t mac = pack_mac(learned.mac);
          for (const auto& sibling : self->state.siblings) {
            if (sibling != self) {
              self->send(sibling, neighbour_atom::value, learned.wan, learned.ip.is_v6, high, low,
                         mac);
            }
          }
        }
        // Detached: busy-poll (the thread is ours), sleep (or wait on the rx interrupts) when
        // idle. Scheduled: yield the thread when idle.
        schedule_next_poll(self,
                           self->state.pacer->after_poll(loop.last_poll_busy(), loop.counters(),
                                                         loop.sending_pending()));
      },
      [self](neighbour_atom, bool wan, bool is_v6, std::uint64_t high, std::uint64_t low,
             std::uint64_t mac) {
        self->state.loop->learn_neighbour(wan, unpack_address(is_v6, high, low), unpack_mac(mac));
      },
      [self](ControlOutput& out) { self->state.loop->apply(out); },
      [self](const std::shared_ptr<const PeerChange>& change) {
        self->state.loop->apply_change(*change);
      },
  };
}

template <class Lock>
class WorkersTopology final : public Topology {
 public:
  explicit WorkersTopology(const config::TopologyConfig& topology)
      : workers_(topology.crypto_workers),
        batch_size_(topology.batch_size),
        // Busy-polling workers need a core each; otherwise they are scheduled and pause when
        // idle.
        detached_(cores_for_detached(topology, topology.crypto_workers + 1)) {}

  std::uint16_t queues() const override { return static_cast<std::uint16_t>(workers_); }
  unsigned detached_threads() const override { return detached_ ? workers_ : 0; }

  SpawnedTopology spawn(TopologyEnv env) override {
    auto shared = std::make_shared<SharedPlane<Lock>>();
    shared->plane = std::move(env.plane);
    SpawnedTopology out;
    for (std::uint32_t i = 0; i < workers_; ++i) {
      auto context = std::make_shared<DataPathContext<Lock>>();
      context->env = &env.data_plane;
      context->batch_size = batch_size_;
      context->shared = shared;
      context->queue = static_cast<std::uint16_t>(i);
      context->counters =
          std::make_shared<StageCounters>("worker" + std::to_string(i), kPollingActor);
      context->control = env.control;
      out.counters.push_back(context->counters);
      out.actors.push_back(
          detached_ ? env.system.spawn<caf::detached>(worker_behavior<Lock>, context, true)
                    : env.system.spawn(worker_behavior<Lock>, context, false));
    }
    for (const auto& worker : out.actors) caf::anon_send(worker, out.actors);
    out.ingress = out.egress = out.counters;
    out.control_sink = out.actors.front();  // worker 0 applies the control actor's decisions
    return out;
  }

 private:
  std::uint32_t workers_;
  std::size_t batch_size_;
  bool detached_;
};

}  // namespace

std::unique_ptr<Topology> make_workers_mutex_topology(const config::GatewayConfig& config) {
  return std::make_unique<WorkersTopology<MutexLock>>(config.topology);
}

std::unique_ptr<Topology> make_workers_spinlock_topology(const config::GatewayConfig& config) {
  return std::make_unique<WorkersTopology<SpinLock>>(config.topology);
}

}  // namespace actorwire::actors
