// What an idle gateway costs and how fast it wakes up ([dpdk] idle_backoff_max_us):
//   1. idle CPU: the gateway on its embedded default (in-process ring ports, sink attached, no
//      generator), the process's CPU time (getrusage: every thread, CAF's included) over a few
//      idle seconds, as a share of one core;
//   2. wake-up latency: single packets, each after a random quiet spell long enough for the
//      back-off to reach its maximum; the time from the enqueue on the LAN ring to the
//      encrypted frame on the WAN ring (this program polls the WAN ring itself). With
//      `--ports tap` or `--ports af_packet` the gateway's two ports are net_tap / net_af_packet
//      ports on kernel interfaces in a network namespace of this process's own (unshare: it
//      needs root, and the interfaces vanish with the process); the frame is sent on the LAN
//      interface's kernel side (an AF_PACKET socket) and picked up on the WAN interface's;
//   3. how late a sleep wakes: std::this_thread::sleep_for on a thread of its own (default
//      timer slack, and the 1 us slack the detached pollers set) against a CAF delayed_send to
//      a scheduled actor (CAF's timer thread, then a scheduler thread): the two ways a poller
//      can pause.
// Usage: idle_wake [-t TOPOLOGY] [-w WORKERS] [-b BACKOFF_US ...] [--idle-seconds S] [--tries N]
//                  [--ports ring|tap|af_packet]
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "actors/common/tuning.hpp"
#include "actors/gateway.hpp"
#include "actors/runtime/messages.hpp"
#include "caf/all.hpp"
#include "config/default_config.hpp"
#include "config/load_config.hpp"
#include "io/eal.hpp"
#include "io/traffic_generator.hpp"

using namespace actorwire;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Percentiles {
  double median = 0, p99 = 0, max = 0;
};

Percentiles percentiles(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * samples.size()))];
  };
  return {at(0.5), at(0.99), samples.back()};
}

std::string describe(const Percentiles& p) {
  char text[96];
  std::snprintf(text, sizeof text, "median %6.1f us, p99 %6.1f us, max %6.1f us", p.median, p.p99,
                p.max);
  return text;
}

struct Options {
  std::string topology = "single";
  std::uint32_t workers = 1;
  std::vector<std::uint32_t> backoffs{0, 100, config::kDefaultIdleBackoffMaxUs};
  double idle_seconds = 3;
  unsigned tries = 300;
  bool skip_sleep_comparison = false;
  std::string ports = "ring";
};

// The kernel interfaces of `--ports tap|af_packet`: the gateway's port binds to `port_iface`,
// the bench sends (LAN) or listens (WAN) on `bench_iface` (the same interface's kernel side for
// a TAP device, the other end of a veth pair for af_packet).
struct KernelPorts {
  std::string lan_port_iface, lan_bench_iface, wan_port_iface, wan_bench_iface;
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

// A network namespace of this process's own, without IPv6 (so the kernel sends no neighbour or
// multicast chatter that would wake the gateway), and for af_packet two veth pairs in it.
bool make_kernel_ports(const std::string& kind, config::GatewayConfig& base, KernelPorts& out) {
  if (unshare(CLONE_NEWNET) != 0) {
    std::cerr << "idle_wake: unshare(CLONE_NEWNET): " << std::strerror(errno) << " (--ports "
              << kind << " needs root)\n";
    return false;
  }
  for (const char* conf : {"all", "default"}) {
    write_file(std::string("/proc/sys/net/ipv6/conf/") + conf + "/disable_ipv6", "1");
  }
  std::string lan_device, wan_device;
  if (kind == "tap") {
    out = {"awl0", "awl0", "aww0", "aww0"};
    lan_device = "net_tap0,iface=awl0";
    wan_device = "net_tap1,iface=aww0";
  } else if (kind == "af_packet") {
    out = {"awl0", "awl1", "aww0", "aww1"};
    for (const char* pair : {"awl", "aww"}) {
      const std::string a = std::string(pair) + "0", b = std::string(pair) + "1";
      const std::string command = "ip link add " + a + " type veth peer name " + b +
                                  " && ip link set " + a + " up && ip link set " + b + " up";
      if (std::system(command.c_str()) != 0) {
        std::cerr << "idle_wake: failed: " << command << "\n";
        return false;
      }
    }
    lan_device = "net_af_packet0,iface=awl0";
    wan_device = "net_af_packet1,iface=aww0";
  } else {
    std::cerr << "idle_wake: --ports is ring, tap or af_packet\n";
    return false;
  }
  for (auto& port : base.ports) {
    port.device = port.role == config::PortRole::kLan ? lan_device : wan_device;
  }
  return true;
}

// Where a try puts its frame for the LAN port and looks for the encrypted one on the WAN port.
class Wire {
 public:
  virtual ~Wire() = default;
  virtual void drain() = 0;  // frames that came after an earlier try gave up
  virtual bool send(std::uint64_t seq) = 0;
  // Whether an encrypted frame came (consumed) before the TSC reaches `deadline`.
  virtual bool await_frame(std::uint64_t deadline) = 0;
};

class RingWire final : public Wire {
 public:
  RingWire(rte_ring* lan_in, rte_ring* wan_out, rte_mempool* pool,
           const io::TrafficGenerator& traffic)
      : lan_in_(lan_in), wan_out_(wan_out), pool_(pool), traffic_(traffic) {}
  void drain() override {
    for (void* late = nullptr; rte_ring_dequeue(wan_out_, &late) == 0;) {
      rte_pktmbuf_free(static_cast<rte_mbuf*>(late));
    }
  }
  bool send(std::uint64_t seq) override {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
    if (mbuf == nullptr || !traffic_.fill(mbuf, seq)) {
      rte_pktmbuf_free(mbuf);
      return false;
    }
    if (rte_ring_enqueue(lan_in_, mbuf) == 0) return true;
    rte_pktmbuf_free(mbuf);
    return false;
  }
  bool await_frame(std::uint64_t deadline) override {  // spins: a ring wakes nobody
    void* out = nullptr;
    while (rte_ring_dequeue(wan_out_, &out) != 0) {
      if (rte_rdtsc() >= deadline) return false;
    }
    rte_pktmbuf_free(static_cast<rte_mbuf*>(out));
    return true;
  }

 private:
  rte_ring* lan_in_;
  rte_ring* wan_out_;
  rte_mempool* pool_;
  const io::TrafficGenerator& traffic_;
};

// AF_PACKET sockets on the kernel side of the gateway's interfaces.
class SocketWire final : public Wire {
 public:
  SocketWire(const KernelPorts& ifaces, const io::TrafficGenerator& traffic)
      : traffic_(traffic),
        lan_(open_socket(ifaces.lan_bench_iface)),
        wan_(open_socket(ifaces.wan_bench_iface)) {}
  ~SocketWire() override {
    if (lan_ >= 0) close(lan_);
    if (wan_ >= 0) close(wan_);
  }
  SocketWire(const SocketWire&) = delete;
  SocketWire& operator=(const SocketWire&) = delete;
  bool ok() const { return lan_ >= 0 && wan_ >= 0; }

  void drain() override {
    while (received()) {
    }
  }
  // Blocks in poll() rather than spinning: net_tap's rx_burst sees a frame only once DPDK's
  // signal handler for its queue fds has run, which the kernel gives the main thread first; a
  // spinning main thread that the scheduler has preempted on a loaded 2-core VM would delay that by
  // milliseconds, which a sleeping one is not.
  bool await_frame(std::uint64_t deadline) override {
    for (;;) {
      if (received()) return true;
      const std::uint64_t now = rte_rdtsc();
      if (now >= deadline) return false;
      pollfd wan{wan_, POLLIN, 0};
      const auto left_ms = (deadline - now) * 1000 / rte_get_tsc_hz() + 1;
      poll(&wan, 1, static_cast<int>(left_ms));
    }
  }
  bool send(std::uint64_t seq) override {
    std::vector<std::uint8_t> frame(traffic_.frame_length(seq));
    traffic_.write_frame(seq, frame.data());
    return ::send(lan_, frame.data(), frame.size(), 0) == static_cast<ssize_t>(frame.size());
  }

 private:
  bool received() {
    for (;;) {
      std::uint8_t frame[2048];
      sockaddr_ll from{};
      socklen_t from_length = sizeof from;
      const ssize_t length = recvfrom(wan_, frame, sizeof frame, MSG_DONTWAIT,
                                      reinterpret_cast<sockaddr*>(&from), &from_length);
      if (length <= 0) return false;
      // What the gateway sent (not what this host sends), an IPv4 UDP datagram: the
      // encrypted frame.
      if (from.sll_pkttype != PACKET_OUTGOING && length >= 34 && frame[12] == 0x08 &&
          frame[13] == 0x00 && frame[23] == IPPROTO_UDP) {
        return true;
      }
    }
  }

  static int open_socket(const std::string& iface) {
    const int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0) return -1;
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(if_nametoindex(iface.c_str()));
    if (address.sll_ifindex == 0 ||
        bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::cerr << "idle_wake: cannot bind an AF_PACKET socket to " << iface << ": "
                << std::strerror(errno) << "\n";
      close(fd);
      return -1;
    }
    return fd;
  }

  const io::TrafficGenerator& traffic_;
  int lan_;
  int wan_;
};

std::unique_ptr<actors::Gateway> start(const config::GatewayConfig& base, std::uint32_t backoff,
                                       bool sink_wan) {
  config::GatewayConfig config = base;
  config.dpdk.idle_backoff_max_us = backoff;
  config.generator.enabled = false;
  actors::GatewayOptions options;
  options.sink_wan = sink_wan;
  std::string error;
  auto gateway = actors::Gateway::start(config, options, error);
  if (!gateway) std::cerr << "idle_wake: " << error << "\n";
  return gateway;
}

// Share of one core the idle process used over `seconds` (after a settling second).
// (The sink drains in-process WAN ports only: `sink_wan`.)
bool idle_cpu(const config::GatewayConfig& base, std::uint32_t backoff, double seconds,
              bool sink_wan) {
  auto gateway = start(base, backoff, sink_wan);
  if (!gateway) return false;
  std::this_thread::sleep_for(std::chrono::seconds(1));  // start-up work (handshake actor)
  const double cpu_before = cpu_seconds();
  const auto wall_before = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double cpu = cpu_seconds() - cpu_before;
  const double wall = std::chrono::duration<double>(Clock::now() - wall_before).count();
  const actors::StopReport stopped = gateway->stop();
  std::printf("  idle CPU %6.1f %% of a core (%.2f s CPU in %.2f s); stopped in %.1f ms\n",
              100.0 * cpu / wall, cpu, wall, static_cast<double>(stopped.total.count()) / 1e3);
  return true;
}

// First-packet latency after quiet spells of 5..15 ms (the back-off reaches its maximum in
// well under 1 ms).
bool wake_latency(const config::GatewayConfig& base, std::uint32_t backoff, unsigned tries,
                  const KernelPorts* kernel) {
  auto gateway = start(base, backoff, false);
  if (!gateway) return false;
  io::Port& lan = gateway->port(config::PortRole::kLan);
  io::TrafficPattern pattern;
  pattern.destination_mac = lan.identity().mac;
  pattern.source_ip = 0x0A000064;
  pattern.destination_prefix = base.peers.at(0).allowed_ips.at(0);
  const io::TrafficGenerator traffic(pattern);
  rte_mempool* pool = nullptr;
  std::unique_ptr<Wire> wire;
  if (kernel == nullptr) {
    std::string error;
    static int pools = 0;
    pool = io::make_mbuf_pool("idle_wake_" + std::to_string(pools++), 1024, error);
    if (pool == nullptr) {
      std::cerr << "idle_wake: " << error << "\n";
      return false;
    }
    wire = std::make_unique<RingWire>(
        lan.inject_ring(), gateway->port(config::PortRole::kWan).capture_ring(), pool, traffic);
  } else {
    auto sockets = std::make_unique<SocketWire>(*kernel, traffic);
    if (!sockets->ok()) return false;
    wire = std::move(sockets);
  }
  std::mt19937 random(1);
  std::uniform_int_distribution<int> quiet_us(5000, 15000);
  std::vector<double> latencies;
  unsigned lost = 0;
  for (unsigned i = 0; i < tries; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(quiet_us(random)));
    wire->drain();  // a frame that came after its try gave up must not count for this one
    const std::uint64_t sent = rte_rdtsc();
    if (!wire->send(i)) {
      ++lost;
      continue;
    }
    const std::uint64_t deadline = sent + rte_get_tsc_hz() / 10;  // 100 ms: lost
    if (!wire->await_frame(deadline)) {
      ++lost;
      continue;
    }
    latencies.push_back(static_cast<double>(rte_rdtsc() - sent) * 1e6 /
                        static_cast<double>(rte_get_tsc_hz()));
  }
  wire.reset();
  gateway->stop();
  gateway->close_ports();
  gateway.reset();
  if (pool != nullptr) rte_mempool_free(pool);
  std::printf("  first packet after idle (%zu tries%s): %s\n", latencies.size(),
              lost ? (", " + std::to_string(lost) + " lost").c_str() : "",
              describe(percentiles(latencies)).c_str());
  return true;
}

// How late each way of pausing `pause` wakes up.
void compare_sleeps(std::chrono::microseconds pause, unsigned samples) {
  const auto late_us = [pause](Clock::duration slept) {
    return std::chrono::duration<double, std::micro>(slept - pause).count();
  };
  const auto sleeps = [&](bool low_slack) {
    std::vector<double> out;
    std::thread([&] {
      if (low_slack) prctl(PR_SET_TIMERSLACK, actors::tuning::kIdleSleepTimerSlackNs, 0, 0, 0);
      for (unsigned i = 0; i < samples; ++i) {
        const auto start = Clock::now();
        std::this_thread::sleep_for(pause);
        out.push_back(late_us(Clock::now() - start));
      }
    }).join();
    return out;
  };
  std::printf("  sleep_for on a thread of its own, default slack: %s\n",
              describe(percentiles(sleeps(false))).c_str());
  std::printf("  sleep_for on a thread of its own, 1 us slack:    %s\n",
              describe(percentiles(sleeps(true))).c_str());
  caf::actor_system_config config;
  caf::actor_system system(config);
  std::promise<std::vector<double>> result;
  auto done = result.get_future();
  struct State {
    std::vector<double> late;
    Clock::time_point sent;
  };
  system.spawn([&, samples](caf::stateful_actor<State>* self) -> caf::behavior {
    self->state.sent = Clock::now();
    self->delayed_send(self, pause, actors::tick_atom::value);
    return {[&, self, samples](actors::tick_atom) {
      self->state.late.push_back(late_us(Clock::now() - self->state.sent));
      if (self->state.late.size() == samples) {
        result.set_value(self->state.late);
        self->quit();
        return;
      }
      self->state.sent = Clock::now();
      self->delayed_send(self, pause, actors::tick_atom::value);
    }};
  });
  std::printf("  CAF delayed_send to a scheduled actor:           %s\n",
              describe(percentiles(done.get())).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"idle CPU and first-packet latency of an idle gateway (idle_backoff_max_us)"};
  Options options;
  app.add_option("-t,--topology", options.topology, config::topology_kind_names(" | "));
  app.add_option("-w,--workers", options.workers, "crypto workers");
  app.add_option("-b,--backoff-us", options.backoffs,
                 "idle_backoff_max_us values to measure (repeatable)");
  app.add_option("--idle-seconds", options.idle_seconds, "idle seconds measured");
  app.add_option("--tries", options.tries, "packets sent after a quiet spell");
  app.add_option("--ports", options.ports,
                 "the gateway's ports: ring (in-process), tap or af_packet (kernel interfaces in "
                 "a network namespace of its own; needs root)");
  app.add_flag("--skip-sleep-comparison", options.skip_sleep_comparison,
               "do not compare sleep_for with delayed_send");
  CLI11_PARSE(app, argc, argv);
  auto loaded = config::load_config_string(config::default_config_toml(), "<embedded default>");
  if (!loaded.ok()) return 2;
  config::GatewayConfig base = *loaded.config;
  const auto kind = config::parse_topology_kind(options.topology);
  if (!kind) {
    std::cerr << "idle_wake: unknown topology " << options.topology << "\n";
    return 2;
  }
  base.topology.kind = *kind;
  base.topology.crypto_workers = options.workers;
  KernelPorts kernel;
  const bool kernel_ports = options.ports != "ring";
  if (kernel_ports && !make_kernel_ports(options.ports, base, kernel)) return 2;
  std::printf("idle_wake: topology %s, %u worker(s), %s ports, %u cores\n",
              options.topology.c_str(), options.workers, options.ports.c_str(),
              std::thread::hardware_concurrency());
  for (std::uint32_t backoff : options.backoffs) {
    std::printf("idle_backoff_max_us = %u%s\n", backoff, backoff == 0 ? " (busy-poll)" : "");
    if (!idle_cpu(base, backoff, options.idle_seconds, !kernel_ports)) return 1;
    if (!wake_latency(base, backoff, options.tries, kernel_ports ? &kernel : nullptr)) return 1;
    std::fflush(stdout);
  }
  if (!options.skip_sleep_comparison) {
    for (auto pause : {std::chrono::microseconds(20), std::chrono::microseconds(100)}) {
      std::printf("how late a %lld us pause wakes (1000 samples):\n",
                  static_cast<long long>(pause.count()));
      compare_sleeps(pause, 1000);
    }
  }
  return 0;
}
