// The send time of a built-in generator frame, for the bench's latency mode: the generator
// stamps each frame with the TSC just before it enters the LAN port's rx ring; a tx callback on
// the gateway's in-process ports stamps it again as it leaves (rte_eth_tx_burst, where a NIC
// would take it), and the sink, whenever it gets round to draining it, records leave - send.
// So the sink's own polling (and its idle back-off) adds nothing to the figure.
//
// The stamp is written twice. In the inner UDP payload (bytes 8..15, after the sequence number),
// where it is encrypted and, when a second gateway decrypts (bench --direction decrypt/both),
// decrypted again: read back from there, it is the honest end-to-end figure. And in an mbuf
// dynamic field, for frames that leave still encrypted (direction encrypt): the gateway seals in
// place, so the mbuf that leaves is the one that came in. Frames the gateway makes itself
// (handshakes, keepalives, ICMP) carry no stamp of their own; the sink clears the field of every
// frame it frees, so a recycled mbuf does not carry an old one (a frame the gateway drops and
// frees itself still can: a rare wrong sample, from outside the generator's traffic).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct rte_mbuf;
struct rte_eth_rxtx_callback;

namespace actorwire::io {

// Registers the mbuf fields (idempotent; after the EAL is up); false with `error` set if DPDK
// has no room left for them.
bool register_send_stamp(std::string& error);

// While it lives, every frame the port transmits on its queues is stamped with the time it
// leaves (the last try, if a full ring refuses it at first): a tx callback per queue.
// register_send_stamp must have succeeded. Destroy it only when nothing transmits on the port
// any more, and before the port is closed (a released port id is reused by the next port).
class DepartureStamps {
 public:
  static std::unique_ptr<DepartureStamps> add(std::uint16_t port_id, std::uint16_t queues,
                                              std::string& error);
  ~DepartureStamps();
  DepartureStamps(const DepartureStamps&) = delete;
  DepartureStamps& operator=(const DepartureStamps&) = delete;

 private:
  explicit DepartureStamps(std::uint16_t port_id) : port_id_(port_id) {}
  std::uint16_t port_id_;
  std::vector<const rte_eth_rxtx_callback*> callbacks_;  // by queue
};

// Stamps a generator frame (Ethernet / IPv4 / UDP as TrafficGenerator writes it): the payload
// when it is long enough for it, and the mbuf field. register_send_stamp must have succeeded.
void write_send_stamp(rte_mbuf* mbuf, std::uint64_t tsc);

struct FrameTimes {
  std::uint64_t sent = 0;  // TSC; 0: not a stamped frame
  std::uint64_t left = 0;  // TSC; 0: it left through a port without stamp_departures
};

// The times of a frame that left the gateway: `sent` from the payload of a plaintext generator
// frame (UDP to TrafficGenerator::kDestinationPort), else from the mbuf field. Clears the mbuf
// fields.
FrameTimes take_frame_times(rte_mbuf* mbuf);

}  // namespace actorwire::io
