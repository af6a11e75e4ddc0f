// The pipeline's tx stage: owns both ports' transmit side (neighbour tables, queues, frames
// parked for ARP). It transmits what the workers sealed and what lookup accepted, and with
// `ordered = true` first restores each port's input order from the batch sequence numbers
// assigned at rx, in a buffer bounded by the credits upstream (see receive()).
#include <rte_mbuf.h>

#include <map>

#include "actors/common/tuning.hpp"
#include "actors/dataplane/packet_crypto.hpp"
#include "actors/dataplane/port_side.hpp"
#include "actors/pipeline/pipeline_stages.hpp"
#include "actors/runtime/messages.hpp"
#include "io/decapsulation.hpp"
#include "io/eal.hpp"

namespace actorwire::actors {
namespace {

struct TxState {
  std::shared_ptr<PipelineContext> context;
  PipelineWiring wiring;
  std::unique_ptr<PortSide> lan;
  std::unique_ptr<PortSide> wan;
  bool ordered = false;
  // Per ordered stream: the next sequence to transmit and the batches that arrived early.
  std::uint64_t next_sequence[2] = {0, 0};
  std::map<std::uint64_t, PacketBatch> early[2];
  // Credits owed to senders (crypto worker index or kLookupEdge) while the ports are full.
  std::vector<std::uint32_t> owed;
  bool retry_scheduled = false;

  // Batches still waiting in the reorder buffer when the actor goes (the stop's drain gave up
  // on the one they wait for): count their packets in here, so the drops (shutdown) their
  // BatchData counts on the way out balance.
  ~TxState() {
    if (!context) return;
    for (const auto& stream : early) {
      for (const auto& [sequence, batch] : stream) {
        for (const PacketSlot& slot : batch.data->slots) {
          if (slot.mbuf != nullptr) context->tx_counters->packets_in.add(1);
        }
      }
    }
  }
};

using TxActor = caf::stateful_actor<TxState>;

StageCounters& counters_of(TxActor* self) {
  return *self->state.context->tx_counters;
}

void transmit(TxActor* self, PacketBatch& batch) {
  TxState& state = self->state;
  StageCounters& counters = counters_of(self);
  const auto now = Clock::now();
  std::uint64_t packets = 0;
  for (PacketSlot& slot : batch.data->slots) {
    if (slot.mbuf == nullptr) continue;
    ++packets;
    rte_mbuf* mbuf = slot.mbuf;
    slot.mbuf = nullptr;  // owned by a PortSide from here
    switch (slot.action) {
      case SlotAction::kSeal:
        transmit_sealed(*state.wan, mbuf, slot.verdict.args, now);
        break;
      case SlotAction::kTransmit:
        state.wan->transmit_to(mbuf, slot.next_hop, now);
        break;
      case SlotAction::kDeliver: {
        const std::size_t plaintext_offset =
            slot.verdict.udp.message_offset + wg::kTransportHeaderSize;
        if (!io::decapsulate(mbuf, plaintext_offset, slot.delivery.inner_length,
                             config::MacAddress{}, state.lan->identity().mac,
                             slot.delivery.inner_is_v6)) {
          counters.drop(DropReason::kNoBufferRoom);
          rte_pktmbuf_free(mbuf);
          break;
        }
        if (slot.delivery.inner_is_v6) {
          state.lan->transmit_to_v6(mbuf, slot.delivery.destination_v6, now);
        } else {
          state.lan->transmit_to(mbuf, slot.delivery.destination_v4, now);
        }
        break;
      }
      case SlotAction::kNeighbour:
        (slot.from_wan ? state.wan : state.lan)->handle_neighbour(mbuf, slot.verdict.frame, now);
        break;
      case SlotAction::kAnswer:
        (slot.from_wan ? state.wan : state.lan)->transmit(mbuf);
        break;
      case SlotAction::kOpen:
        counters.drop(DropReason::kUnhandled);  // never reaches tx unopened
        rte_pktmbuf_free(mbuf);
        break;
    }
  }
  counters.packets_in.add(packets);
}

void return_credits(TxActor* self) {
  TxState& state = self->state;
  state.lan->flush();
  state.wan->flush();
  if (state.lan->queued() > tuning::kTxHighWater || state.wan->queued() > tuning::kTxHighWater) {
    // The ports are behind: keep the credits, so the workers (and rx) slow down.
    counters_of(self).credit_stalls.add(1);
  } else {
    for (std::uint32_t edge : state.owed) {
      if (edge == kLookupEdge) {
        self->send(state.wiring.lookup, credit_atom::value, kLookupEdge, std::uint32_t{1});
      } else {
        self->send(state.wiring.crypto[edge], credit_atom::value, edge, std::uint32_t{1});
      }
    }
    state.owed.clear();
  }
  if ((state.lan->queued() > 0 || state.wan->queued() > 0 || !state.owed.empty()) &&
      !state.retry_scheduled) {
    state.retry_scheduled = true;
    self->delayed_send(self, tuning::kTxRetryPause, poll_atom::value);
  }
}

void receive(TxActor* self, PacketBatch& batch) {
  TxState& state = self->state;
  const BatchStream stream = batch.data->stream;
  // The sender gets its credit back once the batch is here, transmitted or waiting for its
  // turn: holding credits for early batches could deadlock (the batch they wait for may need
  // one of them). The wait stays bounded anyway: lookup dispatches round-robin and each worker
  // holds at most mailbox_capacity batches, so at most crypto_workers x mailbox_capacity batches
  // can overtake the one that is late.
  state.owed.push_back(batch.data->worker);
  if (!state.ordered || stream == BatchStream::kUnordered) {
    transmit(self, batch);
    return;
  }
  const int s = stream == BatchStream::kInbound ? 1 : 0;
  if (batch.data->sequence != state.next_sequence[s]) {
    state.early[s].emplace(batch.data->sequence, std::move(batch));
    return;
  }
  transmit(self, batch);
  ++state.next_sequence[s];
  // Whatever waited for this one follows, in order.
  for (auto it = state.early[s].begin();
       it != state.early[s].end() && it->first == state.next_sequence[s];
       it = state.early[s].erase(it)) {
    transmit(self, it->second);
    ++state.next_sequence[s];
  }
}

caf::behavior tx_behavior(TxActor* self, const std::shared_ptr<PipelineContext>& context) {
  TxState& state = self->state;
  state.context = context;
  state.ordered = context->settings.ordered;
  state.lan =
      std::make_unique<PortSide>(*context->env->lan, context->env->pool, *context->tx_counters);
  state.wan =
      std::make_unique<PortSide>(*context->env->wan, context->env->pool, *context->tx_counters);
  return {
      [self](const PipelineWiring& wiring) { self->state.wiring = wiring; },
      [self](PacketBatch& batch) {
        io::register_current_thread();
        BusyTimer busy(counters_of(self));
        note_received(counters_of(self));
        batch.data->holder = self->state.context->tx_counters;
        receive(self, batch);
        return_credits(self);
      },
      [self](poll_atom) {
        self->state.retry_scheduled = false;
        const auto now = Clock::now();
        self->state.lan->expire_waiting(now);
        self->state.wan->expire_waiting(now);
        return_credits(self);
      },
  };
}

}  // namespace

caf::actor spawn_tx_stage(caf::actor_system& system, std::shared_ptr<PipelineContext> context) {
  if (context->settings.detached_io)
    return system.spawn<caf::detached>(tx_behavior, std::move(context));
  return system.spawn(tx_behavior, std::move(context));
}

}  // namespace actorwire::actors
