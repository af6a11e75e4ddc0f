// One DPDK Ethernet port: a PCI NIC, a vdev (net_tap, net_af_packet, ...) or an in-process
// net_ring port whose rings the built-in generator and sink use directly.
#pragma once

#include <rte_ethdev.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "io/headers.hpp"
#include "io/neighbours.hpp"
#include "io/packet_socket_drops.hpp"
#include "io/rss.hpp"

struct rte_mempool;
struct rte_ring;

namespace actorwire::io {

struct PortStats {
  std::uint64_t rx_packets = 0;
  // Dropped by the "NIC" because nobody polled: back-pressure. The device's imissed, plus for
  // net_af_packet the kernel's drops on the PMD's sockets (io/packet_socket_drops.hpp).
  std::uint64_t rx_missed = 0;
  std::uint64_t tx_packets = 0;
  std::uint64_t tx_errors = 0;
};

class Port {
 public:
  // Opens, configures and starts the port with `queues` rx and tx queues (queue i of either
  // kind belongs to one worker). With several queues, traffic is spread by flow as RSS does:
  // PCI NICs get hardware RSS over IPv4/IPv6 (TCP/UDP ports where the NIC can), net_af_packet
  // gets `qpairs=<queues>` (the kernel's PACKET_FANOUT_HASH spreads flows), net_tap opens one
  // TAP queue each (the kernel picks the queue), and net_ring ports get one inject/capture ring
  // pair per queue, which the feeder fills by software RSS (io/traffic_injector.hpp). nullptr
  // and `error` set on failure.
  static std::unique_ptr<Port> open(const config::PortConfig& config,
                                    const config::DpdkConfig& dpdk, rte_mempool* pool,
                                    std::uint16_t queues, std::string& error);
  ~Port();  // close()s
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  std::uint16_t id() const { return id_; }
  const std::string& device() const { return device_; }
  config::PortRole role() const { return role_; }
  const PortIdentity& identity() const { return identity_; }
  const std::vector<config::Neighbour>& static_neighbours() const { return static_neighbours_; }

  std::uint16_t queues() const { return queues_; }
  // The outer checksums this port computes on transmit (enabled where the device offers them).
  ChecksumOffloads tx_checksum_offloads() const { return checksum_offloads_; }

  // In-process (net_ring) ports only: inject ring q is what rx queue q receives (a generator
  // enqueues frames there), capture ring q is what tx queue q transmitted (a sink dequeues
  // there). One of each per queue, in queue order.
  bool in_memory() const { return !inject_rings_.empty(); }
  rte_ring* inject_ring(std::uint16_t queue = 0) const { return inject_rings_.at(queue); }
  rte_ring* capture_ring(std::uint16_t queue = 0) const { return capture_rings_.at(queue); }
  const std::vector<rte_ring*>& inject_rings() const { return inject_rings_; }
  const std::vector<rte_ring*>& capture_rings() const { return capture_rings_; }

  // Whether every rx queue has an interrupt a poller can wait on (io/rx_interrupt.hpp): net_tap
  // ports, and NICs whose driver and binding give their queues interrupt vectors.
  bool rx_interrupts() const { return rx_interrupts_; }

  std::uint16_t rx_burst(std::uint16_t queue, rte_mbuf** mbufs, std::uint16_t count) {
    return rte_eth_rx_burst(id_, queue, mbufs, count);
  }
  std::uint16_t tx_burst(std::uint16_t queue, rte_mbuf** mbufs, std::uint16_t count) {
    return rte_eth_tx_burst(id_, queue, mbufs, count);
  }
  PortStats stats() const;  // after close(): the last values

  // Stops the port and gives back every mbuf it holds: a NIC's rx descriptors (the driver frees
  // them on stop/close), an in-process port's rings (frames nobody received or drained). Nothing
  // may receive or transmit on it afterwards; stats() stays readable. Idempotent.
  void close();

 private:
  Port() = default;
  // Configures the device and its queues with `conf` and starts it.
  bool bring_up(const rte_eth_conf& conf, const config::DpdkConfig& dpdk, rte_mempool* pool,
                const config::PortConfig& config, std::string& error);

  std::uint16_t id_ = 0;
  std::uint16_t queues_ = 1;
  std::string device_;
  config::PortRole role_ = config::PortRole::kLan;
  PortIdentity identity_;
  std::vector<config::Neighbour> static_neighbours_;
  std::vector<rte_ring*> inject_rings_;
  std::vector<rte_ring*> capture_rings_;
  // Hardware RSS key: drivers keep the pointer from rte_eth_conf and read it when the port
  // starts, so it lives as long as the port.
  std::array<std::uint8_t, kRssKeySize> rss_key_ = kDefaultRssKey;
  ChecksumOffloads checksum_offloads_;
  bool started_ = false;
  bool closed_ = false;
  bool rx_interrupts_ = false;
  // A vdev this port probed itself (net_tap, net_af_packet, ...): close() removes it again, so
  // a later port in the same process (tests, benchmarks) can probe it anew.
  bool probed_vdev_ = false;
  PortStats closed_stats_;
  // net_af_packet with iface=: the kernel's drops on the PMD's sockets.
  std::unique_ptr<PacketSocketDrops> socket_drops_;
};

// True for device strings that name an in-process ring port ("net_ring0", "net_ring_lan").
bool is_ring_device(const std::string& device);

}  // namespace actorwire::io
