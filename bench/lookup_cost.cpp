#include "bench/lookup_cost.hpp"

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <optional>
#include <random>
#include <vector>

#include "actors/dataplane/peer_plane.hpp"
#include "io/byte_order.hpp"
#include "io/headers.hpp"
#include "io/traffic_generator.hpp"

namespace actorwire::bench {
namespace {

// Packets in flight at once, as in a burst: their frames stay in cache, as a burst just
// received does, so what is measured is the peers' data, not the packets'.
constexpr std::size_t kBurst = 32;
constexpr std::size_t kIpv4DestinationOffset = 16;
constexpr int kRuns = 5;

double thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// What actors/gateway.cpp gives the generator: the first peer's first IPv4 prefix.
std::optional<config::IpPrefix> generator_destination(const config::GatewayConfig& config) {
  for (const auto& peer : config.peers) {
    for (const auto& prefix : peer.allowed_ips) {
      if (!prefix.address.is_v6) return prefix;
    }
  }
  return std::nullopt;
}

// kBurst generated frames in mbufs of their own pool; each packet takes one and gets the
// destination of the flow it stands for written in.
class Burst {
 public:
  Burst(const io::TrafficGenerator& traffic, std::string& error) {
    static unsigned serial = 0;
    const std::string name = "lookup_cost" + std::to_string(serial++);
    pool_ = rte_pktmbuf_pool_create(name.c_str(), 2 * kBurst, 0, 0, RTE_PKTMBUF_HEADROOM + 128,
                                    SOCKET_ID_ANY);
    if (pool_ == nullptr) {
      error = "no mbuf pool for the lookup frames";
      return;
    }
    for (std::size_t i = 0; i < kBurst; ++i) {
      mbufs_[i] = rte_pktmbuf_alloc(pool_);
      if (mbufs_[i] == nullptr || !traffic.fill(mbufs_[i], i) ||
          io::parse_frame(rte_pktmbuf_mtod(mbufs_[i], std::uint8_t*), mbufs_[i]->data_len,
                          parsed_[i]) != io::FrameError::kNone) {
        error = "cannot build the lookup frames";
        return;
      }
    }
  }
  ~Burst() {
    for (rte_mbuf* mbuf : mbufs_) rte_pktmbuf_free(mbuf);
    rte_mempool_free(pool_);
  }
  Burst(const Burst&) = delete;
  Burst& operator=(const Burst&) = delete;

  rte_mbuf* with_destination(std::size_t slot, std::uint32_t destination) {
    io::store_be32(rte_pktmbuf_mtod(mbufs_[slot], std::uint8_t*) + parsed_[slot].l3_offset +
                       kIpv4DestinationOffset,
                   destination);
    return mbufs_[slot];
  }
  const io::ParsedFrame& parsed(std::size_t slot) const { return parsed_[slot]; }
  // The data plane kept this one (staged it): it frees it, not us.
  void forget(std::size_t slot) { mbufs_[slot] = nullptr; }

 private:
  rte_mempool* pool_ = nullptr;
  std::array<rte_mbuf*, kBurst> mbufs_{};
  std::array<io::ParsedFrame, kBurst> parsed_{};
};

// Every flow's destination (host order), in a fixed random order: packets of many flows
// interleave, and a plain cycle over the flows (peer 0, 1, 2, ...) would let the prefetcher
// hide the misses.
std::vector<std::uint32_t> shuffled_destinations(const io::TrafficGenerator& traffic,
                                                 std::uint32_t flows) {
  std::vector<std::uint32_t> destinations;
  std::vector<std::uint8_t> frame(io::kEthernetHeaderSize + io::TrafficGenerator::kMaxIpSize);
  for (std::uint32_t seq = 0; seq < flows; ++seq) {
    traffic.write_frame(seq, frame.data());
    destinations.push_back(
        io::load_be32(frame.data() + io::kEthernetHeaderSize + kIpv4DestinationOffset));
  }
  std::shuffle(destinations.begin(), destinations.end(), std::mt19937(1));
  return destinations;
}

}  // namespace

double outbound_lookup_ns(const config::GatewayConfig& config, std::uint32_t flows, double seconds,
                          std::string& error) {
  const auto destination = generator_destination(config);
  if (!destination) {
    error = "no peer has an IPv4 prefix to send to";
    return 0;
  }
  io::TrafficPattern pattern;
  pattern.source_ip = 0x0A0A0064u;  // 10.10.0.100, a LAN host of the embedded default
  pattern.destination_prefix = *destination;
  pattern.flows = flows;
  pattern.ip_sizes = {64};
  const io::TrafficGenerator traffic(pattern);
  const std::vector<std::uint32_t> destinations = shuffled_destinations(traffic, flows);
  Burst burst(traffic, error);
  if (!error.empty()) return 0;
  static unsigned serial = 0;
  actors::PeerPlane plane(config, "lookup_cost" + std::to_string(serial++));
  if (!plane.valid()) {
    error = "the peer table could not be built";
    return 0;
  }
  actors::StageCounters counters("lookup_cost");
  actors::CryptoArgs args;
  const auto now = actors::Clock::now();
  // Every flow once, a burst at a time, the way the data path does it: the burst's peers are
  // prefetched together, then each packet is prepared.
  std::array<rte_mbuf*, kBurst> mbufs{};
  std::array<std::uint32_t, kBurst> routes{};
  const auto pass = [&] {
    for (std::size_t first = 0; first < destinations.size(); first += kBurst) {
      const std::size_t count = std::min(kBurst, destinations.size() - first);
      for (std::size_t slot = 0; slot < count; ++slot) {
        mbufs[slot] = burst.with_destination(slot, destinations[first + slot]);
      }
      actors::PeerPlane::route_burst(plane.routes(), {mbufs.data(), count}, routes);
      plane.prefetch_routed({routes.data(), count});
      for (std::size_t slot = 0; slot < count; ++slot) {
        actors::DropReason reason{};
        const auto outcome = plane.prepare_outbound(mbufs[slot], burst.parsed(slot), now, args,
                                                    reason, counters, routes[slot]);
        if (outcome == actors::PeerPlane::Outbound::kStaged) burst.forget(slot);
        if (outcome != actors::PeerPlane::Outbound::kSeal) return false;
      }
    }
    return true;
  };
  if (!pass()) {  // warm-up; also checks that every flow finds a peer with keys
    error = "a generated frame found no peer with a usable keypair";
    return 0;
  }
  // The best of a few runs: a busy machine only ever adds (its processes' cache traffic).
  double best = 0;
  for (int run = 0; run < kRuns; ++run) {
    const double start = thread_cpu_ns();
    std::uint64_t packets = 0;
    double elapsed = 0;
    while (elapsed < seconds * 1e9 / kRuns) {
      if (!pass()) {
        error = "a generated frame found no peer with a usable keypair";
        return 0;
      }
      packets += destinations.size();
      elapsed = thread_cpu_ns() - start;
    }
    const double per_packet = elapsed / static_cast<double>(packets);
    if (run == 0 || per_packet < best) best = per_packet;
  }
  return best;
}

}  // namespace actorwire::bench
