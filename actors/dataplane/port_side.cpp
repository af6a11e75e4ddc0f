#include "actors/dataplane/port_side.hpp"

#include <algorithm>

#include "actors/common/tuning.hpp"

namespace actorwire::actors {

PortSide::PortSide(io::Port& port, rte_mempool* pool, StageCounters& counters, std::uint16_t queue)
    : port_(port), pool_(pool), queue_(queue), counters_(counters) {
  for (const auto& neighbour : port.static_neighbours()) {
    if (!neighbour.address.is_v6) {
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

void PortSide::transmit_to(rte_mbuf* mbuf, std::uint32_t destination,
                           std::chrono::steady_clock::time_point now) {
  const auto hop = identity().next_hop_for(destination);
  if (!hop) return drop(mbuf, DropReason::kNoNeighbour);
  auto* ethernet = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
  if (const auto* mac = neighbours_.find(*hop)) {
    std::copy(mac->bytes.begin(), mac->bytes.end(), ethernet);
    tx_.push_back(mbuf);
    return;
  }
  if (waiting_.size() >= tuning::kMaxAwaitingNeighbour) {
    drop(waiting_.front().mbuf, DropReason::kNoNeighbour);
    waiting_.pop_front();
  }
  waiting_.push_back({mbuf, *hop, now});
  request(*hop, now);
}

void PortSide::request(std::uint32_t neighbour, std::chrono::steady_clock::time_point now) {
  // Rate-limited per neighbour, like the kernel's per-neighbour retransmit timer: a second
  // unknown host must not wait for the first one's retry interval.
  const auto [asked, first_time] = last_request_.try_emplace(neighbour, now);
  if (!first_time) {
    if (now - asked->second < tuning::kArpRetryInterval) return;
    asked->second = now;
  }
  next_retry_ = std::min(next_retry_, now + tuning::kArpRetryInterval);
  rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
  if (mbuf == nullptr) return;
  auto* data = reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(mbuf, io::kArpFrameSize));
  io::write_arp_frame(data, io::kBroadcastMac, io::make_arp_request(identity(), neighbour));
  counters_.packets_generated.add(1);
  tx_.push_back(mbuf);
}

void PortSide::release(std::uint32_t neighbour, const config::MacAddress& mac) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->neighbour != neighbour) {
      ++it;
      continue;
    }
    auto* ethernet = rte_pktmbuf_mtod(it->mbuf, std::uint8_t*);
    std::copy(mac.bytes.begin(), mac.bytes.end(), ethernet);
    tx_.push_back(it->mbuf);
    it = waiting_.erase(it);
  }
  last_request_.erase(neighbour);
}

void PortSide::learn(std::uint32_t ip, const config::MacAddress& mac) {
  neighbours_.learn(ip, mac);
  if (const auto* known = neighbours_.find(ip)) release(ip, *known);  // static entries win
}

std::vector<std::pair<std::uint32_t, config::MacAddress>> PortSide::take_learned() {
  std::vector<std::pair<std::uint32_t, config::MacAddress>> out;
  out.swap(learned_);
  return out;
}

void PortSide::expire_waiting(std::chrono::steady_clock::time_point now) {
  while (!waiting_.empty() && now - waiting_.front().since > tuning::kNeighbourTimeout) {
    drop(waiting_.front().mbuf, DropReason::kNoNeighbour);
    waiting_.pop_front();
  }
  if (waiting_.empty()) {
    if (!last_request_.empty()) last_request_.clear();  // clear() always wipes the buckets
    return;
  }
  // This runs every poll: rescan only once some neighbour's retry can be due.
  if (now < next_retry_) return;
  // Keep asking for every neighbour something still waits for; forget the others.
  for (auto it = last_request_.begin(); it != last_request_.end();) {
    const std::uint32_t neighbour = it->first;
    const bool waited_for = std::any_of(waiting_.begin(), waiting_.end(),
                                        [&](const Waiting& w) { return w.neighbour == neighbour; });
    it = waited_for ? std::next(it) : last_request_.erase(it);
  }
  for (const Waiting& waiting : waiting_) request(waiting.neighbour, now);
  next_retry_ = std::chrono::steady_clock::time_point::max();
  for (const auto& [neighbour, asked] : last_request_) {
    next_retry_ = std::min(next_retry_, asked + tuning::kArpRetryInterval);
  }
}

void PortSide::handle_arp(rte_mbuf* mbuf, const io::ParsedFrame& frame,
                          std::chrono::steady_clock::time_point) {
  auto* data = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
  const io::ArpPacket arp = io::read_arp(data + frame.l3_offset);
  io::ArpPacket reply;
  const io::ArpAction action = io::process_arp(arp, identity(), neighbours_, reply);
  if (action != io::ArpAction::kIgnore) {
    if (const auto* mac = neighbours_.find(arp.sender_ip)) {
      release(arp.sender_ip, *mac);
      learned_.emplace_back(arp.sender_ip, *mac);
    }
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
