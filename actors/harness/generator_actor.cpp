#include "actors/harness/generator_actor.hpp"

#include <rte_ring.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/ring_pause.hpp"
#include "actors/common/tuning.hpp"
#include "actors/runtime/poll_loop.hpp"
#include "caf/all.hpp"
#include "io/traffic_injector.hpp"

namespace actorwire::actors {
namespace {

constexpr unsigned kBurst = tuning::kGeneratorBurst;
static_assert(kBurst <= io::TrafficInjector::kMaxBurst);
// Nothing to do (port full, pool empty, not yet due): yield the thread this long (paused: the
// idle back-off, longer and longer).
constexpr auto kPause = tuning::kGeneratorPause;

struct GeneratorState {
  std::optional<PollPacer> pacer;  // paused: the idle back-off
  // As fast as the port accepts: how long to let the gateway drain a full ring.
  RingPause ring_pause{kPause, tuning::kHarnessMaxRingPause};
  bool ring_full = false;  // the last poll stopped at a full inject ring
  Clock::time_point start;
  std::uint64_t offered = 0;
  std::uint64_t rate = 0;                       // the rate `start` belongs to
  std::uint64_t offered_at_start = 0;           // offered when `start` was set
  std::optional<io::TrafficInjector> injector;  // built when the actor starts
};

// Offers one burst; returns false when the generator should pause before the next.
bool offer_burst(GeneratorContext& context, GeneratorState& state) {
  io::TrafficInjector& injector = *state.injector;
  unsigned want = kBurst;
  if (context.max_packets != 0) {
    want =
        static_cast<unsigned>(std::min<std::uint64_t>(want, context.max_packets - state.offered));
  }
  if (context.paused) return false;
  const std::uint64_t rate = context.rate_pps;
  if (rate != state.rate) {
    // A new rate counts from now: what was offered so far stays offered.
    state.rate = rate;
    state.start = Clock::now();
    state.offered_at_start = state.offered;
  }
  if (rate != 0) {
    const auto elapsed = std::chrono::duration<double>(Clock::now() - state.start).count();
    const auto due =
        state.offered_at_start + static_cast<std::uint64_t>(elapsed * static_cast<double>(rate));
    if (due <= state.offered) return false;
    want = static_cast<unsigned>(std::min<std::uint64_t>(want, due - state.offered));
  } else {
    want = injector.frames_that_fit(state.offered, want);
    state.ring_full = want == 0;
  }
  if (want == 0) return false;
  const io::InjectedBurst burst = injector.inject(state.offered, want, context.stamp_send_time);
  if (burst.offered == 0) return false;  // the pool is empty
  if (burst.enqueued < burst.offered) {
    context.counters->drop(DropReason::kTxFull, burst.offered - burst.enqueued);
  }
  state.offered += burst.offered;
  context.counters->packets_generated.add(burst.offered);
  context.counters->packets_out.add(burst.enqueued);
  context.counters->bytes_out.add(burst.bytes);
  return burst.enqueued == burst.offered;
}

// The share of its ring the gateway has emptied since the generator filled it: of the fullest
// ring, since frames go out in sequence and wait for theirs.
double free_share(const std::vector<rte_ring*>& rings) {
  double share = 1;
  for (const rte_ring* ring : rings) {
    share = std::min(share, static_cast<double>(rte_ring_free_count(ring)) /
                                static_cast<double>(rte_ring_get_capacity(ring)));
  }
  return share;
}

caf::behavior generator_behavior(caf::stateful_actor<GeneratorState>* self,
                                 std::shared_ptr<GeneratorContext> context) {
  // Computes every flow's queue (a frame per flow) once, before the first frame goes out.
  self->state.injector.emplace(context->traffic, context->rings, context->pool);
  self->state.start = Clock::now();
  // On a thread of its own it sleeps its pauses; never a busy-poll, even for a busy-polling
  // gateway (idle_backoff_max_us = 0): it would take a core from the gateway.
  if (context->own_thread) {
    self->state.pacer.emplace(true, std::max(context->idle_backoff_max, kPause));
  } else {
    self->state.pacer.emplace(false, context->idle_backoff_max, kPause);
  }
  self->send(self, poll_atom::value);
  return {
      [self, context](poll_atom) {
        GeneratorState& state = self->state;
        state.pacer->resumed(*context->counters);
        if (state.ring_full) state.ring_pause.after(free_share(context->rings));
        state.ring_full = false;
        const bool busy = run_poll(*context->counters, PollLimits{tuning::kHarnessBurstsPerPoll, 1},
                                   [&] { return offer_burst(*context, state); });
        if (context->max_packets != 0 && state.offered >= context->max_packets) {
          context->finished = true;
          return;  // stay alive (counters, exit) but stop offering
        }
        // As fast as the port accepts, and the ring is full: come back once the gateway has
        // emptied a good share of it, not every few frames.
        StageCounters& counters = *context->counters;
        if (state.ring_full && !context->paused) {
          schedule_next_poll(self, state.pacer->pause_for(state.ring_pause.current(), counters));
          return;
        }
        // A rate not yet due (or an empty pool) is not idle: the fixed short pause, as always.
        // Only a paused generator backs off.
        if (!busy && !context->paused) {
          schedule_next_poll(self, state.pacer->pause_for(kPause, counters));
          return;
        }
        schedule_next_poll(self, state.pacer->after_poll(busy, counters));
      },
  };
}

}  // namespace

caf::actor spawn_generator_actor(caf::actor_system& system,
                                 std::shared_ptr<GeneratorContext> context) {
  if (context->own_thread)
    return system.spawn<caf::detached>(generator_behavior, std::move(context));
  return system.spawn(generator_behavior, std::move(context));
}

}  // namespace actorwire::actors
