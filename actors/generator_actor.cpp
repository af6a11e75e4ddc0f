#include "actors/generator_actor.hpp"

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <array>
#include <chrono>

#include "actors/polling.hpp"
#include "caf/all.hpp"

namespace actorwire::actors {
namespace {

constexpr unsigned kBurst = 32;
// Nothing to do (port full, pool empty, or not yet due): yield the thread this long.
constexpr auto kPause = std::chrono::microseconds(20);

using Clock = std::chrono::steady_clock;

struct GeneratorState {
  Clock::time_point start;
  std::uint64_t offered = 0;
};

// Offers one burst; returns false when the generator should pause before the next.
bool offer_burst(GeneratorContext& context, GeneratorState& state) {
  unsigned want = kBurst;
  if (context.max_packets != 0) {
    want =
        static_cast<unsigned>(std::min<std::uint64_t>(want, context.max_packets - state.offered));
  }
  if (context.rate_pps != 0) {
    const auto elapsed = std::chrono::duration<double>(Clock::now() - state.start).count();
    const auto due = static_cast<std::uint64_t>(elapsed * static_cast<double>(context.rate_pps));
    if (due <= state.offered) return false;
    want = static_cast<unsigned>(std::min<std::uint64_t>(want, due - state.offered));
  } else {
    want = std::min(want, rte_ring_free_count(context.ring));
  }
  if (want == 0) return false;
  std::array<rte_mbuf*, kBurst> mbufs;
  if (rte_pktmbuf_alloc_bulk(context.pool, mbufs.data(), want) != 0) return false;
  std::uint64_t bytes = 0;
  for (unsigned i = 0; i < want; ++i) {
    context.traffic->fill(mbufs[i], state.offered + i);
    bytes += mbufs[i]->pkt_len;
  }
  const unsigned enqueued =
      rte_ring_enqueue_burst(context.ring, reinterpret_cast<void**>(mbufs.data()), want, nullptr);
  if (enqueued < want) {
    rte_pktmbuf_free_bulk(mbufs.data() + enqueued, want - enqueued);
    context.counters->drop(DropReason::kTxFull, want - enqueued);
  }
  state.offered += want;
  context.counters->packets_generated.add(want);
  context.counters->packets_out.add(enqueued);
  context.counters->bytes_out.add(bytes);
  return enqueued == want;
}

caf::behavior generator_behavior(caf::stateful_actor<GeneratorState>* self,
                                 std::shared_ptr<GeneratorContext> context) {
  self->state.start = Clock::now();
  self->send(self, poll_atom::value);
  return {
      [self, context](poll_atom) {
        const bool busy =
            run_bursts(*context->counters, [&] { return offer_burst(*context, self->state); });
        if (context->max_packets != 0 && self->state.offered >= context->max_packets) {
          context->finished = true;
          return;  // stay alive (counters, exit) but stop offering
        }
        schedule_next_poll(self, busy, kPause);
      },
  };
}

}  // namespace

caf::actor spawn_generator_actor(caf::actor_system& system,
                                 std::shared_ptr<GeneratorContext> context) {
  return system.spawn(generator_behavior, std::move(context));
}

}  // namespace actorwire::actors
