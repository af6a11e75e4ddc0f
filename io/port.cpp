#include "io/port.hpp"

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_log.h>
#include <rte_ring.h>

#include <algorithm>

#include "io/checksum_offload.hpp"
#include "io/port_device.hpp"

namespace actorwire::io {
namespace {

// Ring depth of in-process ports: like a NIC descriptor ring.
constexpr unsigned kRingPortSize = 1024;

std::string device_name(const std::string& device) {
  return device.substr(0, device.find(','));
}

bool looks_like_vdev(const std::string& device) {
  return device.rfind("net_", 0) == 0;
}

bool is_af_packet_device(const std::string& device) {
  return device.rfind("net_af_packet", 0) == 0;
}

// What hardware RSS hashes to pick a packet's queue: the addresses of every IP packet, plus
// the ports of TCP and UDP ones. rte_eth_dev_configure refuses hash types the device lacks,
// so this is masked with what the device offers.
constexpr std::uint64_t kRssHashTypes = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;

// A driver without rx interrupts (net_af_packet in DPDK 22.11) accepts intr_conf.rxq = 1 all
// the same; what tells is whether every queue got an event fd (net_tap: the TAP queue's own
// fd). Not rte_eth_dev_rx_intr_enable(): net_tap answers -ENOTSUP there although its fds work.
// ethdev logs an error for each queue without one, which is no error here: muted meanwhile.
bool every_queue_has_rx_interrupt(const Port& port) {
  const int level = rte_log_get_level(static_cast<std::uint32_t>(rte_eth_dev_logtype));
  rte_log_set_level(static_cast<std::uint32_t>(rte_eth_dev_logtype), RTE_LOG_CRIT);
  bool all = true;
  for (std::uint16_t q = 0; q < port.queues() && all; ++q) {
    all = rte_eth_dev_rx_intr_ctl_q_get_fd(port.id(), q) >= 0;
  }
  if (level >= 0) rte_log_set_level(static_cast<std::uint32_t>(rte_eth_dev_logtype), level);
  return all;
}

}  // namespace

bool is_ring_device(const std::string& device) {
  return device.rfind("net_ring", 0) == 0 && device.find(',') == std::string::npos;
}

std::unique_ptr<Port> Port::open(const config::PortConfig& config, const config::DpdkConfig& dpdk,
                                 rte_mempool* pool, std::uint16_t queues, std::string& error) {
  if (queues == 0) {
    error = "port " + config.device + ": needs at least one queue";
    return nullptr;
  }
  std::unique_ptr<Port> port(new Port());
  port->queues_ = queues;
  port->device_ = config.device;
  port->role_ = config.role;
  port->static_neighbours_ = config.neighbours;
  const std::string name = device_name(config.device);
  int id = -1;
  if (is_ring_device(config.device)) {
    for (std::uint16_t q = 0; q < queues; ++q) {
      const std::string suffix = name + "_" + std::to_string(q);
      rte_ring* inject = rte_ring_create(("in_" + suffix).c_str(), kRingPortSize, SOCKET_ID_ANY,
                                         RING_F_SP_ENQ | RING_F_SC_DEQ);
      rte_ring* capture = rte_ring_create(("out_" + suffix).c_str(), kRingPortSize, SOCKET_ID_ANY,
                                          RING_F_SP_ENQ | RING_F_SC_DEQ);
      if (inject) port->inject_rings_.push_back(inject);
      if (capture) port->capture_rings_.push_back(capture);
      if (!inject || !capture) {
        error = "cannot create rings for " + name + ": " + rte_strerror(rte_errno);
        return nullptr;
      }
    }
    id = rte_eth_from_rings(name.c_str(), port->inject_rings_.data(), queues,
                            port->capture_rings_.data(), queues, SOCKET_ID_ANY);
    if (id < 0) {
      error = "cannot create ring port " + name + ": " + rte_strerror(rte_errno);
      return nullptr;
    }
  } else {
    std::uint16_t found = 0;
    if (rte_eth_dev_get_port_by_name(name.c_str(), &found) != 0 && looks_like_vdev(config.device)) {
      const auto comma = config.device.find(',');
      std::string args = comma == std::string::npos ? "" : config.device.substr(comma + 1);
      // One AF_PACKET socket per queue pair, joined in a fanout group; the PMD makes exactly
      // `qpairs` of them (default 1), so ask for as many as we have queues.
      if (is_af_packet_device(config.device) && queues > 1 &&
          devarg_value(args, "qpairs").empty()) {
        // Appended piecewise: GCC 12 at -O3 warns (falsely, -Wrestrict) on the one-liner.
        if (!args.empty()) args += ',';
        args += "qpairs=";
        args += std::to_string(queues);
      }
      if (rte_eal_hotplug_add("vdev", name.c_str(), args.c_str()) != 0) {
        error = "cannot probe device '" + config.device + "'";
        return nullptr;
      }
      port->probed_vdev_ = true;
    }
    if (rte_eth_dev_get_port_by_name(name.c_str(), &found) != 0) {
      const PortDevice device = parse_port_device(config.device);
      error = device.kind == PortDevice::Kind::kPci
                  ? "PCI device " + device.pci_address +
                        " was not probed: it does not exist, is not bound to vfio-pci "
                        "(dpdk-devbind.py -b vfio-pci " +
                        device.pci_address + "), or [dpdk] eal_args leave it out (--no-pci, -a)"
                  : "no DPDK port named '" + name + "'";
      return nullptr;
    }
    id = found;
  }
  port->id_ = static_cast<std::uint16_t>(id);

  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(port->id_, &info) != 0) {
    error = "cannot query port " + name;
    return nullptr;
  }
  if (info.max_rx_queues < queues || info.max_tx_queues < queues) {
    error = "port " + name + " has at most " + std::to_string(info.max_rx_queues) + " rx and " +
            std::to_string(info.max_tx_queues) + " tx queues; " + std::to_string(queues) +
            " needed";
    return nullptr;
  }
  // The fanout group hashes flows to every socket the PMD opened: a socket without a queue
  // that polls it would swallow its flows.
  if (is_af_packet_device(config.device) && info.max_rx_queues != queues) {
    error = "port " + name + " has qpairs=" + std::to_string(info.max_rx_queues) + " but " +
            std::to_string(queues) + " queue(s) are polled; they must be equal";
    return nullptr;
  }
  rte_eth_conf conf{};
  if (queues > 1 && !looks_like_vdev(config.device)) {
    const std::uint64_t hash_types = kRssHashTypes & info.flow_type_rss_offloads;
    if (hash_types == 0) {
      error = "port " + name + " cannot spread traffic over " + std::to_string(queues) +
              " queues: it offers no RSS over IPv4/IPv6";
      return nullptr;
    }
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = hash_types;
    // Our key where the NIC takes a 40-byte one, so hardware and software RSS compute the same
    // hash (the queue also depends on the driver's redirection table: round-robin on most);
    // otherwise the driver's default key.
    if (info.hash_key_size == kRssKeySize) {
      conf.rx_adv_conf.rss_conf.rss_key = port->rss_key_.data();
      conf.rx_adv_conf.rss_conf.rss_key_len = kRssKeySize;
    }
  }
  // The outer IPv4 and UDP checksums of what we seal, where the device computes them.
  conf.txmode.offloads = wanted_tx_checksum_offloads(info.tx_offload_capa);
  // Rx interrupts, so that an idle poller can wait for a packet instead of sleeping blind
  // (io/rx_interrupt.hpp): asked of every port but the in-process ones. A driver may refuse them
  // at configure or start (a NIC bound to a driver without interrupt vectors for its queues):
  // then the port comes up without them, and its pollers keep the sleeping back-off.
  conf.intr_conf.rxq = port->in_memory() ? 0 : 1;
  if (!port->bring_up(conf, dpdk, pool, config, error)) {
    if (conf.intr_conf.rxq == 0) return nullptr;
    conf.intr_conf.rxq = 0;
    if (!port->bring_up(conf, dpdk, pool, config, error)) return nullptr;
  }
  port->rx_interrupts_ = conf.intr_conf.rxq == 1 && every_queue_has_rx_interrupt(*port);
  if (is_af_packet_device(config.device)) {
    port->socket_drops_ =
        std::make_unique<PacketSocketDrops>(parse_port_device(config.device).iface);
  }
  port->checksum_offloads_ = checksum_offloads_of(conf.txmode.offloads);
  rte_eth_promiscuous_enable(port->id_);

  rte_ether_addr mac{};
  rte_eth_macaddr_get(port->id_, &mac);
  std::copy(std::begin(mac.addr_bytes), std::end(mac.addr_bytes),
            port->identity_.mac.bytes.begin());
  if (config.mac) port->identity_.mac = *config.mac;
  port->identity_.addresses = config.addresses;
  port->identity_.next_hop = config.next_hop;
  port->identity_.next_hop_v6 = config.next_hop_v6;
  return port;
}

bool Port::bring_up(const rte_eth_conf& conf, const config::DpdkConfig& dpdk, rte_mempool* pool,
                    const config::PortConfig& config, std::string& error) {
  const std::string name = device_name(device_);
  if (rte_eth_dev_configure(id_, queues_, queues_, &conf) != 0) {
    error = "cannot configure port " + name + " with " + std::to_string(queues_) + " queue(s)";
    return false;
  }
  std::uint16_t rx_descriptors = dpdk.rx_descriptors;
  std::uint16_t tx_descriptors = dpdk.tx_descriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(id_, &rx_descriptors, &tx_descriptors);
  const int socket = rte_eth_dev_socket_id(id_);
  for (std::uint16_t q = 0; q < queues_; ++q) {
    if (rte_eth_rx_queue_setup(id_, q, rx_descriptors, socket, nullptr, pool) != 0 ||
        rte_eth_tx_queue_setup(id_, q, tx_descriptors, socket, nullptr) != 0) {
      error = "cannot set up queue " + std::to_string(q) + " of port " + name;
      return false;
    }
  }
  if (config.mac) {
    rte_ether_addr mac;
    std::copy(config.mac->bytes.begin(), config.mac->bytes.end(), mac.addr_bytes);
    rte_eth_dev_default_mac_addr_set(id_, &mac);
  }
  if (rte_eth_dev_start(id_) != 0) {
    error = "cannot start port " + name;
    return false;
  }
  started_ = true;
  return true;
}

Port::~Port() {
  close();
  for (rte_ring* ring : inject_rings_) rte_ring_free(ring);
  for (rte_ring* ring : capture_rings_) rte_ring_free(ring);
}

void Port::close() {
  if (closed_) return;
  if (started_) closed_stats_ = stats();
  closed_ = true;
  if (socket_drops_) socket_drops_->forget_sockets();  // the PMD closes them below
  // A NIC's driver frees the mbufs posted to its rx descriptors when the port stops or closes.
  if (started_) rte_eth_dev_stop(id_);
  if (in_memory()) {
    // Removing the vdev releases the port and its name, so a later gateway in the same
    // process (tests) can create it again.
    // rte_eth_from_rings names its vdev "net_ring_<name>".
    rte_vdev_uninit(("net_ring_" + device_name(device_)).c_str());
    // Frames nobody received (inject) or drained (capture): the rings are ours, not the PMD's.
    for (const auto* rings : {&inject_rings_, &capture_rings_}) {
      for (rte_ring* ring : *rings) {
        void* object = nullptr;
        while (rte_ring_dequeue(ring, &object) == 0) {
          rte_pktmbuf_free(static_cast<rte_mbuf*>(object));
        }
      }
    }
  } else {
    if (started_) rte_eth_dev_close(id_);
    if (probed_vdev_) rte_vdev_uninit(device_name(device_).c_str());
  }
  started_ = false;
}

PortStats Port::stats() const {
  if (closed_) return closed_stats_;
  rte_eth_stats raw{};
  rte_eth_stats_get(id_, &raw);
  const std::uint64_t socket_drops = socket_drops_ ? socket_drops_->total() : 0;
  return PortStats{raw.ipackets, raw.imissed + socket_drops, raw.opackets, raw.oerrors};
}

}  // namespace actorwire::io
