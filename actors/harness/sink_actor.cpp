#include "actors/harness/sink_actor.hpp"

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <array>
#include <chrono>

#include "actors/common/tuning.hpp"
#include "actors/runtime/poll_loop.hpp"
#include "caf/all.hpp"

namespace actorwire::actors {
namespace {

constexpr unsigned kBurst = tuning::kSinkBurst;
// An empty ring: look again after this long. A 1024-deep ring port at 3 Mpps fills in ~340 us.
constexpr auto kPause = tuning::kSinkPause;

std::size_t drain(SinkContext& context) {
  std::size_t total = 0;
  std::array<rte_mbuf*, kBurst> mbufs;
  for (rte_ring* ring : context.rings) {
    const unsigned count =
        rte_ring_dequeue_burst(ring, reinterpret_cast<void**>(mbufs.data()), kBurst, nullptr);
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

caf::behavior sink_behavior(caf::event_based_actor* self, std::shared_ptr<SinkContext> context) {
  self->send(self, poll_atom::value);
  return {
      [self, context](poll_atom) {
        const bool busy = run_poll(*context->counters, PollLimits{tuning::kHarnessBurstsPerPoll, 1},
                                   [&] { return drain(*context) > 0; });
        schedule_next_poll(self, busy, kPause);
      },
  };
}

}  // namespace

caf::actor spawn_sink_actor(caf::actor_system& system, std::shared_ptr<SinkContext> context) {
  return system.spawn(sink_behavior, std::move(context));
}

}  // namespace actorwire::actors
