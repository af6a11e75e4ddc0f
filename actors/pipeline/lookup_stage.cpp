// The pipeline's lookup stage: the only owner of the peer table, counters and keypairs. For
// each packet of an rx batch it attaches cloned CryptoArgs (outbound: the send key and the next
// counter; inbound: the receive key), hands handshake messages to the control actor and ARP to
// tx, and sends the batch to the next crypto worker round-robin. Opened inbound batches come
// back here for the replay window, the source check, roaming and confirmation, then go to tx.
#include <rte_mbuf.h>

#include <array>
#include <deque>

#include "actors/common/tuning.hpp"
#include "actors/dataplane/control_actions.hpp"
#include "actors/dataplane/frame_classifier.hpp"
#include "actors/dataplane/frame_prefetch.hpp"
#include "actors/dataplane/ip_services.hpp"
#include "actors/dataplane/packet_crypto.hpp"
#include "actors/pipeline/credit_window.hpp"
#include "actors/pipeline/outbox.hpp"
#include "actors/pipeline/pipeline_stages.hpp"
#include "actors/runtime/messages.hpp"
#include "crypto/aead.hpp"

namespace actorwire::actors {
namespace {

struct LookupState {
  std::shared_ptr<PipelineContext> context;
  PipelineWiring wiring;
  std::unique_ptr<crypto::Aead> aead;  // keepalives only
  std::unique_ptr<IpServices> services;
  std::vector<CreditWindow> crypto_credits;
  Outbox to_tx;  // towards tx (inbound batches after the second pass, gateway frames)
  std::uint32_t next_worker = 0;
  // Batches waiting for credit, in order (bounded: rx and the workers only send with credit).
  std::deque<PacketBatch> to_crypto;
  std::uint16_t ip_id = 0;
};

using LookupActor = caf::stateful_actor<LookupState>;

StageCounters& counters_of(LookupActor* self) {
  return *self->state.context->lookup_counters;
}

void drop(LookupActor* self, PacketSlot& slot, DropReason reason) {
  counters_of(self).drop(reason);
  rte_pktmbuf_free(slot.mbuf);
  slot.mbuf = nullptr;
}

// Strict round-robin: a batch waits for *its* worker, so tx can restore order with a bounded
// buffer and a slow worker throttles the whole pipeline instead of being bypassed.
void flush_to_crypto(LookupActor* self) {
  LookupState& state = self->state;
  while (!state.to_crypto.empty()) {
    CreditWindow& credits = state.crypto_credits[state.next_worker];
    if (!credits.take()) {
      counters_of(self).credit_stalls.add(1);
      return;
    }
    PacketBatch batch = std::move(state.to_crypto.front());
    state.to_crypto.pop_front();
    batch.data->worker = state.next_worker;
    batch.data->holder = state.context->crypto_counters[state.next_worker];
    const bool from_rx = batch.data->stream != BatchStream::kUnordered;
    note_sent(*state.context->crypto_counters[state.next_worker]);
    self->send(state.wiring.crypto[state.next_worker], std::move(batch));
    state.next_worker = (state.next_worker + 1) % state.crypto_credits.size();
    // The batch has left: rx may send another.
    if (from_rx)
      self->send(state.wiring.rx, credit_atom::value, std::uint32_t{0}, std::uint32_t{1});
  }
}

void flush_to_tx(LookupActor* self) {
  LookupState& state = self->state;
  state.to_tx.flush(counters_of(self), [&](PacketBatch&& batch) {
    batch.data->worker = kLookupEdge;
    batch.data->holder = state.context->tx_counters;
    note_sent(*state.context->tx_counters);
    self->send(state.wiring.tx, std::move(batch));
  });
}

void count_out(LookupActor* self, const PacketBatch& batch) {
  std::uint64_t packets = 0;
  for (const PacketSlot& slot : batch.data->slots) packets += slot.mbuf != nullptr;
  counters_of(self).packets_out.add(packets);
}

// Lookup owns the peer state alone: the classifiers reach it directly, without a lock.
auto with_plane(LookupActor* self) {
  return [plane = self->state.context->plane.get()](auto&& f) { f(*plane); };
}

// An outbound slot; a packet to fragment is left with kFragment for prepare_outbound_slots.
void prepare_outbound_slot(LookupActor* self, PacketSlot& slot, Clock::time_point now) {
  classify_lan_frame(slot.mbuf, now, counters_of(self), *self->state.services, with_plane(self),
                     slot.verdict, &self->state.context->plane->routes(), slot.route);
  switch (slot.verdict.kind) {
    case FrameVerdict::Kind::kNeighbour:
      slot.action = SlotAction::kNeighbour;
      return;
    case FrameVerdict::Kind::kAnswer:
      slot.mbuf = slot.verdict.answer;
      slot.action = SlotAction::kAnswer;
      return;
    case FrameVerdict::Kind::kFragment:
      return;
    case FrameVerdict::Kind::kSeal:
      slot.action = SlotAction::kSeal;
      return;
    case FrameVerdict::Kind::kStaged:
      slot.mbuf = nullptr;  // the plane holds it until the handshake completes
      return;
    default:
      return drop(self, slot, slot.verdict.reason);
  }
}

void prepare_inbound_slot(LookupActor* self, PacketSlot& slot, Clock::time_point now) {
  LookupState& state = self->state;
  classify_wan_frame(slot.mbuf, *state.context->env, now, counters_of(self), *state.services,
                     with_plane(self), slot.verdict);
  switch (slot.verdict.kind) {
    case FrameVerdict::Kind::kNeighbour:
      slot.action = SlotAction::kNeighbour;
      return;
    case FrameVerdict::Kind::kAnswer:
      slot.action = SlotAction::kAnswer;
      return;
    case FrameVerdict::Kind::kHandshake:
      if (!state.context->control) return drop(self, slot, DropReason::kHandshakeBusy);
      if (state.context->env->control_counters) note_sent(*state.context->env->control_counters);
      self->send(state.context->control, make_handshake_in(slot.mbuf, slot.verdict, now));
      counters_of(self).packets_consumed.add(1);
      rte_pktmbuf_free(slot.mbuf);
      slot.mbuf = nullptr;
      return;
    case FrameVerdict::Kind::kOpen:
      slot.action = SlotAction::kOpen;
      return;
    default:
      return drop(self, slot, slot.verdict.reason);
  }
}

// The routes of the outbound slots from `first` on, looked up together (PeerPlane::
// route_burst) into each slot's `route`, and their peers loaded into the cache together.
void route_outbound_slots(LookupActor* self, std::vector<PacketSlot>& slots, std::size_t first) {
  std::array<rte_mbuf*, tuning::kMaxBurst> outbound;
  std::array<std::uint32_t, tuning::kMaxBurst> routes;
  std::array<std::uint16_t, tuning::kMaxBurst> position;
  std::size_t count = 0;
  for (std::size_t i = first; i < slots.size(); ++i) {
    slots[i].route = PeerPlane::kNotRouted;
    if (slots[i].mbuf == nullptr || slots[i].from_wan || count == outbound.size()) continue;
    position[count] = static_cast<std::uint16_t>(i);
    outbound[count++] = slots[i].mbuf;
  }
  PeerPlane& plane = *self->state.context->plane;
  PeerPlane::route_burst(plane.routes(), {outbound.data(), count}, routes);
  for (std::size_t k = 0; k < count; ++k) slots[position[k]].route = routes[k];
  plane.prefetch_routed({routes.data(), count});
}

// Outbound slots from `first` on. A packet to fragment makes room for its fragments right
// behind it, in order; they are classified next, like any packet.
void prepare_outbound_slots(LookupActor* self, PacketBatch& batch, std::size_t first,
                            Clock::time_point now) {
  std::vector<PacketSlot>& slots = batch.data->slots;
  route_outbound_slots(self, slots, first);
  for (std::size_t i = first; i < slots.size(); ++i) {
    if (slots[i].mbuf == nullptr || slots[i].from_wan) continue;
    prepare_outbound_slot(self, slots[i], now);
    if (slots[i].mbuf == nullptr || slots[i].verdict.kind != FrameVerdict::Kind::kFragment) {
      continue;
    }
    std::array<rte_mbuf*, io::kMaxFragments> fragments;
    const std::size_t count = self->state.services->fragment(slots[i].mbuf, slots[i].verdict.frame,
                                                             fragments.data(), counters_of(self));
    if (count == 0) {
      drop(self, slots[i], DropReason::kInnerTooBig);
      continue;
    }
    slots[i].mbuf = nullptr;  // freed by fragment()
    slots.insert(slots.begin() + static_cast<std::ptrdiff_t>(i) + 1, count, PacketSlot{});
    for (std::size_t f = 0; f < count; ++f) slots[i + 1 + f].mbuf = fragments[f];
  }
}

// The frame of slot `i`, when it holds one (frame_prefetch.hpp).
void prefetch_slot(const std::vector<PacketSlot>& slots, std::size_t i) {
  if (i < slots.size() && slots[i].mbuf != nullptr) prefetch_frame(slots[i].mbuf);
}

// First pass: an rx batch. Its frames were written on another core: each is prefetched
// kPrefetchAhead slots before this loop reaches it (inbound frames are parsed here, outbound
// ones in prepare_outbound_slots right after, still in the cache).
void prepare(LookupActor* self, PacketBatch& batch) {
  const auto now = Clock::now();
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::vector<PacketSlot>& slots = batch.data->slots;
  for (std::size_t i = 0; i < tuning::kPrefetchAhead; ++i) prefetch_slot(slots, i);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    prefetch_slot(slots, i + tuning::kPrefetchAhead);
    PacketSlot& slot = slots[i];
    if (slot.mbuf == nullptr) continue;
    ++packets;
    bytes += slot.mbuf->pkt_len;
    if (slot.from_wan) prepare_inbound_slot(self, slot, now);
  }
  counters_of(self).packets_in.add(packets);
  counters_of(self).bytes_in.add(bytes);
  prepare_outbound_slots(self, batch, 0, now);
}

// An accepted inner packet: to the LAN (tx decapsulates it), or, for a ping to one of our
// addresses, the reply, out of the batch and into `answers`.
void deliver_slot(LookupActor* self, PacketSlot& slot, std::size_t plaintext_offset,
                  std::vector<rte_mbuf*>& answers) {
  DropReason reason = DropReason::kNone;
  const auto action = self->state.services->inbound(
      rte_pktmbuf_mtod(slot.mbuf, std::uint8_t*) + plaintext_offset, slot.delivery.inner_length,
      slot.delivery.inner_is_v6, counters_of(self), reason);
  switch (action) {
    case IpServices::Inbound::kForward:
      slot.action = SlotAction::kDeliver;
      return;
    case IpServices::Inbound::kDrop:
      return drop(self, slot, reason);
    case IpServices::Inbound::kEcho:
      if (!io::decapsulate(slot.mbuf, plaintext_offset, slot.delivery.inner_length,
                           config::MacAddress{}, self->state.context->env->lan->identity().mac,
                           slot.delivery.inner_is_v6)) {
        return drop(self, slot, DropReason::kNoBufferRoom);
      }
      counters_of(self).packets_consumed.add(1);  // generated again by seal_gateway_frames
      answers.push_back(slot.mbuf);
      slot.mbuf = nullptr;
      return;
  }
}

// Second pass: an inbound batch the worker opened. Echo replies to pings through the tunnel go
// to `answers`, to be sealed.
void accept(LookupActor* self, PacketBatch& batch, std::vector<rte_mbuf*>& answers) {
  PeerPlane& plane = *self->state.context->plane;
  const auto now = Clock::now();
  // Lookup handles inbound packets twice; each pass balances in = out + consumed + drops.
  std::uint64_t packets = 0;
  for (const PacketSlot& slot : batch.data->slots) packets += slot.mbuf != nullptr;
  counters_of(self).packets_in.add(packets);
  for (PacketSlot& slot : batch.data->slots) {
    if (slot.mbuf == nullptr || slot.action != SlotAction::kOpen) continue;
    const FrameVerdict& verdict = slot.verdict;
    const std::size_t plaintext_offset = verdict.udp.message_offset + wg::kTransportHeaderSize;
    slot.delivery = plane.accept_inbound(
        verdict.args, verdict.header.counter, verdict.udp.source, verdict.udp.message_length,
        rte_pktmbuf_mtod(slot.mbuf, std::uint8_t*) + plaintext_offset, slot.padded_length, now);
    switch (slot.delivery.kind) {
      case PeerPlane::Delivery::kDrop:
        drop(self, slot, slot.delivery.reason);
        break;
      case PeerPlane::Delivery::kKeepalive:
        counters_of(self).packets_consumed.add(1);
        rte_pktmbuf_free(slot.mbuf);
        slot.mbuf = nullptr;
        break;
      case PeerPlane::Delivery::kForward:
        deliver_slot(self, slot, plaintext_offset, answers);
        break;
    }
  }
}

// LAN frames the gateway sends into the tunnel itself (packets released by a new session, echo
// replies): batches of their own, sealed by the next worker.
void seal_gateway_frames(LookupActor* self, const std::vector<rte_mbuf*>& released) {
  LookupState& state = self->state;
  if (released.empty()) return;
  const auto now = Clock::now();
  const std::size_t batch_size = state.context->settings.batch_size;
  for (std::size_t first = 0; first < released.size(); first += batch_size) {
    const std::size_t count = std::min(batch_size, released.size() - first);
    PacketBatch batch = make_batch(state.context->batches.get(), BatchStream::kUnordered, 0, count,
                                   state.context->lookup_counters);
    for (std::size_t i = 0; i < count; ++i) {
      PacketSlot& slot = batch.data->slots[i];
      slot.mbuf = released[first + i];
      slot.from_wan = false;
      slot.action = SlotAction::kSeal;
    }
    counters_of(self).packets_generated.add(count);  // back from the peer plane
    prepare_outbound_slots(self, batch, 0, now);
    count_out(self, batch);
    state.to_crypto.push_back(std::move(batch));
  }
  flush_to_crypto(self);
}

void send_released(LookupActor* self) {
  seal_gateway_frames(self, self->state.context->plane->take_released());
}

void apply_control(LookupActor* self, ControlOutput& out) {
  LookupState& state = self->state;
  PipelineContext& context = *state.context;
  const std::vector<OriginatedFrame> frames =
      actors::apply_control(out, *context.env, *state.aead, state.ip_id, Clock::now(),
                            counters_of(self), with_plane(self));
  if (!frames.empty()) {
    PacketBatch batch = make_batch(context.batches.get(), BatchStream::kUnordered, 0, frames.size(),
                                   context.lookup_counters);
    for (std::size_t i = 0; i < frames.size(); ++i) {
      PacketSlot& slot = batch.data->slots[i];
      slot.mbuf = frames[i].mbuf;
      slot.from_wan = false;
      slot.action = SlotAction::kTransmit;
      slot.next_hop = frames[i].destination;
    }
    counters_of(self).packets_out.add(frames.size());
    state.to_tx.push(std::move(batch));
    flush_to_tx(self);
  }
  send_released(self);
}

void report(LookupActor* self) {
  PipelineContext& context = *self->state.context;
  if (!context.control) return;
  if (auto activity = context.plane->take_report(Clock::now())) {
    self->send(context.control, std::move(*activity));
  }
}

caf::behavior lookup_behavior(LookupActor* self, const std::shared_ptr<PipelineContext>& context) {
  LookupState& state = self->state;
  state.context = context;
  state.aead = context->env->make_aead();
  state.services = std::make_unique<IpServices>(*context->env);
  const std::uint32_t capacity = context->settings.mailbox_capacity;
  state.crypto_credits.assign(context->crypto_counters.size(), CreditWindow(capacity));
  state.to_tx = Outbox(capacity);
  self->attach_functor([context] {
    context->plane->drop_all_staged(*context->lookup_counters, DropReason::kShutdown);
  });
  return {
      [self](const PipelineWiring& wiring) { self->state.wiring = wiring; },
      [self](PacketBatch& batch) {
        BusyTimer busy(counters_of(self));
        note_received(counters_of(self));
        batch.data->holder = self->state.context->lookup_counters;
        if (batch.data->opened) {
          // Back from worker `worker`: that edge's credit returns with it.
          self->state.crypto_credits[batch.data->worker].give_back(1);
          std::vector<rte_mbuf*> answers;
          accept(self, batch, answers);
          count_out(self, batch);
          self->state.to_tx.push(std::move(batch));
          flush_to_tx(self);
          send_released(self);
          seal_gateway_frames(self, answers);
        } else {
          prepare(self, batch);
          count_out(self, batch);
          self->state.to_crypto.push_back(std::move(batch));
        }
        flush_to_crypto(self);
        report(self);
      },
      [self](credit_atom, std::uint32_t edge, std::uint32_t count) {
        LookupState& state = self->state;
        if (edge == kLookupEdge) {
          state.to_tx.give_back(count);
          flush_to_tx(self);
        } else if (edge < state.crypto_credits.size()) {
          state.crypto_credits[edge].give_back(count);
          flush_to_crypto(self);
        }
      },
      [self](ControlOutput& out) {
        BusyTimer busy(counters_of(self));
        apply_control(self, out);
        report(self);
      },
      [self](const std::shared_ptr<const PeerChange>& change) {
        // Between two batches: every batch routed before it used the old table, every later one
        // the new. Batches already on their way to the crypto workers were routed before.
        PipelineContext& context = *self->state.context;
        change->applied(context.plane->apply_change(*change, *context.lookup_counters));
      },
  };
}

}  // namespace

caf::actor spawn_lookup_stage(caf::actor_system& system, std::shared_ptr<PipelineContext> context) {
  return system.spawn(lookup_behavior, std::move(context));
}

}  // namespace actorwire::actors
