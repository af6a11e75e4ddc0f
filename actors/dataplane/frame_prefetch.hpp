// Loads a burst's frames into the cache ahead of the one being parsed, as DPDK's l3fwd does:
// the first touch of a frame another core wrote (the NIC, the feeder, the previous stage) is a
// cache miss, and parsing waits for it unless it was asked for a few frames earlier.
#pragma once

#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <algorithm>
#include <cstddef>

#include "actors/common/tuning.hpp"

namespace actorwire::actors {

inline void prefetch_frame(const rte_mbuf* mbuf) {
  rte_prefetch0(rte_pktmbuf_mtod(mbuf, const void*));
}

// Before the loop over a burst: its first kPrefetchAhead frames.
inline void prefetch_first_frames(rte_mbuf* const* mbufs, std::size_t count) {
  for (std::size_t i = 0; i < std::min(count, tuning::kPrefetchAhead); ++i) {
    prefetch_frame(mbufs[i]);
  }
}

// In the loop, before frame i is parsed: frame i + kPrefetchAhead, if the burst has one.
inline void prefetch_ahead(rte_mbuf* const* mbufs, std::size_t count, std::size_t i) {
  if (i + tuning::kPrefetchAhead < count) prefetch_frame(mbufs[i + tuning::kPrefetchAhead]);
}

}  // namespace actorwire::actors
