// Feeds an in-process (net_ring) port with a TrafficGenerator's frames the way a NIC with RSS
// feeds its rx queues: every frame goes to the inject ring of the queue rss_queue_for_frame
// picks for it, so one flow stays on one queue and few flows use few queues (paper Fig. 11).
// The generator's flows are deterministic, so each flow's queue is computed once, when the
// injector is built, and a frame's queue costs one table lookup.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "io/traffic_generator.hpp"

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;

namespace actorwire::io {

struct InjectedBurst {
  unsigned offered = 0;     // frames built (0: the pool had no mbufs left)
  unsigned enqueued = 0;    // of those, frames now in an inject ring; the others were freed
  std::uint64_t bytes = 0;  // frame bytes offered
};

class TrafficInjector {
 public:
  static constexpr unsigned kMaxBurst = 64;

  // `inject_rings`: the port's inject rings in rx-queue order (Port::inject_rings()), at least
  // one. With more than one, builds the per-flow queue table by hashing one frame of each flow
  // (the config allows up to 65536 flows): build the injector once, before injecting.
  TrafficInjector(std::shared_ptr<const TrafficGenerator> traffic,
                  std::vector<rte_ring*> inject_rings, rte_mempool* pool);

  // How many of the frames first_seq, first_seq + 1, ... (at most `count`) fit into their
  // queues' rings right now, stopping at the first that does not: offering no more than this
  // never drops, since only the injector enqueues.
  unsigned frames_that_fit(std::uint64_t first_seq, unsigned count);

  // Builds frames first_seq .. first_seq + count - 1 in mbufs from the pool (a count above
  // kMaxBurst is cut to it) and enqueues each on its queue's ring, in sequence order per queue.
  // Frames whose ring is full are freed, like a NIC dropping on a full rx queue.
  // `stamp_send_time`: stamp every frame with the TSC just before enqueueing (io/send_stamp.hpp).
  InjectedBurst inject(std::uint64_t first_seq, unsigned count, bool stamp_send_time = false);

  std::uint16_t queue_of(std::uint64_t seq) const {
    return queue_of_flow_.empty() ? 0 : queue_of_flow_[traffic_->flow_of(seq)];
  }
  std::uint16_t queues() const { return static_cast<std::uint16_t>(rings_.size()); }
  const TrafficGenerator& traffic() const { return *traffic_; }

 private:
  unsigned enqueue_by_queue(std::uint64_t first_seq, rte_mbuf** mbufs, unsigned count);

  std::shared_ptr<const TrafficGenerator> traffic_;
  std::vector<rte_ring*> rings_;
  rte_mempool* pool_ = nullptr;
  std::vector<std::uint16_t> queue_of_flow_;  // indexed by flow; empty with one queue
  std::vector<unsigned> per_queue_;           // scratch: frames or room per queue
};

}  // namespace actorwire::io
