// The pipeline's rx stage: polls the LAN and WAN ports and sends each burst as a batch to
// lookup, while lookup has credit for it. Without credit it stops polling and backs off until
// lookup returns a credit (a message: polling without credit could do nothing), so the ports'
// rings fill and the "NIC" drops (rx-missed): the only place the gateway sheds overload. While
// it waits, one timer of backoff_max_us at a time keeps its heartbeat going (the watchdog must
// not take a stage that waits for credit for a stuck one). It used to poll again after
// backoff_min_us, doubling up to backoff_max_us: a timer message, each a few system calls on
// CAF's timer thread, several per stall, and under load lookup stalls rx thousands of times a
// second. With empty ports it backs off too (idle back-off, runtime/poll_loop.hpp), and once
// the gateway stops it receives nothing more.
#include <rte_mbuf.h>

#include <algorithm>
#include <array>
#include <chrono>

#include "actors/common/tuning.hpp"
#include "actors/pipeline/credit_window.hpp"
#include "actors/pipeline/pipeline_stages.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/poll_loop.hpp"
#include "io/eal.hpp"

namespace actorwire::actors {
namespace {

struct RxState {
  std::shared_ptr<PipelineContext> context;
  caf::actor lookup;
  CreditWindow credits;
  std::uint64_t outbound_sequence = 0;
  std::uint64_t inbound_sequence = 0;
  std::size_t batch = 32;
  // Waiting for credit since when (nullopt: not waiting), and whether its liveness timer runs.
  std::optional<Clock::time_point> backoff_since;
  bool stall_timer_armed = false;
  // Each scheduled poll carries a generation; only the latest counts, so ending a back-off
  // early (a fresh poll) does not leave the back-off's delayed poll running a second loop.
  std::uint64_t poll_generation = 0;
  // Detached, where both ports have rx interrupts: the idle back-off waits on them.
  std::unique_ptr<io::RxInterruptWait> rx_wait;
  std::optional<PollPacer> pacer;  // full speed under traffic, idle back-off without
};

using RxActor = caf::stateful_actor<RxState>;

// The generation of the liveness timer's polls while rx waits for credit (schedule_poll's start
// at 1).
constexpr std::uint64_t kStallTimer = 0;

// One burst from one port into one batch; false when the port had nothing.
bool receive(RxActor* self, io::Port& port, bool from_wan) {
  RxState& state = self->state;
  StageCounters& counters = *state.context->rx_counters;
  std::array<rte_mbuf*, tuning::kMaxBurst> mbufs;
  const std::uint16_t count =
      port.rx_burst(0, mbufs.data(), static_cast<std::uint16_t>(state.batch));
  if (count == 0) return false;
  const BatchStream stream = from_wan ? BatchStream::kInbound : BatchStream::kOutbound;
  std::uint64_t& sequence = from_wan ? state.inbound_sequence : state.outbound_sequence;
  PacketBatch batch = make_batch(state.context->batches.get(), stream, sequence++, count,
                                 state.context->rx_counters);
  std::uint64_t bytes = 0;
  for (std::uint16_t i = 0; i < count; ++i) {
    PacketSlot& slot = batch.data->slots[i];
    slot.mbuf = mbufs[i];
    slot.from_wan = from_wan;
    slot.action = SlotAction::kSeal;
    bytes += mbufs[i]->pkt_len;
  }
  counters.packets_in.add(count);
  counters.bytes_in.add(bytes);
  counters.packets_out.add(count);
  counters.bytes_out.add(bytes);
  state.credits.take();
  note_sent(*state.context->lookup_counters);
  self->send(state.lookup, std::move(batch));
  return true;
}

void schedule_poll(RxActor* self, std::chrono::microseconds delay) {
  const std::uint64_t generation = ++self->state.poll_generation;
  if (delay.count() == 0) {
    self->send(self, poll_atom::value, generation);
  } else {
    self->delayed_send(self, delay, poll_atom::value, generation);
  }
}

void end_backoff(RxState& state) {
  if (!state.backoff_since) return;
  state.context->rx_counters->backoff_ns.add(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - *state.backoff_since)
          .count()));
  state.backoff_since.reset();
}

void poll(RxActor* self) {
  RxState& state = self->state;
  PipelineContext& context = *state.context;
  StageCounters& counters = *context.rx_counters;
  io::register_current_thread();
  state.pacer->resumed(counters);
  // The gateway is stopping: receive nothing more (what is inside the pipeline finishes).
  if (!context.env->may_receive()) return;
  if (!state.credits.available()) {
    // Lookup is full: stop polling, wait exponentially longer while it stays full. Waiting for
    // credit is not being stuck (the stage that holds it is): liveness for the watchdog.
    counters.heartbeat.add();
    if (!state.backoff_since) {
      state.backoff_since = Clock::now();
      counters.backoff_events.add(1);
      counters.credit_stalls.add(1);
    }
    if (!state.stall_timer_armed) {
      state.stall_timer_armed = true;
      self->delayed_send(self, context.settings.backoff_max, poll_atom::value, kStallTimer);
    }
    return;
  }
  end_backoff(state);
  // A burst from each port per round while lookup has credit; the first empty round ends it.
  const bool received_any =
      run_poll(counters, {tuning::kRxBurstsPerPoll, 1}, [self, &state, &context] {
        if (!state.credits.available()) return false;
        bool received = receive(self, *context.env->lan, false);
        if (state.credits.available())
          received = receive(self, *context.env->wan, true) || received;
        return received;
      });
  // Detached: busy-poll (the thread is ours), sleep (or wait on the rx interrupts) when idle.
  // Scheduled: yield the thread when idle.
  schedule_poll(self, state.pacer->after_poll(received_any, counters));
}

caf::behavior rx_behavior(RxActor* self, const std::shared_ptr<PipelineContext>& context) {
  self->state.context = context;
  self->state.batch = std::min<std::size_t>(context->settings.batch_size, tuning::kMaxBurst);
  self->state.credits = CreditWindow(context->settings.mailbox_capacity);
  self->state.pacer.emplace(context->settings.detached_io, context->env->idle_backoff_max);
  if (context->settings.detached_io) {
    self->state.rx_wait = context->env->rx_interrupt_wait(0);
    self->state.pacer->wait_on(self->state.rx_wait.get());
  }
  return {
      [self](const PipelineWiring& wiring) {
        self->state.lookup = wiring.lookup;
        schedule_poll(self, std::chrono::microseconds(0));
      },
      [self](poll_atom, std::uint64_t generation) {
        RxState& state = self->state;
        if (generation == kStallTimer) {
          // Still waiting for credit: poll, for the heartbeat (and a new timer).
          state.stall_timer_armed = false;
          if (state.backoff_since) poll(self);
        } else if (generation == state.poll_generation) {
          poll(self);
        }
      },
      [self](credit_atom, std::uint32_t, std::uint32_t count) {
        if (!self->state.credits.give_back(count)) {
          self->state.context->rx_counters->drop(DropReason::kUnhandled);  // protocol bug
        }
        // Credit is back: end a back-off now rather than at its timer.
        if (self->state.backoff_since) schedule_poll(self, std::chrono::microseconds(0));
      },
  };
}

}  // namespace

caf::actor spawn_rx_stage(caf::actor_system& system, std::shared_ptr<PipelineContext> context) {
  if (context->settings.detached_io)
    return system.spawn<caf::detached>(rx_behavior, std::move(context));
  return system.spawn(rx_behavior, std::move(context));
}

}  // namespace actorwire::actors
