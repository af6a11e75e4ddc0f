#include "bench/bench_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <thread>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <optional>

#include "actors/gateway.hpp"
#include "bench/aead_rate.hpp"
#include "crypto/keys.hpp"
#include "crypto/transport.hpp"
#include "io/eal.hpp"
#include "io/rss.hpp"

namespace actorwire::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Snapshot {
  Clock::time_point at;
  std::uint64_t out = 0, out_bytes = 0, drops = 0, port_drops = 0, offered = 0;
  std::uint64_t generator_busy = 0, sink_busy = 0;
  std::map<std::string, std::array<std::uint64_t, 5>> stages;  // busy, stalls, backoffs, ns, lock
  actors::LatencyHistogram::Counts latency{};                  // the sink's, when it records
};

Snapshot take(const actors::Gateway& gateway, const std::string& prefix = "") {
  Snapshot s;
  s.at = Clock::now();
  if (const auto* latency = gateway.sink_latency()) s.latency = latency->snapshot();
  for (const auto& counters : gateway.egress_counters()) {
    s.out += counters->packets_out.get();
    s.out_bytes += counters->bytes_out.get();
  }
  for (auto role : {config::PortRole::kLan, config::PortRole::kWan}) {
    s.port_drops += gateway.port(role).stats().rx_missed;
  }
  for (const auto& counters : gateway.counters()) {
    if (counters.get() == gateway.generator_counters()) {
      s.offered = counters->packets_generated.get();
      s.port_drops += counters->drops_total();  // refused by a full rx ring: the NIC's drop
      s.generator_busy = counters->busy_ns.get();
      continue;
    }
    if (counters.get() == gateway.sink_counters()) {
      s.sink_busy = counters->busy_ns.get();
      continue;
    }
    if (counters.get() != gateway.control_counters()) s.drops += counters->drops_total();
    s.stages[prefix + counters->name] = {counters->busy_ns.get(), counters->credit_stalls.get(),
                                         counters->backoff_events.get(), counters->backoff_ns.get(),
                                         counters->lock_wait_ns.get()};
  }
  return s;
}

void add_stages(const Snapshot& first, const Snapshot& last, double seconds,
                std::vector<StageSample>& out, const actors::Gateway& gateway,
                const std::string& prefix) {
  const double ns = seconds * 1e9;
  for (const auto& counters : gateway.counters()) {
    const auto now = last.stages.find(prefix + counters->name);
    const auto then = first.stages.find(prefix + counters->name);
    if (now == last.stages.end() || then == first.stages.end()) continue;
    StageSample stage;
    stage.name = prefix + counters->name;
    stage.busy_pct = 100.0 * static_cast<double>(now->second[0] - then->second[0]) / ns;
    stage.credit_stalls = now->second[1] - then->second[1];
    stage.backoff_events = now->second[2] - then->second[2];
    stage.backoff_ms = static_cast<double>(now->second[3] - then->second[3]) / 1e6;
    stage.lock_wait_pct = 100.0 * static_cast<double>(now->second[4] - then->second[4]) / ns;
    stage.mailbox_high_water = counters->mailbox_high_water.get();
    out.push_back(stage);
  }
}

// The far end for direction "both": a gateway whose WAN is where the first one's peer lives,
// with the mirrored static session, delivering to a LAN router of its own.
bool mirror_config(const config::GatewayConfig& a, const actors::Gateway& running,
                   config::GatewayConfig& b, std::string& error) {
  const config::PortConfig* a_lan = a.port(config::PortRole::kLan);
  const config::PortConfig* a_wan = a.port(config::PortRole::kWan);
  if (a.peers.size() != 1 || !a.peers[0].static_session || !a.peers[0].endpoint ||
      a.peers[0].endpoint->address.is_v6 || a_lan == nullptr || a_wan == nullptr ||
      a_lan->addresses.empty() || a_wan->addresses.empty()) {
    error = "direction both needs one peer with an IPv4 endpoint and a static session";
    return false;
  }
  const config::PeerConfig& peer = a.peers[0];
  b = a;
  b.interface.private_key = crypto::random_secret_key();
  b.interface.listen_port = peer.endpoint->port;
  config::PortConfig lan;
  lan.role = config::PortRole::kLan;
  lan.device = "net_ring_blan";
  // B's hosts: inside what A allows from its peer (A's first allowed prefix), so traffic B's
  // generator sends (direction both) is accepted by A; the last /24 of it, reached by a router.
  const config::IpPrefix& a_allowed = peer.allowed_ips.at(0);
  const std::uint32_t b_net = (a_allowed.address.v4_host_order() |
                               ~(a_allowed.length == 0 ? 0u : ~0u << (32 - a_allowed.length))) &
                              0xFFFFFF00u;
  lan.addresses = {config::IpPrefix{config::IpAddress::v4(b_net | 1), 24}};
  lan.next_hop = config::IpAddress::v4(b_net | 2);
  lan.neighbours = {{*lan.next_hop, *config::parse_mac_address("02:00:00:00:b0:fe")}};
  config::PortConfig wan;
  wan.role = config::PortRole::kWan;
  wan.device = "net_ring_bwan";
  wan.addresses = {config::IpPrefix{peer.endpoint->address, a_wan->addresses[0].length}};
  for (const auto& neighbour : a_wan->neighbours) {
    if (neighbour.address == peer.endpoint->address) wan.mac = neighbour.mac;
  }
  const auto& a_wan_identity = running.port(config::PortRole::kWan).identity();
  wan.neighbours = {{config::IpAddress::v4(a_wan_identity.primary_ipv4()), a_wan_identity.mac}};
  b.ports = {lan, wan};
  config::PeerConfig mirror;
  mirror.public_key = crypto::derive_public_key(a.interface.private_key);
  mirror.endpoint = config::Endpoint{config::IpAddress::v4(a_wan_identity.primary_ipv4()),
                                     a.interface.listen_port};
  // First B's generator's destinations (direction both: behind A's LAN router), then A's hosts.
  mirror.allowed_ips = {*config::parse_ip_prefix("10.111.0.0/16"),
                        config::network_of(a_lan->addresses[0])};
  config::StaticSession session;
  session.send_key = peer.static_session->receive_key;
  session.receive_key = peer.static_session->send_key;
  session.send_index = peer.static_session->receive_index;
  session.receive_index = peer.static_session->send_index;
  mirror.static_session = session;
  b.peers = {mirror};
  return true;
}

// Carries the first gateway's WAN output to the second's WAN input, each frame on the queue
// RSS picks; a full ring drops it, counted, as a NIC would.
class WanRelay {
 public:
  WanRelay(io::Port& from, io::Port& to) : from_(from), to_(to) {
    thread_ = std::thread([this] { run(); });
  }
  ~WanRelay() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::uint64_t drops() const { return drops_; }

 private:
  void run() {
    io::register_current_thread();
    std::array<void*, 64> burst;
    while (!stop_) {
      unsigned moved = 0;
      for (std::uint16_t q = 0; q < from_.queues(); ++q) {
        const unsigned n =
            rte_ring_dequeue_burst(from_.capture_ring(q), burst.data(), burst.size(), nullptr);
        for (unsigned i = 0; i < n; ++i) {
          auto* mbuf = static_cast<rte_mbuf*>(burst[i]);
          const auto queue = io::rss_queue_for_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*),
                                                     mbuf->data_len, to_.queues());
          if (rte_ring_enqueue(to_.inject_ring(queue), mbuf) != 0) {
            rte_pktmbuf_free(mbuf);
            ++drops_;
          }
        }
        moved += n;
      }
      if (moved == 0) std::this_thread::yield();
    }
    io::unregister_current_thread();
  }

  io::Port& from_;
  io::Port& to_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> drops_{0};
  std::thread thread_;
};

// The back-end the gateway runs, its own ceiling and the ratio against it.
void rate_against_aead_in_use(const config::GatewayConfig& config, const BenchPoint& point,
                              Ceiling& ceiling, BenchResult& result) {
  const crypto::AeadKind kind = crypto::resolve_aead(config.crypto.aead).kind;
  result.aead = std::string(crypto::to_string(kind));
  const double seal = ceiling.seal_mpps(point.sizes, config.interface.mtu, kind);
  const double open = ceiling.open_mpps(point.sizes, config.interface.mtu, kind);
  if (point.direction == "encrypt") {
    result.aead_ceiling_mpps = seal;
  } else {
    result.aead_ceiling_mpps = point.direction == "both" ? 2.0 / (1.0 / seal + 1.0 / open) : open;
  }
  result.ratio_aead = result.mpps / result.aead_ceiling_mpps;
}

// Directions "decrypt" and "both": two gateways, WAN to WAN. A's generator feeds A's LAN; for
// "both" B's generator feeds B's LAN too, so B (the one measured) encrypts and decrypts at once.
bool run_chain(const config::GatewayConfig& base, const BenchPoint& point, Ceiling& ceiling,
               BenchResult& result, std::string& error) {
  const bool both = point.direction == "both";
  // A delivers what B sends it (10.111.0.0/16, off its LAN subnet) to a LAN router.
  config::GatewayConfig config = base;
  for (auto& port : config.ports) {
    if (port.role != config::PortRole::kLan || port.next_hop || port.addresses.empty()) continue;
    const std::uint32_t router = (port.addresses[0].address.v4_host_order() & 0xFFFFFF00u) | 254;
    port.next_hop = config::IpAddress::v4(router);
    port.neighbours.push_back({*port.next_hop, *config::parse_mac_address("02:00:00:00:a0:fe")});
  }
  const double seal = ceiling.seal_mpps(point.sizes, config.interface.mtu);
  const double open = ceiling.open_mpps(point.sizes, config.interface.mtu);
  // "both": half the packets are sealed, half opened.
  result.ceiling_mpps = both ? 2.0 / (1.0 / seal + 1.0 / open) : open;
  actors::GatewayOptions options;
  options.sink_wan = false;  // the relays carry the WAN output
  options.measure_latency = point.measure_latency;
  auto a = actors::Gateway::start(config, options, error);
  if (!a) return false;
  config::GatewayConfig mirror;
  if (!mirror_config(config, *a, mirror, error)) return false;
  options.attach_generator = both;
  auto b = actors::Gateway::start(mirror, options, error);
  if (!b) return false;
  WanRelay a_to_b(a->port(config::PortRole::kWan), b->port(config::PortRole::kWan));
  std::optional<WanRelay> b_to_a;
  if (both) b_to_a.emplace(b->port(config::PortRole::kWan), a->port(config::PortRole::kWan));
  auto relay_drops = [&] { return a_to_b.drops() + (b_to_a ? b_to_a->drops() : 0); };

  std::this_thread::sleep_for(std::chrono::duration<double>(point.warmup_s));
  const Snapshot a0 = take(*a, "a-");
  const Snapshot b0 = take(*b, "b-");
  const std::uint64_t relay0 = relay_drops();
  std::this_thread::sleep_for(std::chrono::duration<double>(point.duration_s));
  const Snapshot a1 = take(*a, "a-");
  const Snapshot b1 = take(*b, "b-");
  const std::uint64_t relay1 = relay_drops();
  a->stop();
  b->stop();
  a_to_b.stop();
  if (b_to_a) b_to_a->stop();

  const double seconds = std::chrono::duration<double>(b1.at - b0.at).count();
  result.offered_mpps =
      static_cast<double>((a1.offered - a0.offered) + (b1.offered - b0.offered)) / seconds / 1e6;
  // B's whole output: decrypted to its LAN, and (both) encrypted to its WAN.
  result.mpps = static_cast<double>(b1.out - b0.out) / seconds / 1e6;
  result.gbit_s = static_cast<double>(b1.out_bytes - b0.out_bytes) * 8 / seconds / 1e9;
  result.drops = (a1.drops - a0.drops) + (b1.drops - b0.drops);
  result.port_drops =
      (a1.port_drops - a0.port_drops) + (b1.port_drops - b0.port_drops) + (relay1 - relay0);
  result.ratio = result.mpps / result.ceiling_mpps;
  result.ratio_per_core = result.ratio / result.crypto_cores;
  rate_against_aead_in_use(config, point, ceiling, result);
  const double ns = seconds * 1e9;
  result.generator_cpu_pct = 100.0 *
                             static_cast<double>((a1.generator_busy - a0.generator_busy) +
                                                 (b1.generator_busy - b0.generator_busy)) /
                             ns;
  result.sink_cpu_pct =
      100.0 * static_cast<double>((a1.sink_busy - a0.sink_busy) + (b1.sink_busy - b0.sink_busy)) /
      ns;
  result.latency = actors::summarize(actors::window_of(b0.latency, b1.latency));
  add_stages(a0, a1, seconds, result.stages, *a, "a-");
  add_stages(b0, b1, seconds, result.stages, *b, "b-");
  return true;
}

unsigned crypto_cores(const BenchPoint& point) {
  return point.topology == config::TopologyKind::kSingle ? 1u : point.crypto_workers;
}

std::string topology_label(const BenchPoint& point) {
  std::string label(config::to_string(point.topology));
  if (point.direction != "encrypt") label = point.direction + " " + label;
  if (point.topology != config::TopologyKind::kSingle) {
    label += " w" + std::to_string(point.crypto_workers);
  }
  if (point.ordered) label += " ordered";
  return label;
}

}  // namespace

std::vector<std::uint16_t> imix_sizes(std::uint16_t mtu) {
  std::vector<std::uint16_t> sizes(7, 64);
  sizes.insert(sizes.end(), 4, 576);
  sizes.push_back(std::min<std::uint16_t>(1500, mtu));
  return sizes;
}

double Ceiling::mix_mpps(const std::vector<std::uint16_t>& sizes, std::uint16_t mtu, bool open,
                         std::optional<crypto::AeadKind> in_use) {
  // A packet of the mix costs the mean of its sizes' times (padded plaintext, as sealed).
  double seconds_per_packet = 0;
  for (std::uint16_t size : sizes) {
    const std::size_t plaintext = size + crypto::padding_for(size, mtu);
    auto found = per_size_.find(plaintext);
    if (found == per_size_.end()) {
      std::map<crypto::AeadKind, AeadRate> rates;
      for (auto kind : crypto::kAeadBackEnds) rates[kind] = measure_aead(kind, plaintext, seconds_);
      found = per_size_.emplace(plaintext, std::move(rates)).first;
    }
    double per_second = 0;
    for (const auto& [kind, rate] : found->second) {
      if (in_use && kind != *in_use) continue;
      per_second = std::max(per_second, open ? rate.opens_per_second : rate.seals_per_second);
    }
    seconds_per_packet += 1e6 / per_second;
  }
  return static_cast<double>(sizes.size()) / seconds_per_packet;
}

bool run_point(const config::GatewayConfig& base, const BenchPoint& point, Ceiling& ceiling,
               BenchResult& result, std::string& error) {
  config::GatewayConfig config = base;
  config.topology.kind = point.topology;
  config.topology.crypto_workers = point.crypto_workers;
  config.topology.ordered = point.ordered;
  config.generator.flows = point.flows;
  config.generator.packet_sizes = point.sizes;
  config.generator.rate_pps = point.rate_pps;
  config.generator.max_packets = 0;
  result = BenchResult{};
  result.point = point;
  result.crypto_cores = crypto_cores(point);
  result.peers = config.peers.size();
  if (point.direction != "encrypt") return run_chain(config, point, ceiling, result, error);
  // The ceiling first, with the gateway not yet running (it would share the cores).
  result.ceiling_mpps = ceiling.seal_mpps(point.sizes, config.interface.mtu);

  actors::GatewayOptions options;
  options.measure_latency = point.measure_latency;
  auto gateway = actors::Gateway::start(config, options, error);
  if (!gateway) return false;
  std::this_thread::sleep_for(std::chrono::duration<double>(point.warmup_s));
  const Snapshot first = take(*gateway);
  std::this_thread::sleep_for(std::chrono::duration<double>(point.duration_s));
  const Snapshot last = take(*gateway);
  gateway->stop();

  const double seconds = std::chrono::duration<double>(last.at - first.at).count();
  result.offered_mpps = static_cast<double>(last.offered - first.offered) / seconds / 1e6;
  result.mpps = static_cast<double>(last.out - first.out) / seconds / 1e6;
  result.gbit_s = static_cast<double>(last.out_bytes - first.out_bytes) * 8 / seconds / 1e9;
  result.drops = last.drops - first.drops;
  result.port_drops = last.port_drops - first.port_drops;
  result.ratio = result.mpps / result.ceiling_mpps;
  result.ratio_per_core = result.ratio / result.crypto_cores;
  rate_against_aead_in_use(config, point, ceiling, result);
  const double ns = seconds * 1e9;
  result.generator_cpu_pct =
      100.0 * static_cast<double>(last.generator_busy - first.generator_busy) / ns;
  result.sink_cpu_pct = 100.0 * static_cast<double>(last.sink_busy - first.sink_busy) / ns;
  result.latency = actors::summarize(actors::window_of(first.latency, last.latency));
  add_stages(first, last, seconds, result.stages, *gateway, "");
  return true;
}

std::string csv_header() {
  return "figure,direction,topology,crypto_workers,ordered,flows,peers,size,offered_pps,"
         "offered_mpps,mpps,gbit_s,"
         "drops,port_drops,ceiling_mpps,crypto_cores,ratio,ratio_per_core,generator_cpu_pct,"
         "sink_cpu_pct,stages,aead,aead_ceiling_mpps,ratio_aead";
}

std::string csv_row(const BenchResult& r) {
  const BenchPoint& p = r.point;
  // Stages as name:busy%:mailbox_high_water:stalls:backoffs:backoff_ms:lock_wait% joined by ';'.
  std::string stages;
  for (const StageSample& s : r.stages) {
    char item[160];
    std::snprintf(item, sizeof item, "%s%s:%.1f:%llu:%llu:%llu:%.1f:%.1f",
                  stages.empty() ? "" : ";", s.name.c_str(), s.busy_pct,
                  static_cast<unsigned long long>(s.mailbox_high_water),
                  static_cast<unsigned long long>(s.credit_stalls),
                  static_cast<unsigned long long>(s.backoff_events), s.backoff_ms, s.lock_wait_pct);
    stages += item;
  }
  char line[512];
  std::snprintf(
      line, sizeof line,
      "%s,%s,%s,%u,%d,%u,%zu,%s,%llu,%.4f,%.4f,%.3f,%llu,%llu,%.4f,%u,%.3f,%.3f,%.1f,%.1f,",
      p.figure.c_str(), p.direction.c_str(), std::string(config::to_string(p.topology)).c_str(),
      p.crypto_workers, p.ordered ? 1 : 0, p.flows, r.peers, p.size_label.c_str(),
      static_cast<unsigned long long>(p.rate_pps), r.offered_mpps, r.mpps, r.gbit_s,
      static_cast<unsigned long long>(r.drops), static_cast<unsigned long long>(r.port_drops),
      r.ceiling_mpps, r.crypto_cores, r.ratio, r.ratio_per_core, r.generator_cpu_pct,
      r.sink_cpu_pct);
  char aead[96];
  std::snprintf(aead, sizeof aead, ",%s,%.4f,%.3f", r.aead.c_str(), r.aead_ceiling_mpps,
                r.ratio_aead);
  return line + stages + aead;
}

std::string describe(const BenchResult& r) {
  const BenchPoint& p = r.point;
  char line[512];
  std::snprintf(
      line, sizeof line,
      "%-26s %5u flows %5zu peers %5s B %9s: %7.3f Mpps %7.3f Gbit/s  ceiling %.3f Mpps  ratio "
      "%.2f (%.2f per crypto core; %.2f of %s's %.3f)  drops %llu  shed at port %llu  gen %.0f%% "
      "sink %.0f%%",
      topology_label(p).c_str(), p.flows, r.peers, p.size_label.c_str(),
      p.rate_pps == 0 ? "max" : (std::to_string(p.rate_pps / 1000) + "kpps").c_str(), r.mpps,
      r.gbit_s, r.ceiling_mpps, r.ratio, r.ratio_per_core, r.ratio_aead, r.aead.c_str(),
      r.aead_ceiling_mpps, static_cast<unsigned long long>(r.drops),
      static_cast<unsigned long long>(r.port_drops), r.generator_cpu_pct, r.sink_cpu_pct);
  return line;
}

}  // namespace actorwire::bench
