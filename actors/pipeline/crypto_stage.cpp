// A pipeline crypto worker: seals or opens every packet of a batch with nothing but the
// batch's CryptoArgs (no shared state), then passes it on: sealed batches to tx, opened
// inbound batches back to lookup. The credit lookup gave for the batch returns when the batch
// leaves; towards tx it needs tx's credit, else it holds the batch.
#include <rte_mbuf.h>

#include <deque>

#include "actors/dataplane/burst_crypto.hpp"
#include "actors/dataplane/packet_crypto.hpp"
#include "actors/pipeline/outbox.hpp"
#include "actors/pipeline/pipeline_stages.hpp"
#include "actors/runtime/messages.hpp"
#include "crypto/aead.hpp"

namespace actorwire::actors {
namespace {

struct CryptoState {
  std::shared_ptr<PipelineContext> context;
  std::uint32_t index = 0;
  PipelineWiring wiring;
  const DataPlaneEnv* env = nullptr;  // the outer source and MTU for sealing
  std::unique_ptr<crypto::Aead> aead;
  // The batch's seals and opens, each in one Aead batch call (allocated once).
  std::unique_ptr<SealBurst> sealing;
  std::unique_ptr<OpenBurst> opening;
  std::uint16_t ip_id = 0;
  Outbox to_tx;
};

using CryptoActor = caf::stateful_actor<CryptoState>;

StageCounters& counters_of(CryptoActor* self) {
  return *self->state.context->crypto_counters[self->state.index];
}

void drop(CryptoActor* self, PacketSlot& slot, DropReason reason) {
  counters_of(self).drop(reason);
  rte_pktmbuf_free(slot.mbuf);
  slot.mbuf = nullptr;
}

void open_queued(CryptoActor* self, PacketBatch& batch) {
  self->state.opening->open_all(*self->state.aead, [&](const OpenBurst::Opened& opened) {
    PacketSlot& slot = batch.data->slots[opened.index];
    if (!opened.ok) return drop(self, slot, DropReason::kDecryptFailed);
    slot.padded_length = opened.padded_length;
  });
}

// Sealed frames stay in their slots; tx sends them.
void seal_queued(CryptoActor* self) {
  self->state.sealing->seal_all(*self->state.aead, [](rte_mbuf*, const CryptoArgs&) {});
}

void work(CryptoActor* self, PacketBatch& batch) {
  CryptoState& state = self->state;
  StageCounters& counters = counters_of(self);
  std::uint64_t in = 0;
  auto& slots = batch.data->slots;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    PacketSlot& slot = slots[i];
    if (slot.mbuf == nullptr) continue;
    ++in;
    if (slot.action == SlotAction::kSeal) {
      if (state.sealing->full()) seal_queued(self);
      // The slot's args stay put until the batch leaves: the job reads the key there.
      const DropReason reason =
          state.sealing->add(slot.mbuf, slot.verdict.frame, slot.verdict.args, state.env->outer,
                             state.env->mtu, state.ip_id++, ArgsLifetime::kOutliveBurst);
      if (reason != DropReason::kNone) drop(self, slot, reason);
    } else if (slot.action == SlotAction::kOpen) {
      if (state.opening->full()) open_queued(self, batch);
      if (!state.opening->add(slot.mbuf, slot.verdict.udp, slot.verdict.header, slot.verdict.args,
                              i, ArgsLifetime::kOutliveBurst)) {
        drop(self, slot, DropReason::kDecryptFailed);
      }
    }
  }
  seal_queued(self);
  open_queued(self, batch);
  std::uint64_t out = 0;
  std::uint64_t bytes_out = 0;
  for (const PacketSlot& slot : slots) {
    if (slot.mbuf == nullptr) continue;
    ++out;
    bytes_out += slot.mbuf->pkt_len;
  }
  counters.packets_in.add(in);
  counters.packets_out.add(out);
  counters.bytes_out.add(bytes_out);
}

void flush_to_tx(CryptoActor* self) {
  CryptoState& state = self->state;
  state.to_tx.flush(counters_of(self), [&](PacketBatch&& batch) {
    batch.data->holder = state.context->tx_counters;
    note_sent(*state.context->tx_counters);
    self->send(state.wiring.tx, std::move(batch));
    // Gone from here: lookup may send this worker another.
    self->send(state.wiring.lookup, credit_atom::value, state.index, std::uint32_t{1});
  });
}

caf::behavior crypto_behavior(CryptoActor* self, const std::shared_ptr<PipelineContext>& context,
                              std::uint32_t index) {
  CryptoState& state = self->state;
  state.context = context;
  state.index = index;
  state.env = context->env;
  state.aead = context->env->make_aead();
  state.sealing = std::make_unique<SealBurst>();
  state.opening = std::make_unique<OpenBurst>();
  state.to_tx = Outbox(context->settings.mailbox_capacity);
  return {
      [self](const PipelineWiring& wiring) { self->state.wiring = wiring; },
      [self](PacketBatch& batch) {
        BusyTimer busy(counters_of(self));
        note_received(counters_of(self));
        work(self, batch);
        if (batch.data->stream == BatchStream::kInbound) {
          // To lookup's second pass; that returns lookup's credit for this worker.
          batch.data->opened = true;
          batch.data->holder = self->state.context->lookup_counters;
          note_sent(*self->state.context->lookup_counters);
          self->send(self->state.wiring.lookup, std::move(batch));
          return;
        }
        self->state.to_tx.push(std::move(batch));
        flush_to_tx(self);
      },
      [self](credit_atom, std::uint32_t, std::uint32_t count) {
        self->state.to_tx.give_back(count);
        flush_to_tx(self);
      },
  };
}

}  // namespace

caf::actor spawn_crypto_stage(caf::actor_system& system, std::shared_ptr<PipelineContext> context,
                              std::uint32_t index) {
  return system.spawn(crypto_behavior, std::move(context), index);
}

}  // namespace actorwire::actors
