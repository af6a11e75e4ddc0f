// Test harness plumbing for gateways wired to each other over in-process ring ports.
//
// A harness thread often does two jobs: it carries one gateway's WAN output into another's WAN
// input, and it drains the second gateway's LAN output. It must never block on one ring while
// another has to be drained: if it spins on a full inject ring, nobody drains the LAN capture
// ring, the gateway (correctly) holds its output and stops polling its WAN, and the inject ring
// never frees. That deadlock hung CI. `RingRelay` therefore never waits: frames that do not fit
// stay in a per-queue FIFO, in order, and are offered first on the next pass.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "io/port.hpp"
#include "io/rss.hpp"

namespace actorwire::test_support {

class RingRelay {
 public:
  // Sees each frame once, as it leaves the source; false drops it (the harness plays the wire).
  using Tap = std::function<bool(rte_mbuf*)>;

  RingRelay() = default;
  RingRelay(const RingRelay&) = delete;
  RingRelay& operator=(const RingRelay&) = delete;
  ~RingRelay() { clear(); }

  // Moves everything `from` transmitted into `to`'s receive queues (spread by RSS, as a NIC
  // would), without blocking. Returns the number of frames taken from `from`.
  std::size_t pass(io::Port& from, io::Port& to, const Tap& tap = nullptr) {
    pending_.resize(to.queues());
    flush(to);
    std::size_t taken = 0;
    std::vector<rte_mbuf*> burst(kBurst);
    for (std::uint16_t q = 0; q < from.queues(); ++q) {
      unsigned count = 0;
      while ((count = rte_ring_dequeue_burst(
                  from.capture_ring(q), reinterpret_cast<void**>(burst.data()), kBurst, nullptr)) !=
             0) {
        taken += count;
        for (unsigned i = 0; i < count; ++i) {
          rte_mbuf* mbuf = burst[i];
          if (tap && !tap(mbuf)) {
            rte_pktmbuf_free(mbuf);
            continue;
          }
          const auto queue = io::rss_queue_for_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*),
                                                     mbuf->data_len, to.queues());
          pending_[queue].push_back(mbuf);
        }
        if (count < kBurst) break;
      }
    }
    flush(to);
    return taken;
  }

  // Frames waiting for room in the destination's rings.
  [[nodiscard]] std::size_t pending() const {
    std::size_t total = 0;
    for (const auto& fifo : pending_) total += fifo.size();
    return total;
  }

  // Frees what is still waiting (before the mempools the frames came from go away).
  void clear() {
    for (auto& fifo : pending_) {
      for (rte_mbuf* mbuf : fifo) rte_pktmbuf_free(mbuf);
      fifo.clear();
    }
  }

 private:
  static constexpr unsigned kBurst = 256;

  void flush(io::Port& to) {
    for (std::uint16_t q = 0; q < pending_.size(); ++q) {
      auto& fifo = pending_[q];
      while (!fifo.empty() && rte_ring_enqueue(to.inject_ring(q), fifo.front()) == 0) {
        fifo.pop_front();
      }
    }
  }

  std::vector<std::deque<rte_mbuf*>> pending_;
};

}  // namespace actorwire::test_support
