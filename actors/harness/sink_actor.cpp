#include "actors/harness/sink_actor.hpp"

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <array>
#include <chrono>
#include <optional>

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

struct SinkState {
  std::optional<PollPacer> pacer;  // empty rings: the idle back-off
};

caf::behavior sink_behavior(caf::stateful_actor<SinkState>* self,
                            std::shared_ptr<SinkContext> context) {
  self->state.pacer.emplace(false, context->idle_backoff_max, kPause);
  self->send(self, poll_atom::value);
  return {
      [self, context](poll_atom) {
        self->state.pacer->resumed(*context->counters);
        const bool busy = run_poll(*context->counters, PollLimits{tuning::kHarnessBurstsPerPoll, 1},
                                   [&] { return drain(*context) > 0; });
        schedule_next_poll(self, self->state.pacer->after_poll(busy, *context->counters));
      },
  };
}

}  // namespace

caf::actor spawn_sink_actor(caf::actor_system& system, std::shared_ptr<SinkContext> context) {
  return system.spawn(sink_behavior, std::move(context));
}

}  // namespace actorwire::actors
