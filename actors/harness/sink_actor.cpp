#include "actors/harness/sink_actor.hpp"

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <vector>

#include "actors/common/ring_pause.hpp"
#include "actors/common/tuning.hpp"
#include "actors/runtime/poll_loop.hpp"
#include "caf/all.hpp"
#include "io/send_stamp.hpp"

namespace actorwire::actors {
namespace {

constexpr unsigned kBurst = tuning::kSinkBurst;
// An empty ring: look again after this long at first (longer while they stay empty: the idle
// back-off). A 1024-deep ring port at 3 Mpps fills in ~340 us.
constexpr auto kPause = tuning::kSinkPause;

// Each stamped frame's time from the generator to the gateway's tx (or, for a port without the
// tx stamp, to now), before it is freed.
void record_latency(LatencyHistogram& latency, rte_mbuf* const* mbufs, unsigned count) {
  const std::uint64_t now = rte_rdtsc();
  for (unsigned i = 0; i < count; ++i) {
    const io::FrameTimes times = io::take_frame_times(mbufs[i]);
    if (times.sent == 0) continue;
    const std::uint64_t left = times.left != 0 ? times.left : now;
    latency.record(times.sent < left ? cycles_to_ns(left - times.sent) : 0);
  }
}

std::size_t drain(SinkContext& context) {
  std::size_t total = 0;
  std::array<rte_mbuf*, kBurst> mbufs;
  for (rte_ring* ring : context.rings) {
    const unsigned count =
        rte_ring_dequeue_burst(ring, reinterpret_cast<void**>(mbufs.data()), kBurst, nullptr);
    if (context.latency) record_latency(*context.latency, mbufs.data(), count);
    std::uint64_t bytes = 0;
    for (unsigned i = 0; i < count; ++i) bytes += mbufs[i]->pkt_len;
    rte_pktmbuf_free_bulk(mbufs.data(), count);
    context.counters->packets_in.add(count);
    context.counters->bytes_in.add(bytes);
    context.counters->packets_consumed.add(count);
    total += count;
  }
  return total;
}

// How full the fullest ring is (0..1).
double fill_share(const std::vector<rte_ring*>& rings) {
  double share = 0;
  for (const rte_ring* ring : rings) {
    share = std::max(share, static_cast<double>(rte_ring_count(ring)) /
                                static_cast<double>(rte_ring_get_capacity(ring)));
  }
  return share;
}

bool holds_a_burst(const std::vector<rte_ring*>& rings) {
  for (const rte_ring* ring : rings) {
    if (rte_ring_count(ring) >= kBurst) return true;
  }
  return false;
}

struct SinkState {
  std::optional<PollPacer> pacer;  // empty rings: the idle back-off
  // Traffic flows: how long to let the gateway fill the rings the sink just drained.
  RingPause ring_pause{kPause, tuning::kHarnessMaxRingPause};
  bool ring_paused = false;  // the pause that just ended was ring_pause's
};

caf::behavior sink_behavior(caf::stateful_actor<SinkState>* self,
                            std::shared_ptr<SinkContext> context) {
  // On a thread of its own it sleeps its pauses (see the generator's).
  if (context->own_thread) {
    self->state.pacer.emplace(true, std::max(context->idle_backoff_max, kPause));
  } else {
    self->state.pacer.emplace(false, context->idle_backoff_max, kPause);
  }
  self->send(self, poll_atom::value);
  return {
      [self, context](poll_atom) {
        SinkState& state = self->state;
        state.pacer->resumed(*context->counters);
        if (state.ring_paused) state.ring_pause.after(fill_share(context->rings));
        state.ring_paused = false;
        const bool busy = run_poll(*context->counters, PollLimits{tuning::kHarnessBurstsPerPoll, 1},
                                   [&] { return drain(*context) > 0; });
        const std::chrono::microseconds pause = state.pacer->after_poll(busy, *context->counters);
        // Drained while traffic flows: come back once the gateway has filled a good share of the
        // rings again (at once if they still hold more than a burst).
        if (busy && !holds_a_burst(context->rings)) {
          state.ring_paused = true;
          schedule_next_poll(
              self, state.pacer->pause_for(state.ring_pause.current(), *context->counters));
          return;
        }
        schedule_next_poll(self, pause);
      },
  };
}

}  // namespace

caf::actor spawn_sink_actor(caf::actor_system& system, std::shared_ptr<SinkContext> context) {
  if (context->own_thread) return system.spawn<caf::detached>(sink_behavior, std::move(context));
  return system.spawn(sink_behavior, std::move(context));
}

}  // namespace actorwire::actors
