#include "actors/gateway.hpp"

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <atomic>
#include <thread>

#include "actors/generator_actor.hpp"
#include "actors/handshake_actor.hpp"
#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "actors/single_actor.hpp"
#include "actors/sink_actor.hpp"
#include "actors/workers.hpp"
#include "caf/all.hpp"
#include "io/eal.hpp"

namespace actorwire::actors {
namespace {

// CAF's scheduler threads are not EAL lcores: register them so mempool caches work.
class DpdkThreadHook : public caf::thread_hook {
 public:
  void init(caf::actor_system&) override {}
  void thread_started() override { io::register_current_thread(); }
  void thread_terminates() override { io::unregister_current_thread(); }
};

void free_ring_contents(rte_ring* ring) {
  void* object = nullptr;
  while (rte_ring_dequeue(ring, &object) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(object));
}

io::TrafficPattern pattern_for(const config::GatewayConfig& config, const io::Port& lan) {
  io::TrafficPattern pattern;
  pattern.destination_mac = lan.identity().mac;
  pattern.flows = config.generator.flows;
  pattern.ip_sizes = config.generator.packet_sizes;
  // A host on the LAN side: the port's network, host .100 (or the port address + 1).
  const std::uint32_t lan_ip = lan.identity().primary_ipv4();
  pattern.source_ip = lan_ip == 0 ? 0x0A000064u : (lan_ip & 0xFFFFFF00u) | 100u;
  // Send to the first peer's first IPv4 allowed prefix.
  for (const auto& peer : config.peers) {
    for (const auto& prefix : peer.allowed_ips) {
      if (!prefix.address.is_v6) {
        pattern.destination_prefix = prefix;
        return pattern;
      }
    }
  }
  pattern.destination_prefix = config::IpPrefix{config::IpAddress::v4(0x0A140000u), 16};
  return pattern;
}

// rx and tx on threads of their own (busy-polling rx) pay off only when there are cores to
// spare for them beside the crypto workers; on small machines everything is scheduled.
bool detached_io(const config::GatewayConfig& config) {
  if (config.topology.io != config::IoScheduling::kAuto) {
    return config.topology.io == config::IoScheduling::kDetached;
  }
  return std::thread::hardware_concurrency() >= config.topology.crypto_workers + 3;
}

// Busy-polling workers need a core each; otherwise they are scheduled and pause when idle.
bool detached_workers(const config::GatewayConfig& config) {
  if (config.topology.io != config::IoScheduling::kAuto) {
    return config.topology.io == config::IoScheduling::kDetached;
  }
  return std::thread::hardware_concurrency() >= config.topology.crypto_workers + 1;
}

template <class Lock, class Spawn>
caf::actor start_workers(Gateway::Impl& impl, std::unique_ptr<PeerPlane> plane,
                         const caf::actor& control, Spawn&& spawn);

}  // namespace

struct Gateway::Impl {
  config::GatewayConfig config;
  std::string name;
  rte_mempool* pool = nullptr;
  std::unique_ptr<io::Port> lan;
  std::unique_ptr<io::Port> wan;
  std::unique_ptr<caf::actor_system_config> caf_config;
  std::unique_ptr<caf::actor_system> system;
  std::vector<caf::actor> actors;
  std::vector<std::shared_ptr<StageCounters>> counters;
  std::vector<std::shared_ptr<PeerCounters>> peer_counters;
  std::shared_ptr<StageCounters> control_counters;
  // The stages that receive from / transmit to the ports (live totals).
  std::vector<std::shared_ptr<StageCounters>> ingress;
  std::vector<std::shared_ptr<StageCounters>> egress;
  std::shared_ptr<GeneratorContext> generator;
  std::shared_ptr<SinkContext> sink;
  bool stopped = false;

  void stop() {
    if (stopped) return;
    stopped = true;
    for (auto& actor : actors) caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    actors.clear();
    if (system) system->await_all_actors_done();
  }

  ~Impl() {
    stop();
    system.reset();
    caf_config.reset();
    for (io::Port* port : {lan.get(), wan.get()}) {
      if (port == nullptr || !port->in_memory()) continue;
      for (std::uint16_t q = 0; q < port->queues(); ++q) {
        free_ring_contents(port->inject_ring(q));
        free_ring_contents(port->capture_ring(q));
      }
    }
    lan.reset();
    wan.reset();
    if (pool != nullptr) rte_mempool_free(pool);
  }
};

std::unique_ptr<Gateway> Gateway::start(const config::GatewayConfig& config,
                                        const GatewayOptions& options, std::string& error) {
  static std::atomic<unsigned> instances{0};
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->name = "aw" + std::to_string(instances++);
  const config::PortConfig* lan_config = config.port(config::PortRole::kLan);
  const config::PortConfig* wan_config = config.port(config::PortRole::kWan);
  if (lan_config == nullptr || wan_config == nullptr) {
    error = "the config needs one lan and one wan port";
    return nullptr;
  }
  if (!io::start_eal(config.dpdk.eal_args, error)) return nullptr;
  impl->pool = io::make_mbuf_pool(impl->name + "_pool", config.dpdk.mbuf_count, error);
  if (impl->pool == nullptr) return nullptr;
  // The workers topologies poll one queue pair per worker; the others one queue.
  const bool workers = config.topology.kind == config::TopologyKind::kWorkersMutex ||
                       config.topology.kind == config::TopologyKind::kWorkersSpinlock;
  const auto queues = static_cast<std::uint16_t>(workers ? config.topology.crypto_workers : 1);
  impl->lan = io::Port::open(*lan_config, config.dpdk, impl->pool, queues, error);
  if (!impl->lan) return nullptr;
  impl->wan = io::Port::open(*wan_config, config.dpdk, impl->pool, queues, error);
  if (!impl->wan) return nullptr;

  // Actor threads: detached actors have their own; the scheduler gets the other cores.
  const unsigned detached =
      config.topology.kind == config::TopologyKind::kPipeline ? (detached_io(config) ? 2u : 0u)
      : workers ? (detached_workers(config) ? config.topology.crypto_workers : 0u)
                : 1u;
  unsigned threads = options.scheduler_threads;
  if (threads == 0) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    threads = std::max(1u, cores > detached ? cores - detached : 1u);
  }
  impl->caf_config = std::make_unique<caf::actor_system_config>();
  impl->caf_config->set("scheduler.max-threads", threads);
  // A self-polling actor must not monopolise a scheduler thread.
  impl->caf_config->set("scheduler.max-throughput", 8);
  impl->caf_config->add_thread_hook<DpdkThreadHook>();
  impl->system = std::make_unique<caf::actor_system>(*impl->caf_config);

  // The control actor first: the data plane needs its handle, and it needs the data plane's.
  auto control = std::make_shared<HandshakeActorContext>();
  control->config = &impl->config;
  control->counters = std::make_shared<StageCounters>("handshake");
  control->options = options.control;
  caf::actor control_actor = spawn_handshake_actor(*impl->system, control);
  impl->actors.push_back(control_actor);

  impl->control_counters = control->counters;
  auto plane = std::make_unique<PeerPlane>(impl->config, impl->name + "_peers");
  if (!plane->valid()) {
    error = "cannot build the allowed-IPs table (DPDK LPM) for " +
            std::to_string(config.peers.size()) + " peer(s)";
    return nullptr;
  }
  impl->peer_counters = plane->peer_counters();
  caf::actor data_plane;
  if (config.topology.kind == config::TopologyKind::kPipeline) {
    auto pipeline = std::make_shared<PipelineContext>();
    pipeline->lan = impl->lan.get();
    pipeline->wan = impl->wan.get();
    pipeline->config = &impl->config;
    pipeline->pool = impl->pool;
    pipeline->plane = std::move(plane);
    pipeline->control = control_actor;
    pipeline->detached_io = detached_io(config);
    pipeline->rx_counters = std::make_shared<StageCounters>("rx");
    pipeline->lookup_counters = std::make_shared<StageCounters>("lookup");
    for (std::uint32_t i = 0; i < config.topology.crypto_workers; ++i) {
      pipeline->crypto_counters.push_back(
          std::make_shared<StageCounters>("crypto" + std::to_string(i)));
    }
    pipeline->tx_counters = std::make_shared<StageCounters>("tx");
    impl->counters.push_back(pipeline->rx_counters);
    impl->counters.push_back(pipeline->lookup_counters);
    for (const auto& counters : pipeline->crypto_counters) impl->counters.push_back(counters);
    impl->counters.push_back(pipeline->tx_counters);
    impl->ingress = {pipeline->rx_counters};
    impl->egress = {pipeline->tx_counters};
    const PipelineActors actors = spawn_pipeline(*impl->system, pipeline);
    for (const auto& actor : actors.all()) impl->actors.push_back(actor);
    data_plane = actors.lookup;
  } else if (workers) {
    data_plane =
        config.topology.kind == config::TopologyKind::kWorkersMutex
            ? start_workers<MutexLock>(*impl, std::move(plane), control_actor, spawn_workers_mutex)
            : start_workers<SpinLock>(*impl, std::move(plane), control_actor,
                                      spawn_workers_spinlock);
  } else {
    auto single = std::make_shared<SingleActorContext>();
    single->lan = impl->lan.get();
    single->wan = impl->wan.get();
    single->config = &impl->config;
    single->pool = impl->pool;
    single->shared = std::make_shared<SharedPlane<NoLock>>();
    single->shared->plane = std::move(plane);
    single->counters = std::make_shared<StageCounters>("single");
    single->control = control_actor;
    impl->counters.push_back(single->counters);
    impl->ingress = {single->counters};
    impl->egress = {single->counters};
    data_plane = spawn_single_actor(*impl->system, single);
    impl->actors.push_back(data_plane);
  }
  impl->counters.push_back(control->counters);
  caf::anon_send(control_actor, data_plane_atom::value, data_plane);

  if (options.attach_generator && impl->lan->in_memory()) {
    impl->generator = std::make_shared<GeneratorContext>();
    for (std::uint16_t q = 0; q < impl->lan->queues(); ++q) {
      impl->generator->rings.push_back(impl->lan->inject_ring(q));
    }
    impl->generator->pool = impl->pool;
    impl->generator->traffic =
        std::make_shared<const io::TrafficGenerator>(pattern_for(impl->config, *impl->lan));
    impl->generator->rate_pps = config.generator.rate_pps;
    impl->generator->max_packets = config.generator.max_packets;
    impl->generator->counters = std::make_shared<StageCounters>("generator");
    impl->counters.push_back(impl->generator->counters);
    impl->actors.push_back(spawn_generator_actor(*impl->system, impl->generator));
  }
  if (options.attach_sink) {
    impl->sink = std::make_shared<SinkContext>();
    for (io::Port* port : {impl->lan.get(), impl->wan.get()}) {
      if (!port->in_memory() || (port == impl->wan.get() && !options.sink_wan)) continue;
      for (std::uint16_t q = 0; q < port->queues(); ++q) {
        impl->sink->rings.push_back(port->capture_ring(q));
      }
    }
    if (!impl->sink->rings.empty()) {
      impl->sink->counters = std::make_shared<StageCounters>("sink");
      impl->counters.push_back(impl->sink->counters);
      impl->actors.push_back(spawn_sink_actor(*impl->system, impl->sink));
    } else {
      impl->sink.reset();
    }
  }
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

namespace {

template <class Lock, class Spawn>
caf::actor start_workers(Gateway::Impl& impl, std::unique_ptr<PeerPlane> plane,
                         const caf::actor& control, Spawn&& spawn) {
  DataPathContext<Lock> base;
  base.lan = impl.lan.get();
  base.wan = impl.wan.get();
  base.config = &impl.config;
  base.pool = impl.pool;
  base.shared = std::make_shared<SharedPlane<Lock>>();
  base.shared->plane = std::move(plane);
  base.control = control;
  std::vector<std::shared_ptr<StageCounters>> counters;
  for (std::uint32_t i = 0; i < impl.config.topology.crypto_workers; ++i) {
    counters.push_back(std::make_shared<StageCounters>("worker" + std::to_string(i)));
    impl.counters.push_back(counters.back());
  }
  impl.ingress = counters;
  impl.egress = counters;
  const auto actors = spawn(*impl.system, base, counters, detached_workers(impl.config));
  for (const auto& actor : actors) impl.actors.push_back(actor);
  return actors.front();  // worker 0 applies the control actor's decisions
}

}  // namespace

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Gateway::~Gateway() = default;

void Gateway::stop() {
  impl_->stop();
}

const config::GatewayConfig& Gateway::config() const {
  return impl_->config;
}

io::Port& Gateway::port(config::PortRole role) {
  return role == config::PortRole::kLan ? *impl_->lan : *impl_->wan;
}

const io::Port& Gateway::port(config::PortRole role) const {
  return role == config::PortRole::kLan ? *impl_->lan : *impl_->wan;
}

std::vector<std::shared_ptr<const StageCounters>> Gateway::counters() const {
  return {impl_->counters.begin(), impl_->counters.end()};
}

std::vector<std::shared_ptr<const PeerCounters>> Gateway::peer_counters() const {
  return {impl_->peer_counters.begin(), impl_->peer_counters.end()};
}

std::vector<std::shared_ptr<const StageCounters>> Gateway::ingress_counters() const {
  return {impl_->ingress.begin(), impl_->ingress.end()};
}

std::vector<std::shared_ptr<const StageCounters>> Gateway::egress_counters() const {
  return {impl_->egress.begin(), impl_->egress.end()};
}

const StageCounters* Gateway::control_counters() const {
  return impl_->control_counters.get();
}

const StageCounters* Gateway::generator_counters() const {
  return impl_->generator ? impl_->generator->counters.get() : nullptr;
}

const StageCounters* Gateway::sink_counters() const {
  return impl_->sink ? impl_->sink->counters.get() : nullptr;
}

std::shared_ptr<const io::TrafficGenerator> Gateway::traffic() const {
  return impl_->generator ? impl_->generator->traffic : nullptr;
}

void Gateway::set_generator_rate(std::uint64_t rate_pps) {
  if (impl_->generator) impl_->generator->rate_pps = rate_pps;
}

void Gateway::pause_generator(bool paused) {
  if (impl_->generator) impl_->generator->paused = paused;
}

bool Gateway::generator_finished() const {
  return impl_->generator && impl_->generator->finished.load();
}

}  // namespace actorwire::actors
