#include "actors/single_actor.hpp"

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include <array>
#include <chrono>
#include <optional>

#include "actors/messages.hpp"
#include "actors/packet_crypto.hpp"
#include "actors/port_side.hpp"
#include "caf/all.hpp"
#include "crypto/messages.hpp"
#include "crypto/transport.hpp"
#include "io/byte_order.hpp"
#include "io/decapsulation.hpp"
#include "io/eal.hpp"
#include "io/encapsulation.hpp"
#include "io/headers.hpp"

namespace actorwire::actors {
namespace {

constexpr std::size_t kMaxBurst = 256;
constexpr int kLoopsPerPoll = 32;
// Above this many queued frames a port stops taking new input (back-pressure to the rx ring).
constexpr std::size_t kTxHighWater = 1024;

std::uint64_t cycles_to_ns(std::uint64_t cycles) {
  static const double ns_per_cycle = 1e9 / static_cast<double>(rte_get_tsc_hz());
  return static_cast<std::uint64_t>(static_cast<double>(cycles) * ns_per_cycle);
}

class SingleLoop {
 public:
  SingleLoop(caf::event_based_actor* self, const SingleActorContext& context)
      : self_(self),
        context_(context),
        counters_(*context.counters),
        plane_(*context.plane),
        aead_(crypto::make_aead(context.config->crypto.aead)),
        batch_(std::min<std::size_t>(context.config->topology.batch_size, kMaxBurst)),
        mtu_(context.config->interface.mtu),
        listen_port_(context.config->interface.listen_port),
        // The WAN address is fixed for the actor's life: look it up once, not per packet.
        outer_{context.wan->identity().mac, context.wan->identity().primary_ipv4(),
               context.config->interface.listen_port},
        lan_(*context.lan, context.pool, counters_),
        wan_(*context.wan, context.pool, counters_) {}

  ~SingleLoop() { plane_.drop_all_staged(counters_, DropReason::kNoSession); }
  SingleLoop(const SingleLoop&) = delete;
  SingleLoop& operator=(const SingleLoop&) = delete;

  // Runs up to kLoopsPerPoll receive/seal/transmit loops (fewer once the ports run dry), so
  // the cost of the CAF poll message is spread over many bursts.
  void poll() {
    io::register_current_thread();
    std::uint64_t busy_cycles = 0;
    std::uint64_t idle_cycles = 0;
    std::uint64_t start = rte_rdtsc();
    now_ = Clock::now();
    for (int loop = 0; loop < kLoopsPerPoll; ++loop) {
      // A port that did not take everything keeps the rest queued here; while a side has no
      // room for a whole batch the actor stops receiving, so overload backs up into the rx
      // rings and is dropped there (rx-missed), never in the middle of the gateway.
      const std::size_t received = has_room() ? receive_lan() + receive_wan() : 0;
      lan_.flush();
      wan_.flush();
      const std::uint64_t now = rte_rdtsc();
      (received > 0 ? busy_cycles : idle_cycles) += now - start;
      start = now;
      if (received == 0) break;
    }
    lan_.expire_waiting(now_);
    wan_.expire_waiting(now_);
    report_activity();
    counters_.busy_ns.add(cycles_to_ns(busy_cycles));
    counters_.idle_ns.add(cycles_to_ns(idle_cycles));
  }

  // Decisions of the control actor.
  void apply(ControlOutput& out) {
    now_ = Clock::now();
    PeerPlane::ControlActions actions;
    plane_.apply(out, now_, actions);
    for (const OutgoingDatagram& datagram : actions.datagrams) {
      transmit_new(make_datagram_frame(context_.pool, datagram.destination, datagram.message,
                                       outer_, ip_id_++));
    }
    for (const CryptoArgs& args : actions.keepalives) {
      transmit_new(make_keepalive_frame(context_.pool, args, *aead_, outer_, mtu_, ip_id_++));
    }
    for (rte_mbuf* mbuf : actions.dropped) drop(mbuf, DropReason::kHandshakeGaveUp);
    send_released();
    lan_.flush();
    wan_.flush();
    report_activity();
  }

 private:
  bool has_room() const {
    return lan_.queued() + batch_ + 1 <= kTxHighWater &&
           wan_.queued() + 2 * batch_ + 1 <= kTxHighWater;
  }

  std::size_t receive(PortSide& side, rte_mbuf** mbufs) {
    const std::uint16_t count =
        side.port().rx_burst(0, mbufs, static_cast<std::uint16_t>(batch_));
    std::uint64_t bytes = 0;
    for (std::uint16_t i = 0; i < count; ++i) bytes += mbufs[i]->pkt_len;
    counters_.packets_in.add(count);
    counters_.bytes_in.add(bytes);
    return count;
  }

  void drop(rte_mbuf* mbuf, DropReason reason) {
    counters_.drop(reason);
    rte_pktmbuf_free(mbuf);
  }

  // A frame the gateway originates on the WAN port (handshake message, keepalive).
  void transmit_new(rte_mbuf* mbuf) {
    if (mbuf == nullptr) return counters_.drop(DropReason::kNoBufferRoom);
    counters_.packets_generated.add(1);
    const std::uint32_t destination =
        io::load_be32(rte_pktmbuf_mtod(mbuf, std::uint8_t*) + io::kEthernetHeaderSize + 16);
    wan_.transmit_to(mbuf, destination, now_);
  }

  // --- outbound: LAN -> WAN --------------------------------------------------------------------

  std::size_t receive_lan() {
    std::array<rte_mbuf*, kMaxBurst> mbufs;
    const std::size_t count = receive(lan_, mbufs.data());
    for (std::size_t i = 0; i < count; ++i) {
      rte_mbuf* mbuf = mbufs[i];
      io::ParsedFrame frame;
      if (const auto error =
              io::parse_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*), mbuf->data_len, frame);
          error != io::FrameError::kNone) {
        drop(mbuf, drop_reason_for(error));
      } else if (frame.kind == io::FrameKind::kArp) {
        lan_.handle_arp(mbuf, frame, now_);
      } else {
        encrypt(mbuf, frame);
      }
    }
    return count;
  }

  void encrypt(rte_mbuf* mbuf, const io::ParsedFrame& frame) {
    CryptoArgs args;
    DropReason reason = DropReason::kNone;
    switch (plane_.prepare_outbound(mbuf, frame, now_, args, reason, counters_)) {
      case PeerPlane::Outbound::kStaged:
        return;
      case PeerPlane::Outbound::kDrop:
        return drop(mbuf, reason);
      case PeerPlane::Outbound::kSeal:
        break;
    }
    reason = seal_frame(mbuf, frame, args, *aead_, outer_, mtu_, ip_id_++);
    if (reason != DropReason::kNone) return drop(mbuf, reason);
    wan_.transmit_to(mbuf, args.endpoint_ip, now_);
  }

  // Packets that waited for a handshake: sealed now, in their arrival order.
  void send_released() {
    for (rte_mbuf* mbuf : plane_.take_released()) {
      io::ParsedFrame frame;
      // Parsed when it arrived; parse again for the offsets (cheap, and keeps no state).
      if (io::parse_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*), mbuf->data_len, frame) !=
          io::FrameError::kNone) {
        drop(mbuf, DropReason::kUnhandled);
        continue;
      }
      encrypt(mbuf, frame);
    }
  }

  // --- inbound: WAN -> LAN ---------------------------------------------------------------------

  std::size_t receive_wan() {
    std::array<rte_mbuf*, kMaxBurst> mbufs;
    const std::size_t count = receive(wan_, mbufs.data());
    for (std::size_t i = 0; i < count; ++i) {
      rte_mbuf* mbuf = mbufs[i];
      const auto* data = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
      io::ParsedFrame frame;
      if (const auto error = io::parse_frame(data, mbuf->data_len, frame);
          error != io::FrameError::kNone) {
        drop(mbuf, drop_reason_for(error));
        continue;
      }
      if (frame.kind == io::FrameKind::kArp) {
        wan_.handle_arp(mbuf, frame, now_);
        continue;
      }
      io::InboundUdp udp;
      io::FrameError frame_error = io::FrameError::kNone;
      switch (io::classify_inbound(data, frame, outer_.ip, listen_port_, udp, frame_error)) {
        case io::InboundError::kNone:
          break;
        case io::InboundError::kFrame:
          drop(mbuf, drop_reason_for(frame_error));
          continue;
        case io::InboundError::kNotForUs:
          drop(mbuf, DropReason::kNotForUs);
          continue;
        case io::InboundError::kUnsupported:
          drop(mbuf, DropReason::kUnhandled);
          continue;
      }
      switch (udp.kind) {
        case io::InboundKind::kTransport:
          decrypt(mbuf, udp);
          break;
        case io::InboundKind::kHandshake:
          forward_handshake(mbuf, udp);
          break;
        case io::InboundKind::kOther:
          drop(mbuf, DropReason::kBadMessage);
          break;
      }
    }
    return count;
  }

  void forward_handshake(rte_mbuf* mbuf, const io::InboundUdp& udp) {
    const auto* data = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
    // The control actor answers to the source address, so it must be the real one.
    if (!io::ipv4_udp_checksum_ok(data + udp.ip_offset)) {
      return drop(mbuf, DropReason::kMalformedUdp);
    }
    if (!context_.control || !plane_.take_handshake_credit()) {
      return drop(mbuf, DropReason::kHandshakeBusy);
    }
    HandshakeIn in;
    in.message.assign(data + udp.message_offset, data + udp.message_offset + udp.message_length);
    in.source = udp.source;
    in.received = now_;
    self_->send(context_.control, std::move(in));
    counters_.packets_consumed.add(1);
    rte_pktmbuf_free(mbuf);
  }

  void decrypt(rte_mbuf* mbuf, const io::InboundUdp& udp) {
    auto* data = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
    const auto header = crypto::parse_transport_header(data + udp.message_offset,
                                                       udp.message_length);
    if (!header) return drop(mbuf, DropReason::kBadMessage);
    CryptoArgs args;
    bool verify_checksum = false;
    DropReason reason = DropReason::kNone;
    if (plane_.prepare_inbound(*header, udp.source, now_, args, verify_checksum, reason) ==
        PeerPlane::Inbound::kDrop) {
      return drop(mbuf, reason);
    }
    // A packet from a new address (roaming): its UDP checksum is checked first, before
    // decrypting in place changes the payload, so a corrupted header cannot redirect the
    // tunnel; unchanged sources skip that cost.
    if (verify_checksum && !io::ipv4_udp_checksum_ok(data + udp.ip_offset)) {
      return drop(mbuf, DropReason::kMalformedUdp);
    }
    const auto padded = open_frame(mbuf, udp, *header, args, *aead_);
    if (!padded) return drop(mbuf, DropReason::kDecryptFailed);
    const std::size_t plaintext_offset = udp.message_offset + wg::kTransportHeaderSize;
    const auto delivery = plane_.accept_inbound(args, header->counter, udp.source,
                                                udp.message_length, data + plaintext_offset,
                                                *padded, now_);
    send_released();  // a confirmed session releases what waited for it
    switch (delivery.kind) {
      case PeerPlane::Delivery::kDrop:
        return drop(mbuf, delivery.reason);
      case PeerPlane::Delivery::kKeepalive:
        counters_.packets_consumed.add(1);
        rte_pktmbuf_free(mbuf);
        return;
      case PeerPlane::Delivery::kForward:
        break;
    }
    if (!io::decapsulate(mbuf, plaintext_offset, delivery.inner_length, config::MacAddress{},
                         lan_.identity().mac, delivery.inner_is_v6)) {
      return drop(mbuf, DropReason::kNoBufferRoom);
    }
    lan_.transmit_to(mbuf, delivery.destination_v4, now_);
  }

  void report_activity() {
    if (!context_.control) return;
    if (auto report = plane_.take_report(now_)) self_->send(context_.control, std::move(*report));
  }

  caf::event_based_actor* self_;
  const SingleActorContext& context_;
  StageCounters& counters_;
  PeerPlane& plane_;  // owned by the context, used by this actor only
  std::unique_ptr<crypto::Aead> aead_;
  std::size_t batch_;
  std::uint16_t mtu_;
  std::uint16_t listen_port_;
  OuterSource outer_;
  std::uint16_t ip_id_ = 0;
  PortSide lan_;
  PortSide wan_;
  Clock::time_point now_{};
};

struct SingleState {
  std::unique_ptr<SingleLoop> loop;
};

caf::behavior single_behavior(caf::stateful_actor<SingleState>* self,
                              const std::shared_ptr<SingleActorContext>& context) {
  self->state.loop = std::make_unique<SingleLoop>(self, *context);
  // Keep the context (ports, config, counters) alive as long as the loop runs.
  self->attach_functor([context] {});
  self->send(self, poll_atom::value);
  return {
      [self](poll_atom) {
        self->state.loop->poll();
        self->send(self, poll_atom::value);
      },
      [self](ControlOutput& out) { self->state.loop->apply(out); },
  };
}

}  // namespace

caf::actor spawn_single_actor(caf::actor_system& system,
                              std::shared_ptr<SingleActorContext> context) {
  return system.spawn<caf::detached>(single_behavior, std::move(context));
}

}  // namespace actorwire::actors
