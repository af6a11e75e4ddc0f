#include "bench/peer_scale.hpp"

#include <malloc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "actors/control/control_plane.hpp"
#include "actors/dataplane/peer_plane.hpp"
#include "bench/lookup_cost.hpp"
#include "bench/peer_population.hpp"
#include "config/load_config.hpp"
#include "io/eal.hpp"

namespace actorwire::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The lookup cost is measured over the most flows the generator makes: with 10,000 peers
// (32,766 tunnel addresses routed to peer 0's first prefix) every peer gets some.
constexpr std::uint32_t kLookupFlows = 65536;
constexpr double kLookupSeconds = 0.5;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A process-unique name for the allowed-IPs tables of each peer table built here.
std::string table_name() {
  static unsigned serial = 0;
  return "bps" + std::to_string(serial++);
}

struct HeapBytes {
  double malloc = 0;  // in use in glibc's heap, all arenas, mmapped blocks included
  double dpdk = 0;    // allocated from DPDK's heap, all sockets
};

HeapBytes heap_in_use() {
  HeapBytes bytes;
  const struct mallinfo2 info = mallinfo2();
  bytes.malloc = static_cast<double>(info.uordblks + info.hblkhd);
  for (unsigned i = 0; i < rte_socket_count(); ++i) {
    rte_malloc_socket_stats stats{};
    if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &stats) == 0) {
      bytes.dpdk += static_cast<double>(stats.heap_allocsz_bytes);
    }
  }
  return bytes;
}

// What the data plane's and the control plane's state for `config`'s peers adds to the heaps.
struct PlaneBytes {
  HeapBytes data_plane;
  double control_plane = 0;
};

PlaneBytes plane_bytes(const config::GatewayConfig& config) {
  PlaneBytes bytes;
  const HeapBytes before = heap_in_use();
  auto data_plane = std::make_unique<actors::PeerPlane>(config, table_name());
  const HeapBytes with_data_plane = heap_in_use();
  auto control_plane = std::make_unique<actors::ControlPlane>(
      config, std::make_shared<actors::StageCounters>("control"));
  const HeapBytes with_both = heap_in_use();
  bytes.data_plane = {with_data_plane.malloc - before.malloc, with_data_plane.dpdk - before.dpdk};
  // The control plane's StageCounters is fixed cost and cancels out like the rest.
  bytes.control_plane =
      (with_both.malloc - with_data_plane.malloc) + (with_both.dpdk - with_data_plane.dpdk);
  return bytes;
}

std::size_t count_prefixes(const config::GatewayConfig& config) {
  std::size_t count = 0;
  for (const auto& peer : config.peers) count += peer.allowed_ips.size();
  return count;
}

}  // namespace

bool populate(const config::GatewayConfig& base, std::uint32_t peers, config::GatewayConfig& out,
              PeerScale& scale, std::string& error) {
  if (peers == 0 || peers > kMaxPopulationPeers) {
    error = "peers must be 1.." + std::to_string(kMaxPopulationPeers);
    return false;
  }
  if (!io::start_eal(base.dpdk.eal_args, error)) return false;
  scale = PeerScale{};
  scale.peers = peers;
  const std::string text = peer_population_toml(peers);
  auto start = Clock::now();
  config::LoadResult loaded = config::load_config_string(text, "<generated peers>");
  scale.load_ms = ms_since(start);
  if (!loaded.ok()) {
    error = "the generated config does not load: " + loaded.errors.at(0).to_string();
    return false;
  }
  out = base;
  out.peers = std::move(loaded.config->peers);
  scale.prefixes = count_prefixes(out);

  start = Clock::now();
  {
    const actors::PeerTable table(out, table_name());
    scale.table_ms = ms_since(start);
    if (!table.valid()) {
      error = "the peer table for " + std::to_string(peers) + " peers could not be built";
      return false;
    }
  }
  start = Clock::now();
  { const actors::ControlPlane control(out, std::make_shared<actors::StageCounters>("control")); }
  scale.control_ms = ms_since(start);

  scale.outbound_lookup_ns = outbound_lookup_ns(out, kLookupFlows, kLookupSeconds, error);
  if (scale.outbound_lookup_ns == 0) return false;

  if (peers > 1) {
    config::GatewayConfig first_alone = out;
    first_alone.peers.resize(1);
    const PlaneBytes fixed = plane_bytes(first_alone);
    const PlaneBytes all = plane_bytes(out);
    const double others = peers - 1;
    scale.data_plane_heap_per_peer = (all.data_plane.malloc - fixed.data_plane.malloc) / others;
    scale.data_plane_dpdk_per_peer = (all.data_plane.dpdk - fixed.data_plane.dpdk) / others;
    scale.control_plane_per_peer = (all.control_plane - fixed.control_plane) / others;
  }
  return true;
}

const config::GatewayConfig* PointConfigs::for_peers(std::uint32_t peers,
                                                     std::optional<PeerScale>& built,
                                                     std::string& error) {
  built.reset();
  if (peers == 0) return &base_;
  if (const auto found = populated_.find(peers); found != populated_.end()) return &found->second;
  config::GatewayConfig config;
  PeerScale scale;
  if (!populate(base_, peers, config, scale, error)) return nullptr;
  built = scale;
  return &populated_.emplace(peers, std::move(config)).first->second;
}

std::string describe(const PeerScale& s) {
  char line[400];
  const int n =
      std::snprintf(line, sizeof line,
                    "peers %u (%zu prefixes): config load %.0f ms, peer table %.0f ms, "
                    "control plane %.0f ms; outbound lookup %.1f ns/packet",
                    s.peers, s.prefixes, s.load_ms, s.table_ms, s.control_ms, s.outbound_lookup_ns);
  if (s.peers > 1 && n > 0 && static_cast<std::size_t>(n) < sizeof line) {
    std::snprintf(
        line + n, sizeof line - static_cast<std::size_t>(n),
        "; per idle peer %.0f B (data plane %.0f B heap + %.0f B DPDK, control plane %.0f B)",
        s.data_plane_heap_per_peer + s.data_plane_dpdk_per_peer + s.control_plane_per_peer,
        s.data_plane_heap_per_peer, s.data_plane_dpdk_per_peer, s.control_plane_per_peer);
  }
  return line;
}

}  // namespace actorwire::bench
