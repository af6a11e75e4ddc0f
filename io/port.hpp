// One DPDK Ethernet port: a PCI NIC, a vdev (net_tap, net_af_packet, ...) or an in-process
// net_ring port whose rings the built-in generator and sink use directly.
#pragma once

#include <rte_ethdev.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "io/neighbours.hpp"

struct rte_mempool;
struct rte_ring;

namespace actorwire::io {

struct PortStats {
  std::uint64_t rx_packets = 0;
  std::uint64_t rx_missed = 0;  // dropped by the "NIC" because nobody polled: back-pressure
  std::uint64_t tx_packets = 0;
  std::uint64_t tx_errors = 0;
};

class Port {
 public:
  // Opens, configures and starts the port with `queues` rx and tx queues. nullptr and `error`
  // set on failure.
  static std::unique_ptr<Port> open(const config::PortConfig& config,
                                    const config::DpdkConfig& dpdk, rte_mempool* pool,
                                    std::uint16_t queues, std::string& error);
  ~Port();
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  std::uint16_t id() const { return id_; }
  const std::string& device() const { return device_; }
  config::PortRole role() const { return role_; }
  const PortIdentity& identity() const { return identity_; }
  const std::vector<config::Neighbour>& static_neighbours() const { return static_neighbours_; }

  // In-process (net_ring) ports only: `inject_ring` is what the port receives (a generator
  // enqueues frames there), `capture_ring` is what it transmitted (a sink dequeues there).
  bool in_memory() const { return !inject_rings_.empty(); }
  rte_ring* inject_ring(std::uint16_t queue = 0) const { return inject_rings_.at(queue); }
  rte_ring* capture_ring(std::uint16_t queue = 0) const { return capture_rings_.at(queue); }

  std::uint16_t rx_burst(std::uint16_t queue, rte_mbuf** mbufs, std::uint16_t count) {
    return rte_eth_rx_burst(id_, queue, mbufs, count);
  }
  std::uint16_t tx_burst(std::uint16_t queue, rte_mbuf** mbufs, std::uint16_t count) {
    return rte_eth_tx_burst(id_, queue, mbufs, count);
  }
  PortStats stats() const;

 private:
  Port() = default;

  std::uint16_t id_ = 0;
  std::string device_;
  config::PortRole role_ = config::PortRole::kLan;
  PortIdentity identity_;
  std::vector<config::Neighbour> static_neighbours_;
  std::vector<rte_ring*> inject_rings_;
  std::vector<rte_ring*> capture_rings_;
  bool started_ = false;
};

// True for device strings that name an in-process ring port ("net_ring0", "net_ring_lan").
bool is_ring_device(const std::string& device);

}  // namespace actorwire::io
