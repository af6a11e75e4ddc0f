// What every data-path actor needs from the gateway, built once from the config so that no
// stage reads the config itself: the ports (with their addresses and static neighbours), the
// mbuf pool for frames the gateway makes, the AEAD back-end, our side of the outer headers and
// the tunnel MTU. No CAF here.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/common/stage_counters.hpp"
#include "config/gateway_config.hpp"
#include "crypto/aead.hpp"
#include "io/port.hpp"
#include "io/rx_interrupt.hpp"

struct rte_mempool;

namespace actorwire::actors {

// Our side of the outer headers: the WAN port's MAC and addresses, the listen port.
struct OuterSource {
  config::MacAddress mac;
  std::uint32_t ip = 0;  // host order
  // The WAN port's first IPv6 address: peers with IPv6 endpoints are reached from it (none: such
  // peers have no usable endpoint).
  std::optional<io::Ipv6Address> ip6;
  std::uint16_t port = 0;
  io::ChecksumOffloads offloads;  // the WAN port's: what it computes of the outer headers

  const io::Ipv6Address* ip6_or_null() const { return ip6 ? &*ip6 : nullptr; }
};

struct DataPlaneEnv {
  io::Port* lan = nullptr;  // ports and pool outlive every actor
  io::Port* wan = nullptr;
  rte_mempool* pool = nullptr;
  crypto::AeadKind aead = crypto::AeadKind::kOpenSsl;
  OuterSource outer;
  std::uint16_t mtu = 0;  // inner MTU: larger packets are dropped, smaller padded up to it
  // The gateway's own tunnel-side addresses ([interface] addresses): pings to them are answered.
  std::vector<config::IpAddress> tunnel_addresses;
  bool mss_clamping = true;  // see config::InterfaceConfig
  bool icmp_unreachable = false;
  // The control actor's counters: whoever sends it a handshake message notes it there, which
  // is how the control actor knows its backlog ("under load"). Null without a control actor.
  std::shared_ptr<StageCounters> control_counters;
  // The polling actors' idle back-off ([dpdk] idle_backoff_max_us; 0: busy-poll).
  std::chrono::microseconds idle_backoff_max{0};
  // Cleared when the gateway stops: the actors stop receiving and finish what is inside
  // (Gateway::stop). Owned by the gateway, which outlives every actor; null: always receive.
  const std::atomic<bool>* receiving = nullptr;

  bool may_receive() const {
    return receiving == nullptr || receiving->load(std::memory_order_relaxed);
  }

  // For a detached poller of both ports' rx queue `queue`: a waiter on their rx interrupts
  // (PollPacer::wait_on); nullptr unless both ports have them, and that poller keeps sleeping.
  std::unique_ptr<io::RxInterruptWait> rx_interrupt_wait(std::uint16_t queue) const {
    if (!lan->rx_interrupts() || !wan->rx_interrupts()) return nullptr;
    std::string why_not;  // both ports have them: only the epoll set itself could fail
    return io::RxInterruptWait::make({{lan, queue}, {wan, queue}}, why_not);
  }

  // Each actor seals and opens with an AEAD of its own (they keep per-call state).
  std::unique_ptr<crypto::Aead> make_aead() const { return crypto::make_aead(aead); }
};

inline DataPlaneEnv make_data_plane_env(const config::GatewayConfig& config, io::Port& lan,
                                        io::Port& wan, rte_mempool* pool) {
  DataPlaneEnv env;
  env.lan = &lan;
  env.wan = &wan;
  env.pool = pool;
  env.aead = crypto::resolve_aead(config.crypto.aead).kind;  // "auto" once, not per worker
  // The WAN address is fixed for the gateway's life: looked up once, not per packet.
  env.outer.mac = wan.identity().mac;
  env.outer.ip = wan.identity().primary_ipv4();
  for (const config::IpPrefix& prefix : wan.identity().addresses) {
    if (prefix.address.is_v6) {
      env.outer.ip6 = prefix.address.bytes;
      break;
    }
  }
  env.outer.port = config.interface.listen_port;
  env.outer.offloads = wan.tx_checksum_offloads();
  env.mtu = config.interface.mtu;
  for (const config::IpPrefix& prefix : config.interface.addresses) {
    env.tunnel_addresses.push_back(prefix.address);
  }
  env.mss_clamping = config.interface.mss_clamping;
  env.icmp_unreachable = config.interface.icmp_unreachable;
  env.idle_backoff_max = std::chrono::microseconds(config.dpdk.idle_backoff_max_us);
  return env;
}

}  // namespace actorwire::actors
