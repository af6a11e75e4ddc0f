// Frames the kernel dropped on the AF_PACKET sockets behind a net_af_packet port: when the
// gateway does not poll fast enough (the pipeline's rx stage backs off while lookup has no
// credit), the socket's ring fills and the kernel drops what arrives. DPDK 22.11's af_packet PMD
// does not report those drops (its imissed stays 0), so they are read here, from the sockets
// themselves (PACKET_STATISTICS), and reported with the port's rx_missed: without them a WAN
// flood looked like datagrams that vanished uncounted.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace actorwire::io {

class PacketSocketDrops {
 public:
  // This process's AF_PACKET sockets bound to interface `iface` (the PMD opens one per queue
  // pair when the port is probed). None found (no such interface, or the sockets are not ours):
  // total() stays 0.
  explicit PacketSocketDrops(const std::string& iface);
  PacketSocketDrops(const PacketSocketDrops&) = delete;
  PacketSocketDrops& operator=(const PacketSocketDrops&) = delete;

  std::size_t sockets() const { return fds_.size(); }
  // Frames the kernel dropped on those sockets so far. The kernel clears its counters on every
  // read, so the total is kept here; any thread may call it.
  std::uint64_t total();
  // Stop reading the sockets (the PMD closes them when the port closes); total() then keeps
  // its last value.
  void forget_sockets();

 private:
  std::mutex mutex_;
  std::vector<int> fds_;
  std::uint64_t total_ = 0;
};

}  // namespace actorwire::io
