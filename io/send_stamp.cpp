#include "io/send_stamp.hpp"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <cstring>

#include "io/byte_order.hpp"
#include "io/headers.hpp"
#include "io/traffic_generator.hpp"

namespace actorwire::io {
namespace {

constexpr std::size_t kStampSize = sizeof(std::uint64_t);
// From the frame's start: Ethernet, IPv4 without options, UDP, then the sequence number.
constexpr std::size_t kPayloadOffset = kEthernetHeaderSize + kIpv4HeaderSize + kUdpHeaderSize;
constexpr std::size_t kStampOffset = kPayloadOffset + TrafficGenerator::kSequenceSize;

// Set once by register_send_stamp, before any actor or port uses them.
int sent_offset = -1;
int left_offset = -1;

std::uint64_t& sent_field(rte_mbuf* mbuf) {
  return *RTE_MBUF_DYNFIELD(mbuf, sent_offset, std::uint64_t*);
}
std::uint64_t& left_field(rte_mbuf* mbuf) {
  return *RTE_MBUF_DYNFIELD(mbuf, left_offset, std::uint64_t*);
}

int register_field(const char* name) {
  rte_mbuf_dynfield description{};
  std::strncpy(description.name, name, sizeof description.name - 1);
  description.size = sizeof(std::uint64_t);
  description.align = alignof(std::uint64_t);
  return rte_mbuf_dynfield_register(&description);
}

std::uint16_t stamp_leaving(std::uint16_t, std::uint16_t, rte_mbuf** mbufs, std::uint16_t count,
                            void*) {
  const std::uint64_t now = rte_rdtsc();
  for (std::uint16_t i = 0; i < count; ++i) left_field(mbufs[i]) = now;
  return count;
}

// A frame as the generator wrote it (possibly decrypted again): IPv4 without options, UDP to the
// generator's port, long enough to hold a stamp, all in the first segment.
bool is_plain_generator_frame(const rte_mbuf* mbuf) {
  if (mbuf->data_len < kStampOffset + kStampSize) return false;
  const auto* frame = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
  const std::uint8_t* ip = frame + kEthernetHeaderSize;
  return load_be16(frame + 12) == kEtherTypeIpv4 && ip[0] == 0x45 && ip[9] == kIpProtoUdp &&
         load_be16(ip + kIpv4HeaderSize + 2) == TrafficGenerator::kDestinationPort &&
         load_be16(ip + 2) >= kStampOffset + kStampSize - kEthernetHeaderSize;
}

}  // namespace

bool register_send_stamp(std::string& error) {
  if (sent_offset >= 0 && left_offset >= 0) return true;
  sent_offset = register_field("actorwire_sent_tsc");
  left_offset = register_field("actorwire_left_tsc");
  if (sent_offset < 0 || left_offset < 0) {
    error =
        std::string("cannot register the mbuf fields for send stamps: ") + rte_strerror(rte_errno);
    return false;
  }
  return true;
}

std::unique_ptr<DepartureStamps> DepartureStamps::add(std::uint16_t port_id, std::uint16_t queues,
                                                      std::string& error) {
  std::unique_ptr<DepartureStamps> stamps(new DepartureStamps(port_id));
  for (std::uint16_t queue = 0; queue < queues; ++queue) {
    const rte_eth_rxtx_callback* callback =
        rte_eth_add_tx_callback(port_id, queue, stamp_leaving, nullptr);
    if (callback == nullptr) {
      error = "cannot add a tx callback to port " + std::to_string(port_id) + ": " +
              rte_strerror(rte_errno);
      return nullptr;  // the destructor removes those already added
    }
    stamps->callbacks_.push_back(callback);
  }
  return stamps;
}

DepartureStamps::~DepartureStamps() {
  for (std::size_t queue = 0; queue < callbacks_.size(); ++queue) {
    // Removing does not free the callback (a transmitting thread might still be in it); nothing
    // transmits any more, so free it here.
    if (rte_eth_remove_tx_callback(port_id_, static_cast<std::uint16_t>(queue),
                                   callbacks_[queue]) == 0) {
      rte_free(const_cast<rte_eth_rxtx_callback*>(callbacks_[queue]));
    }
  }
}

void write_send_stamp(rte_mbuf* mbuf, std::uint64_t tsc) {
  sent_field(mbuf) = tsc;
  left_field(mbuf) = 0;
  if (is_plain_generator_frame(mbuf)) {
    std::memcpy(rte_pktmbuf_mtod_offset(mbuf, std::uint8_t*, kStampOffset), &tsc, kStampSize);
  }
}

FrameTimes take_frame_times(rte_mbuf* mbuf) {
  FrameTimes times{sent_field(mbuf), left_field(mbuf)};
  sent_field(mbuf) = 0;
  left_field(mbuf) = 0;
  if (is_plain_generator_frame(mbuf)) {
    std::memcpy(&times.sent, rte_pktmbuf_mtod_offset(mbuf, const std::uint8_t*, kStampOffset),
                kStampSize);
  }
  return times;
}

}  // namespace actorwire::io
