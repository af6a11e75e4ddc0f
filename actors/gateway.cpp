#include "actors/gateway.hpp"

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <atomic>
#include <thread>

#include "actors/generator_actor.hpp"
#include "actors/handshake_actor.hpp"
#include "actors/messages.hpp"
#include "actors/single_actor.hpp"
#include "actors/sink_actor.hpp"
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
      free_ring_contents(port->inject_ring());
      free_ring_contents(port->capture_ring());
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
  if (config.topology.kind != config::TopologyKind::kSingle) {
    error = "topology '" + std::string(config::to_string(config.topology.kind)) +
            "' is not implemented yet (available: single)";
    return nullptr;
  }
  const config::PortConfig* lan_config = config.port(config::PortRole::kLan);
  const config::PortConfig* wan_config = config.port(config::PortRole::kWan);
  if (lan_config == nullptr || wan_config == nullptr) {
    error = "the config needs one lan and one wan port";
    return nullptr;
  }
  if (!io::start_eal(config.dpdk.eal_args, error)) return nullptr;
  impl->pool = io::make_mbuf_pool(impl->name + "_pool", config.dpdk.mbuf_count, error);
  if (impl->pool == nullptr) return nullptr;
  impl->lan = io::Port::open(*lan_config, config.dpdk, impl->pool, 1, error);
  if (!impl->lan) return nullptr;
  impl->wan = io::Port::open(*wan_config, config.dpdk, impl->pool, 1, error);
  if (!impl->wan) return nullptr;

  // Actor threads: the detached polling actor has its own; the scheduler gets the other cores.
  unsigned threads = options.scheduler_threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency() - 1);
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

  auto single = std::make_shared<SingleActorContext>();
  single->lan = impl->lan.get();
  single->wan = impl->wan.get();
  single->config = &impl->config;
  single->pool = impl->pool;
  single->plane = std::make_unique<PeerPlane>(impl->config, impl->name + "_peers");
  if (!single->plane->valid()) {
    error = "cannot build the allowed-IPs table (DPDK LPM) for " +
            std::to_string(config.peers.size()) + " peer(s)";
    return nullptr;
  }
  single->counters = std::make_shared<StageCounters>("single");
  single->control = control_actor;
  impl->peer_counters = single->plane->peer_counters();
  impl->counters.push_back(single->counters);
  impl->counters.push_back(control->counters);
  impl->control_counters = control->counters;
  caf::actor single_actor = spawn_single_actor(*impl->system, single);
  impl->actors.push_back(single_actor);
  caf::anon_send(control_actor, data_plane_atom::value, single_actor);

  if (options.attach_generator && impl->lan->in_memory()) {
    impl->generator = std::make_shared<GeneratorContext>();
    impl->generator->ring = impl->lan->inject_ring();
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
      if (port->in_memory()) impl->sink->rings.push_back(port->capture_ring());
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

std::vector<std::shared_ptr<const StageCounters>> Gateway::counters() const {
  return {impl_->counters.begin(), impl_->counters.end()};
}

std::vector<std::shared_ptr<const PeerCounters>> Gateway::peer_counters() const {
  return {impl_->peer_counters.begin(), impl_->peer_counters.end()};
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

bool Gateway::generator_finished() const {
  return impl_->generator && impl_->generator->finished.load();
}

}  // namespace actorwire::actors
