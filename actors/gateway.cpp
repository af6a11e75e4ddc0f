#include "actors/gateway.hpp"

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "actors/common/tuning.hpp"
#include "actors/control/handshake_actor.hpp"
#include "actors/dataplane/data_plane_env.hpp"
#include "actors/dataplane/peer_roster.hpp"
#include "actors/harness/generator_actor.hpp"
#include "actors/harness/sink_actor.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/topologies/topology.hpp"
#include "caf/all.hpp"
#include "io/eal.hpp"
#include "io/send_stamp.hpp"

namespace actorwire::actors {
namespace {

// CAF's scheduler threads are not EAL lcores: register them so mempool caches work.
class DpdkThreadHook : public caf::thread_hook {
 public:
  void init(caf::actor_system&) override {}
  void thread_started() override { io::register_current_thread(); }
  void thread_terminates() override { io::unregister_current_thread(); }
};

// Everything that changes while packets move inside the graph: what each actor took, sent,
// dropped, consumed or made, and the batches waiting in its mailbox (`queued`).
std::uint64_t activity(const std::vector<std::shared_ptr<StageCounters>>& counters,
                       std::int64_t& queued) {
  std::uint64_t sum = 0;
  queued = 0;
  for (const auto& c : counters) {
    sum += c->packets_in.get() + c->packets_out.get() + c->drops_total() +
           c->packets_consumed.get() + c->packets_generated.get();
    queued += c->batches_queued.load(std::memory_order_relaxed);
  }
  return sum;
}

// Waits until no mailbox holds a batch and `activity` has not changed for `quiet`, at most
// `bound`; whether it went quiet.
bool wait_until_quiet(const std::vector<std::shared_ptr<StageCounters>>& counters,
                      std::chrono::steady_clock::duration quiet,
                      std::chrono::steady_clock::duration bound) {
  const auto start = std::chrono::steady_clock::now();
  auto last_change = start;
  std::int64_t queued = 0;
  std::uint64_t last = activity(counters, queued);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    const auto now = std::chrono::steady_clock::now();
    const std::uint64_t current = activity(counters, queued);
    if (current != last || queued != 0) {
      last = current;
      last_change = now;
    } else if (now - last_change >= quiet) {
      return true;
    }
    if (now - start >= bound) return false;
  }
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
  DataPlaneEnv data_plane;  // what the data-path actors share; outlives them
  std::unique_ptr<caf::actor_system_config> caf_config;
  std::unique_ptr<caf::actor_system> system;
  std::vector<caf::actor> actors;
  std::vector<std::shared_ptr<StageCounters>> counters;
  std::shared_ptr<StageCounters> control_counters;
  // The peer set in force and who applies changes to it (change_peers).
  caf::actor control_actor;
  caf::actor peer_owner;             // the data-plane actor that owns the PeerTable
  std::mutex change_mutex;           // one change_peers at a time
  mutable std::mutex running_mutex;  // guards `running` and `roster` for the readers
  std::shared_ptr<const config::GatewayConfig> running;
  std::unique_ptr<PeerRoster> roster;
  // The stages that receive from / transmit to the ports (live totals).
  std::vector<std::shared_ptr<StageCounters>> ingress;
  std::vector<std::shared_ptr<StageCounters>> egress;
  std::shared_ptr<GeneratorContext> generator;
  std::shared_ptr<SinkContext> sink;
  // GatewayOptions::measure_latency: the ports' tx stamps; removed by stop(), before the ports
  // close.
  std::vector<std::unique_ptr<io::DepartureStamps>> departure_stamps;
  // Cleared by stop(): the data plane stops receiving (DataPlaneEnv::receiving points here).
  std::atomic<bool> receiving{true};
  bool stopped = false;
  StopReport stop_report;

  StopReport stop() {
    if (stopped) return stop_report;
    stopped = true;
    const auto start = std::chrono::steady_clock::now();
    if (generator) generator->paused = true;
    receiving = false;
    // A poller may be asleep in its idle back-off: the quiet period outlasts its longest sleep.
    stop_report.drained = wait_until_quiet(
        counters, tuning::kDrainQuietPeriod + data_plane.idle_backoff_max, tuning::kDrainTimeout);
    stop_report.drain = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    for (auto& actor : actors) caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    actors.clear();
    {
      // No handle may outlive the actor system (its end would wait for them); a change_peers
      // still running finishes first.
      const std::lock_guard<std::mutex> no_change(change_mutex);
      control_actor = nullptr;
      peer_owner = nullptr;
    }
    if (system) system->await_all_actors_done();
    // An actor counts as done before its cleanup has run everywhere (the pipeline's lookup frees
    // its staged packets in an attached functor): the system's end joins every thread, so what
    // the actors held is freed and counted when stop() returns.
    system.reset();
    departure_stamps.clear();  // nothing transmits any more
    stop_report.total = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    return stop_report;
  }

  ~Impl() {
    stop();
    system.reset();
    caf_config.reset();
    lan.reset();  // closes the port: frees what its rings still hold
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
  // Before any actor's StageCounters exist: each takes its delay when it is made.
  if (!load_test_delays_from_environment(error)) return nullptr;
  if (!io::start_eal(config.dpdk.eal_args, error)) return nullptr;
  impl->pool = io::make_mbuf_pool(impl->name + "_pool", config.dpdk.mbuf_count, error);
  if (impl->pool == nullptr) return nullptr;
  const std::unique_ptr<Topology> topology = make_topology(config);
  impl->lan = io::Port::open(*lan_config, config.dpdk, impl->pool, topology->queues(), error);
  if (!impl->lan) return nullptr;
  impl->wan = io::Port::open(*wan_config, config.dpdk, impl->pool, topology->queues(), error);
  if (!impl->wan) return nullptr;
  impl->data_plane = make_data_plane_env(impl->config, *impl->lan, *impl->wan, impl->pool);
  impl->data_plane.receiving = &impl->receiving;

  // Actor threads: detached actors have their own; the scheduler gets the other cores.
  unsigned threads = options.scheduler_threads;
  if (threads == 0) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned detached = topology->detached_threads();
    threads = std::max(1u, cores > detached ? cores - detached : 1u);
  }
  impl->caf_config = std::make_unique<caf::actor_system_config>();
  impl->caf_config->set("scheduler.max-threads", threads);
  // A self-polling actor must not monopolise a scheduler thread.
  impl->caf_config->set("scheduler.max-throughput", 8);
  impl->caf_config->add_thread_hook<DpdkThreadHook>();
  // With an idle back-off, a scheduler thread that ran out of work should wait on its condition
  // variable (woken at once by the next job enqueued to it) after its short spin, instead of
  // CAF's default 500 further attempts 50 us apart: any job every < 25 ms (an idle poller's
  // delayed poll, the control actor's tick) kept it in those 50 us naps for good, ~20,000 wake-ups
  // a second, the largest part of an idle gateway's CPU (bench/README.md, "Idle cost"). Under
  // load the threads never get that far. idle_backoff_max_us = 0 keeps CAF's default.
  if (config.dpdk.idle_backoff_max_us != 0) {
    impl->caf_config->set("work-stealing.moderate-poll-attempts", 0);
  }
  impl->system = std::make_unique<caf::actor_system>(*impl->caf_config);

  // The control actor first: the data plane needs its handle, and it needs the data plane's.
  auto control = std::make_shared<HandshakeActorContext>();
  control->config = &impl->config;
  control->counters = std::make_shared<StageCounters>("handshake");
  control->options = options.control;
  caf::actor control_actor = spawn_handshake_actor(*impl->system, control);
  impl->actors.push_back(control_actor);
  impl->control_counters = control->counters;
  impl->data_plane.control_counters = control->counters;

  auto plane = std::make_unique<PeerPlane>(impl->config, impl->name + "_peers");
  if (!plane->valid()) {
    error = "cannot build the allowed-IPs table (DPDK LPM) for " +
            std::to_string(config.peers.size()) + " peer(s)";
    return nullptr;
  }
  impl->running = std::make_shared<const config::GatewayConfig>(impl->config);
  impl->roster = std::make_unique<PeerRoster>(config.peers.size(), plane->peer_counters());
  SpawnedTopology spawned =
      topology->spawn({*impl->system, impl->data_plane, std::move(plane), control_actor});
  impl->actors.insert(impl->actors.end(), spawned.actors.begin(), spawned.actors.end());
  impl->counters = std::move(spawned.counters);
  impl->ingress = std::move(spawned.ingress);
  impl->egress = std::move(spawned.egress);
  impl->counters.push_back(control->counters);
  caf::anon_send(control_actor, data_plane_atom::value, spawned.control_sink);
  impl->control_actor = control_actor;
  impl->peer_owner = spawned.control_sink;

  if (options.measure_latency) {
    if (!io::register_send_stamp(error)) return nullptr;
    for (io::Port* port : {impl->lan.get(), impl->wan.get()}) {
      if (!port->in_memory()) continue;
      auto stamps = io::DepartureStamps::add(port->id(), port->queues(), error);
      if (!stamps) return nullptr;
      impl->departure_stamps.push_back(std::move(stamps));
    }
  }
  if (options.attach_generator && config.generator.enabled && impl->lan->in_memory()) {
    impl->generator = std::make_shared<GeneratorContext>();
    for (std::uint16_t q = 0; q < impl->lan->queues(); ++q) {
      impl->generator->rings.push_back(impl->lan->inject_ring(q));
    }
    impl->generator->pool = impl->pool;
    impl->generator->traffic =
        std::make_shared<const io::TrafficGenerator>(pattern_for(impl->config, *impl->lan));
    impl->generator->rate_pps = config.generator.rate_pps;
    impl->generator->max_packets = config.generator.max_packets;
    impl->generator->counters = std::make_shared<StageCounters>("generator", kPollingActor);
    impl->generator->idle_backoff_max = impl->data_plane.idle_backoff_max;
    impl->generator->stamp_send_time = options.measure_latency;
    impl->generator->own_thread = options.harness_threads;
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
      impl->sink->counters = std::make_shared<StageCounters>("sink", kPollingActor);
      impl->sink->idle_backoff_max = impl->data_plane.idle_backoff_max * tuning::kSinkBackoffFactor;
      if (options.measure_latency) impl->sink->latency = std::make_shared<LatencyHistogram>();
      impl->sink->own_thread = options.harness_threads;
      impl->counters.push_back(impl->sink->counters);
      impl->actors.push_back(spawn_sink_actor(*impl->system, impl->sink));
    } else {
      impl->sink.reset();
    }
  }
  if (const auto unclaimed = unclaimed_test_delays(); !unclaimed.empty()) {
    error = std::string(kTestDelayVariable) + ": no actor named '" + unclaimed.front() +
            "' (the names are those of `actorwire stats`)";
    return nullptr;
  }
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Gateway::~Gateway() = default;

StopReport Gateway::stop() {
  return impl_->stop();
}

std::vector<io::MempoolUsage> Gateway::close_ports() {
  impl_->stop();
  impl_->lan->close();
  impl_->wan->close();
  return io::mempool_usage();
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

std::vector<std::shared_ptr<const StageCounters>> Gateway::gateway_counters() const {
  std::vector<std::shared_ptr<const StageCounters>> own;
  for (const auto& counters : impl_->counters) {
    if (counters.get() == generator_counters() || counters.get() == sink_counters()) continue;
    own.push_back(counters);
  }
  return own;
}

std::vector<std::shared_ptr<const PeerCounters>> Gateway::peer_counters() const {
  const std::lock_guard<std::mutex> guard(impl_->running_mutex);
  const auto& counters = impl_->roster->counters();
  return {counters.begin(), counters.end()};
}

std::shared_ptr<const config::GatewayConfig> Gateway::running_config() const {
  const std::lock_guard<std::mutex> guard(impl_->running_mutex);
  return impl_->running;
}

namespace {
// Sends `change` to `owner` and waits until it applied it; false when the owner did not answer
// in time (it stopped) or could not rebuild its allowed-IPs table.
bool applied_by(const caf::actor& owner, const std::shared_ptr<PeerChange>& change,
                std::string& error) {
  change->done = std::make_shared<PeerChange::Done>();
  auto applied = change->done->applied.get_future();
  caf::anon_send(owner, std::shared_ptr<const PeerChange>(change));
  if (applied.wait_for(tuning::kPeerChangeTimeout) != std::future_status::ready) {
    error = "the gateway did not apply the change in time (is it stopping?)";
    return false;
  }
  if (!applied.get()) error = "the new allowed-IPs table could not be built; routes are missing";
  return error.empty();
}
}  // namespace

PeerChangeReport Gateway::change_peers(const config::GatewayConfig& next) {
  const std::lock_guard<std::mutex> one_at_a_time(impl_->change_mutex);
  PeerChangeReport report;
  const std::shared_ptr<const config::GatewayConfig> running = running_config();
  const config::PeerDiff diff = config::diff_peers(*running, next);
  if (!diff.ok()) {
    report.refused = diff.refused;
    return report;
  }
  report.changes = config::describe(diff, *running, next);
  auto updated = std::make_shared<config::GatewayConfig>(*running);
  updated->peers = next.peers;
  if (diff.empty()) {
    report.applied = true;
    const std::lock_guard<std::mutex> guard(impl_->running_mutex);
    impl_->running = std::move(updated);  // the same peers, maybe in another order
    impl_->roster->commit(diff, PeerChange{});
    return report;
  }
  if (!impl_->peer_owner) {  // cleared by stop(), under change_mutex
    report.error = "the gateway is stopping";
    return report;
  }
  const std::shared_ptr<PeerChange> change = impl_->roster->change_for(diff, next);
  {
    // Listed at once: stats show the added peers from now on (zero until they carry traffic).
    const std::lock_guard<std::mutex> guard(impl_->running_mutex);
    impl_->running = updated;
    impl_->roster->commit(diff, *change);
  }
  // The data plane first: when the control actor then answers for an added peer, the data plane
  // knows it; what the control actor still says about a removed one finds a tombstone.
  if (applied_by(impl_->peer_owner, change, report.error) &&
      applied_by(impl_->control_actor, change, report.error)) {
    report.applied = true;
  }
  return report;
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

const LatencyHistogram* Gateway::sink_latency() const {
  return impl_->sink ? impl_->sink->latency.get() : nullptr;
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
