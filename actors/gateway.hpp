// A running gateway built from a validated config: EAL, mbuf pool, ports, the CAF actor system,
// the topology's actors and, on in-process ports, the built-in generator and sink.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/common/stage_counters.hpp"
#include "actors/control/control_plane.hpp"
#include "actors/dataplane/peer_table.hpp"
#include "actors/harness/latency_histogram.hpp"
#include "config/gateway_config.hpp"
#include "config/load_config.hpp"
#include "io/eal.hpp"
#include "io/port.hpp"
#include "io/traffic_generator.hpp"

namespace actorwire::actors {

struct GatewayOptions {
  // Attach the generator / sink when the LAN / WAN port is an in-process net_ring port. Tests
  // that inspect the output themselves turn the sink off.
  bool attach_generator = true;
  bool attach_sink = true;
  // Whether the sink also drains the WAN port (off when something else carries the WAN output,
  // e.g. to a second gateway).
  bool sink_wan = true;
  unsigned scheduler_threads = 0;  // 0: one per core minus the detached polling actors, >= 1
  // The generator stamps its frames and the sink records their latency (sink_latency()).
  bool measure_latency = false;
  // The generator and sink on threads of their own, which sleep their pauses (a delayed message
  // costs CAF's timer thread and a scheduler thread several system calls), or on CAF's scheduler
  // (bench --stage-cost: every actor on one scheduler thread, so none runs beside another).
  bool harness_threads = true;
  ControlPlaneOptions control;  // handshake actor knobs (tests force "under load")
};

// What Gateway::change_peers did.
struct PeerChangeReport {
  bool applied = false;
  // Keys that need a restart (file:line:col of the new file where known): nothing was applied.
  std::vector<config::ConfigError> refused;
  std::vector<std::string> changes;  // one line per peer added, removed or changed
  std::string error;                 // applied == false without refusals: why
};

// How a stop went (Gateway::stop).
struct StopReport {
  // From "stop receiving" until nothing moved inside the graph any more (or kDrainTimeout).
  std::chrono::microseconds drain{0};
  bool drained = true;  // false: kDrainTimeout passed first (what was left is counted as drops)
  // From "stop receiving" until every actor had exited.
  std::chrono::microseconds total{0};
};

class Gateway {
 public:
  // Starts everything; nullptr with `error` set when anything fails (nothing is left running).
  static std::unique_ptr<Gateway> start(const config::GatewayConfig& config,
                                        const GatewayOptions& options, std::string& error);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Stops receiving (and pauses the generator), lets what is inside the graph finish (batches
  // in mailboxes, the reorder buffer, frames queued for a port) until no counter moves, at most
  // tuning::kDrainTimeout, then stops all actors and waits for them: what still waited (for a
  // handshake, for ARP/ND) is freed and counted as dropped. Idempotent (later calls return the
  // first report). Ports and counters stay readable.
  StopReport stop();
  // After stop(): closes both ports, which gives back the mbufs they hold (a NIC's rx
  // descriptors, an in-process port's rings), and returns every mempool of the process with its
  // objects in use: all zero unless an mbuf leaked. Port stats stay readable; nothing may use
  // the ports' rings afterwards.
  std::vector<io::MempoolUsage> close_ports();

  // The config the gateway started with (ports, topology, ...: what a reload cannot change).
  const config::GatewayConfig& config() const;
  // The config in force now: the start config with the peers of the latest change_peers.
  std::shared_ptr<const config::GatewayConfig> running_config() const;
  // Changes the peer set of the running gateway to `next`'s (reload, SIGHUP, UAPI set=1): the
  // diff against the running config, refused whole when it touches anything but peers;
  // otherwise applied by the data-plane owner of the peer state (between two batches) and then
  // the control actor, and returns once both have. Unchanged peers keep sessions, counters,
  // endpoint and timers. One change at a time (callers from several threads wait their turn).
  PeerChangeReport change_peers(const config::GatewayConfig& next);
  io::Port& port(config::PortRole role);
  const io::Port& port(config::PortRole role) const;
  // Counters of every actor, topology stages first, then generator and sink (if attached).
  std::vector<std::shared_ptr<const StageCounters>> counters() const;
  // The gateway's own actors (topology stages and the handshake actor): counters() without the
  // built-in generator and sink, which stand for the wire, not the gateway.
  std::vector<std::shared_ptr<const StageCounters>> gateway_counters() const;
  // Per-peer traffic, in the running config's order (running_config()->peers).
  std::vector<std::shared_ptr<const PeerCounters>> peer_counters() const;
  // The stages that receive from the ports / transmit to them: the gateway's in and out.
  std::vector<std::shared_ptr<const StageCounters>> ingress_counters() const;
  std::vector<std::shared_ptr<const StageCounters>> egress_counters() const;
  const StageCounters* control_counters() const;  // the handshake actor
  const StageCounters* generator_counters() const;
  const StageCounters* sink_counters() const;
  // With GatewayOptions::measure_latency and a sink: the latency of the generator's frames.
  const LatencyHistogram* sink_latency() const;
  // The generator's traffic (nullptr without a generator): tests rebuild expected frames.
  std::shared_ptr<const io::TrafficGenerator> traffic() const;
  // Changes the built-in generator's offered rate (0: as fast as accepted) or pauses it.
  void set_generator_rate(std::uint64_t rate_pps);
  void pause_generator(bool paused);
  // True once a generator with max_packets has offered them all.
  bool generator_finished() const;

 private:
  struct Impl;
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace actorwire::actors
