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
#include <optional>
#include <string>

struct rte_mbuf;

namespace actorwire::io {

// Registers the mbuf fields (idempotent; after the EAL is up); false with `error` set if DPDK
// has no room left for them.
bool register_send_stamp(std::string& error);

// Stamps every frame `port_id` transmits on queues 0..queues-1 with the time it leaves (the
// last try, if a full ring refuses it at first). register_send_stamp must have succeeded.
bool stamp_departures(std::uint16_t port_id, std::uint16_t queues, std::string& error);

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
