#include "actors/dataplane/port_side.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "actors/common/tuning.hpp"
#include "io/ndp.hpp"

namespace actorwire::actors {
namespace {

config::IpAddress v6_address(const io::Ipv6Address& bytes) {
  config::IpAddress address;
  address.is_v6 = true;
  address.bytes = bytes;
  return address;
}

void write_destination_mac(rte_mbuf* mbuf, const config::MacAddress& mac) {
  std::copy(mac.bytes.begin(), mac.bytes.end(), rte_pktmbuf_mtod(mbuf, std::uint8_t*));
}

}  // namespace

PortSide::PortSide(io::Port& port, rte_mempool* pool, StageCounters& counters, std::uint16_t queue)
    : port_(port), pool_(pool), queue_(queue), counters_(counters) {
  for (const auto& neighbour : port.static_neighbours()) {
    if (neighbour.address.is_v6) {
      neighbours_v6_.add_static(neighbour.address.bytes, neighbour.mac);
    } else {
      neighbours_.add_static(neighbour.address.v4_host_order(), neighbour.mac);
    }
  }
  tx_.reserve(4096);
}

PortSide::~PortSide() {
  // Shutdown with frames still queued: count them, never lose them silently.
  for (rte_mbuf* mbuf : tx_) drop(mbuf, DropReason::kTxFull);
  for (const Waiting& waiting : waiting_) drop(waiting.mbuf, DropReason::kNoNeighbour);
}

void PortSide::drop(rte_mbuf* mbuf, DropReason reason) {
  counters_.drop(reason);
  rte_pktmbuf_free(mbuf);
}

void PortSide::transmit_to(rte_mbuf* mbuf, std::uint32_t destination, TimePoint now) {
  const auto hop = identity().next_hop_for(destination);
  if (!hop) return drop(mbuf, DropReason::kNoNeighbour);
  if (const auto* mac = neighbours_.find(*hop)) {
    write_destination_mac(mbuf, *mac);
    tx_.push_back(mbuf);
    return;
  }
  park(mbuf, config::IpAddress::v4(*hop), now);
}

void PortSide::transmit_to_v6(rte_mbuf* mbuf, const io::Ipv6Address& destination, TimePoint now) {
  if (destination[0] == 0xFF) {
    write_destination_mac(mbuf, io::ipv6_multicast_mac(destination));
    tx_.push_back(mbuf);
    return;
  }
  const auto hop = identity().next_hop_for_v6(destination);
  if (!hop) return drop(mbuf, DropReason::kNoNeighbour);
  if (const auto* mac = neighbours_v6_.find(*hop)) {
    write_destination_mac(mbuf, *mac);
    tx_.push_back(mbuf);
    return;
  }
  park(mbuf, v6_address(*hop), now);
}

void PortSide::park(rte_mbuf* mbuf, const config::IpAddress& neighbour, TimePoint now) {
  if (waiting_.size() >= tuning::kMaxAwaitingNeighbour) {
    drop(waiting_.front().mbuf, DropReason::kNoNeighbour);
    waiting_.pop_front();
  }
  waiting_.push_back({mbuf, neighbour, now});
  request(neighbour, now);
}

bool PortSide::waiting_for(const config::IpAddress& neighbour) const {
  return std::any_of(waiting_.begin(), waiting_.end(),
                     [&](const Waiting& w) { return w.neighbour == neighbour; });
}

void PortSide::request(const config::IpAddress& neighbour, TimePoint now) {
  // Rate-limited per neighbour, like the kernel's per-neighbour retransmit timer: a second
  // unknown host must not wait for the first one's retry interval.
  auto asked = std::find_if(asked_.begin(), asked_.end(),
                            [&](const Asked& a) { return a.neighbour == neighbour; });
  if (asked == asked_.end()) {
    asked_.push_back({neighbour, now});
  } else {
    if (now - asked->when < tuning::kArpRetryInterval) return;
    asked->when = now;
  }
  next_retry_ = std::min(next_retry_, now + tuning::kArpRetryInterval);
  rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
  if (mbuf == nullptr) return;
  const std::size_t size = neighbour.is_v6 ? io::kNdFrameSize : io::kArpFrameSize;
  auto* data = reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(mbuf, size));
  if (neighbour.is_v6) {
    io::write_neighbour_solicitation(data, identity().mac, identity().primary_ipv6(),
                                     neighbour.bytes);
  } else {
    io::write_arp_frame(data, io::kBroadcastMac,
                        io::make_arp_request(identity(), neighbour.v4_host_order()));
  }
  counters_.packets_generated.add(1);
  tx_.push_back(mbuf);
}

void PortSide::release(const config::IpAddress& neighbour, const config::MacAddress& mac) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (!(it->neighbour == neighbour)) {
      ++it;
      continue;
    }
    write_destination_mac(it->mbuf, mac);
    tx_.push_back(it->mbuf);
    it = waiting_.erase(it);
  }
  std::erase_if(asked_, [&](const Asked& a) { return a.neighbour == neighbour; });
}

void PortSide::learned(const config::IpAddress& neighbour, const config::MacAddress& mac) {
  release(neighbour, mac);
  learned_.emplace_back(neighbour, mac);
}

void PortSide::learn(const config::IpAddress& ip, const config::MacAddress& mac) {
  // Static entries win: release with whatever the table holds now.
  const config::MacAddress* known = nullptr;
  if (ip.is_v6) {
    neighbours_v6_.learn(ip.bytes, mac);
    known = neighbours_v6_.find(ip.bytes);
  } else {
    neighbours_.learn(ip.v4_host_order(), mac);
    known = neighbours_.find(ip.v4_host_order());
  }
  if (known != nullptr) release(ip, *known);
}

std::vector<std::pair<config::IpAddress, config::MacAddress>> PortSide::take_learned() {
  std::vector<std::pair<config::IpAddress, config::MacAddress>> out;
  out.swap(learned_);
  return out;
}

void PortSide::expire_waiting(TimePoint now) {
  while (!waiting_.empty() && now - waiting_.front().since > tuning::kNeighbourTimeout) {
    drop(waiting_.front().mbuf, DropReason::kNoNeighbour);
    waiting_.pop_front();
  }
  if (waiting_.empty()) {
    asked_.clear();
    return;
  }
  // This runs every poll: rescan only once some neighbour's retry can be due.
  if (now < next_retry_) return;
  // Keep asking for every neighbour something still waits for; forget the others.
  std::erase_if(asked_, [&](const Asked& a) { return !waiting_for(a.neighbour); });
  for (const Waiting& waiting : waiting_) request(waiting.neighbour, now);
  next_retry_ = TimePoint::max();
  for (const Asked& a : asked_)
    next_retry_ = std::min(next_retry_, a.when + tuning::kArpRetryInterval);
}

void PortSide::handle_neighbour(rte_mbuf* mbuf, const io::ParsedFrame& frame, TimePoint) {
  if (frame.kind == io::FrameKind::kArp) return handle_arp(mbuf, frame);
  handle_nd(mbuf, frame);
}

void PortSide::handle_arp(rte_mbuf* mbuf, const io::ParsedFrame& frame) {
  auto* data = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
  const io::ArpPacket arp = io::read_arp(data + frame.l3_offset);
  // Like neighbour discovery, report only a neighbour that is new or whose MAC changed.
  const config::MacAddress* before = neighbours_.find(arp.sender_ip);
  const std::optional<config::MacAddress> known =
      before != nullptr ? std::optional(*before) : std::nullopt;
  io::ArpPacket reply;
  const io::ArpAction action = io::process_arp(arp, identity(), neighbours_, reply);
  if (action != io::ArpAction::kIgnore) {
    const auto* mac = neighbours_.find(arp.sender_ip);
    if (mac != nullptr && known != *mac) learned(config::IpAddress::v4(arp.sender_ip), *mac);
  }
  switch (action) {
    case io::ArpAction::kIgnore:
      return drop(mbuf, DropReason::kNotForUs);
    case io::ArpAction::kLearned:
      // Consumed: it did its job by teaching us a neighbour.
      counters_.packets_consumed.add(1);
      rte_pktmbuf_free(mbuf);
      return;
    case io::ArpAction::kReply:
      break;
  }
  const std::size_t length = io::write_arp_frame(data, reply.target_mac, reply);
  mbuf->data_len = static_cast<std::uint16_t>(length);
  mbuf->pkt_len = static_cast<std::uint32_t>(length);
  tx_.push_back(mbuf);
}

void PortSide::handle_nd(rte_mbuf* mbuf, const io::ParsedFrame& frame) {
  auto* data = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
  const std::uint8_t* ip = data + frame.l3_offset;
  const std::uint8_t type = io::nd_type(ip, frame.l3_length);
  if (type == io::kNdRouterAdvertisement) return drop(mbuf, DropReason::kRouterAdvertisement);
  if (type != io::kNdNeighbourSolicitation && type != io::kNdNeighbourAdvertisement) {
    return drop(mbuf, DropReason::kUnhandled);  // router solicitations, redirects
  }
  io::NdMessage nd;
  if (!io::parse_nd(ip, frame.l3_length, nd)) {
    return drop(mbuf, DropReason::kBadNeighbourDiscovery);
  }
  config::MacAddress ethernet_source;
  std::memcpy(ethernet_source.bytes.data(), data + 6, 6);
  if (type == io::kNdNeighbourAdvertisement) {
    // RFC 4861 7.2.5: an advertisement only updates a neighbour we know or are resolving. A
    // solicited one to our address answers our solicitation, though maybe one a sibling worker
    // sent (the answer need not arrive on the queue that asked): that one is learned too.
    const config::IpAddress target = v6_address(nd.target);
    const bool answers_us = nd.solicited && identity().owns_v6(nd.destination);
    if (!answers_us && neighbours_v6_.find(nd.target) == nullptr && !waiting_for(target)) {
      return drop(mbuf, DropReason::kNotForUs);
    }
    // Without the override flag an advertisement must not change a known neighbour's address
    // (RFC 4861 7.2.5); it may still complete one we are resolving.
    const bool known = neighbours_v6_.find(nd.target) != nullptr;
    if ((!known || nd.override_flag) &&
        neighbours_v6_.learn(nd.target, nd.link_layer.value_or(ethernet_source))) {
      learned(target, *neighbours_v6_.find(nd.target));
    }
    counters_.packets_consumed.add(1);
    rte_pktmbuf_free(mbuf);
    return;
  }
  if (!identity().owns_v6(nd.target)) return drop(mbuf, DropReason::kNotForUs);
  // Duplicate address detection (from ::) gets an answer to all nodes, anything else a
  // solicited one; the sender is worth remembering (RFC 4861 7.2.3), it is about to talk.
  const bool detection = io::is_unspecified(nd.source);
  if (!detection && nd.link_layer && neighbours_v6_.learn(nd.source, *nd.link_layer)) {
    learned(v6_address(nd.source), *neighbours_v6_.find(nd.source));
  }
  const std::size_t length = io::write_neighbour_advertisement(
      data, identity().mac, nd.target, nd.link_layer.value_or(ethernet_source), nd.source,
      !detection);
  mbuf->data_len = static_cast<std::uint16_t>(length);
  mbuf->pkt_len = static_cast<std::uint32_t>(length);
  tx_.push_back(mbuf);
}

void PortSide::flush() {
  if (tx_.empty()) return;
  std::size_t sent_total = 0;
  while (sent_total < tx_.size()) {
    const std::size_t chunk = std::min<std::size_t>(tx_.size() - sent_total, UINT16_MAX);
    const std::uint16_t sent =
        port_.tx_burst(queue_, tx_.data() + sent_total, static_cast<std::uint16_t>(chunk));
    std::uint64_t bytes = 0;
    for (std::uint16_t i = 0; i < sent; ++i) bytes += tx_[sent_total + i]->pkt_len;
    counters_.packets_out.add(sent);
    counters_.bytes_out.add(bytes);
    sent_total += sent;
    if (sent < chunk) break;
  }
  // Keep what the port did not take, in order, for the next loop.
  tx_.erase(tx_.begin(), tx_.begin() + static_cast<std::ptrdiff_t>(sent_total));
}

}  // namespace actorwire::actors
