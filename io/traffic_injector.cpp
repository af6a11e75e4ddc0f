#include "io/traffic_injector.hpp"

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <algorithm>
#include <array>
#include <utility>

#include "io/headers.hpp"
#include "io/rss.hpp"
#include "io/send_stamp.hpp"

namespace actorwire::io {

TrafficInjector::TrafficInjector(std::shared_ptr<const TrafficGenerator> traffic,
                                 std::vector<rte_ring*> inject_rings, rte_mempool* pool)
    : traffic_(std::move(traffic)), rings_(std::move(inject_rings)), pool_(pool) {
  if (rings_.size() <= 1) return;
  per_queue_.resize(rings_.size());
  const std::uint32_t flows = traffic_->pattern().flows;
  queue_of_flow_.resize(flows);
  std::vector<std::uint8_t> frame(kEthernetHeaderSize + TrafficGenerator::kMaxIpSize);
  for (std::uint32_t flow = 0; flow < flows; ++flow) {
    // Frame number `flow` belongs to flow `flow`, and every frame of a flow hashes alike.
    const std::size_t length = traffic_->write_frame(flow, frame.data());
    queue_of_flow_[flow] = rss_queue_for_frame(frame.data(), length, queues());
  }
}

unsigned TrafficInjector::frames_that_fit(std::uint64_t first_seq, unsigned count) {
  if (rings_.empty()) return 0;
  if (rings_.size() == 1) return std::min(count, rte_ring_free_count(rings_[0]));
  // Only consumers run concurrently, so the room read here can only grow until we enqueue.
  for (std::size_t queue = 0; queue < rings_.size(); ++queue) {
    per_queue_[queue] = rte_ring_free_count(rings_[queue]);
  }
  unsigned fit = 0;
  for (; fit < count; ++fit) {
    unsigned& room = per_queue_[queue_of(first_seq + fit)];
    if (room == 0) break;
    --room;
  }
  return fit;
}

InjectedBurst TrafficInjector::inject(std::uint64_t first_seq, unsigned count,
                                      bool stamp_send_time) {
  count = std::min(count, kMaxBurst);
  std::array<rte_mbuf*, kMaxBurst> mbufs;
  if (count == 0 || rings_.empty() || rte_pktmbuf_alloc_bulk(pool_, mbufs.data(), count) != 0) {
    return {};
  }
  InjectedBurst burst;
  burst.offered = count;
  for (unsigned i = 0; i < count; ++i) {
    traffic_->fill(mbufs[i], first_seq + i);
    burst.bytes += mbufs[i]->pkt_len;
  }
  if (stamp_send_time) {
    // One clock read for the burst: it enters the rings now, all at once.
    const std::uint64_t now = rte_rdtsc();
    for (unsigned i = 0; i < count; ++i) write_send_stamp(mbufs[i], now);
  }
  if (rings_.size() == 1) {
    burst.enqueued =
        rte_ring_enqueue_burst(rings_[0], reinterpret_cast<void**>(mbufs.data()), count, nullptr);
    if (burst.enqueued < count) {
      rte_pktmbuf_free_bulk(mbufs.data() + burst.enqueued, count - burst.enqueued);
    }
  } else {
    burst.enqueued = enqueue_by_queue(first_seq, mbufs.data(), count);
  }
  return burst;
}

// Groups the burst by queue (a stable counting sort, so each queue keeps sequence order) and
// enqueues one slice per queue: one ring operation per queue instead of one per frame.
unsigned TrafficInjector::enqueue_by_queue(std::uint64_t first_seq, rte_mbuf** mbufs,
                                           unsigned count) {
  std::array<std::uint16_t, kMaxBurst> queue_of_frame;
  std::fill(per_queue_.begin(), per_queue_.end(), 0u);
  for (unsigned i = 0; i < count; ++i) {
    queue_of_frame[i] = queue_of(first_seq + i);
    ++per_queue_[queue_of_frame[i]];
  }
  unsigned slice_start = 0;
  for (unsigned& slot : per_queue_) {  // counts -> each queue's first slot
    const unsigned frames = slot;
    slot = slice_start;
    slice_start += frames;
  }
  std::array<rte_mbuf*, kMaxBurst> grouped;
  for (unsigned i = 0; i < count; ++i) grouped[per_queue_[queue_of_frame[i]]++] = mbufs[i];
  // per_queue_ now holds each queue's slice end.
  unsigned enqueued = 0;
  unsigned begin = 0;
  for (std::size_t queue = 0; queue < rings_.size(); ++queue) {
    const unsigned frames = per_queue_[queue] - begin;
    if (frames != 0) {
      rte_mbuf** slice = grouped.data() + begin;
      const unsigned accepted =
          rte_ring_enqueue_burst(rings_[queue], reinterpret_cast<void**>(slice), frames, nullptr);
      if (accepted < frames) rte_pktmbuf_free_bulk(slice + accepted, frames - accepted);
      enqueued += accepted;
    }
    begin = per_queue_[queue];
  }
  return enqueued;
}

}  // namespace actorwire::io
