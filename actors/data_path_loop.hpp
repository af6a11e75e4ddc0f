// The whole data path in one actor, both directions: LAN rx, lookup, counter, seal, WAN tx;
// WAN rx, keypair lookup, open, replay window, source check, LAN tx; ARP; handshake messages to
// the control actor. `single` runs one of these with no lock; the `workers-*` topologies run one
// per queue pair, sharing the peer state behind a std::mutex or an rte_spinlock (separate
// template instances, so the lock's cost shows up under its own name in profiles).
#pragma once

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

#include "actors/data_path_context.hpp"
#include "actors/messages.hpp"
#include "actors/packet_crypto.hpp"
#include "actors/peer_plane.hpp"
#include "actors/port_side.hpp"
#include "caf/all.hpp"
#include "crypto/messages.hpp"
#include "crypto/transport.hpp"
#include "io/byte_order.hpp"
#include "io/decapsulation.hpp"
#include "io/eal.hpp"
#include "io/encapsulation.hpp"
#include "io/headers.hpp"
#include "io/port.hpp"

namespace actorwire::actors {

namespace detail {

inline constexpr std::size_t kMaxBurst = 256;
inline constexpr int kLoopsPerPoll = 32;
inline constexpr int kEmptyLoopsBeforeYield = 4;
// Above this many queued frames a port stops taking new input (back-pressure to the rx ring).
inline constexpr std::size_t kTxHighWater = 1024;

inline std::uint64_t cycles_to_ns(std::uint64_t cycles) {
  static const double ns_per_cycle = 1e9 / static_cast<double>(rte_get_tsc_hz());
  return static_cast<std::uint64_t>(static_cast<double>(cycles) * ns_per_cycle);
}

template <class Lock>
class DataPathLoop {
 public:
  DataPathLoop(caf::event_based_actor* self, const DataPathContext<Lock>& context)
      : self_(self),
        context_(context),
        counters_(*context.counters),
        shared_(*context.shared),
        queue_(context.queue),
        aead_(crypto::make_aead(context.config->crypto.aead)),
        batch_(std::min<std::size_t>(context.config->topology.batch_size, kMaxBurst)),
        mtu_(context.config->interface.mtu),
        listen_port_(context.config->interface.listen_port),
        // The WAN address is fixed for the actor's life: look it up once, not per packet.
        outer_{context.wan->identity().mac, context.wan->identity().primary_ipv4(),
               context.config->interface.listen_port},
        lan_(*context.lan, context.pool, counters_, context.queue),
        wan_(*context.wan, context.pool, counters_, context.queue) {}

  ~DataPathLoop() {
    if (queue_ == 0)
      locked([&](PeerPlane& plane) { plane.drop_all_staged(counters_, DropReason::kNoSession); });
  }
  DataPathLoop(const DataPathLoop&) = delete;
  DataPathLoop& operator=(const DataPathLoop&) = delete;

  struct Learned {
    bool wan = false;
    std::uint32_t ip = 0;
    config::MacAddress mac;
  };
  // Neighbours learned from ARP on this actor's queues since the last call.
  std::vector<Learned> take_learned() {
    std::vector<Learned> out;
    for (const auto& [ip, mac] : lan_.take_learned()) out.push_back({false, ip, mac});
    for (const auto& [ip, mac] : wan_.take_learned()) out.push_back({true, ip, mac});
    return out;
  }
  // Whether the last poll moved packets (scheduled workers pause when idle).
  bool last_poll_busy() const { return last_poll_busy_; }

  // The neighbour a sibling worker learned (ARP arrives on one queue only).
  void learn_neighbour(bool wan, std::uint32_t ip, const config::MacAddress& mac) {
    (wan ? wan_ : lan_).learn(ip, mac);
  }

  // Runs up to kLoopsPerPoll receive/seal/transmit loops (fewer once the ports run dry), so
  // the cost of the CAF poll message is spread over many bursts.
  void poll() {
    io::register_current_thread();
    std::uint64_t busy_cycles = 0;
    std::uint64_t idle_cycles = 0;
    std::uint64_t start = rte_rdtsc();
    now_ = Clock::now();
    int empty_in_a_row = 0;
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
      // A momentarily empty ring is common at high rates (the feeder refills in bursts):
      // look again a few times here rather than paying a CAF message and a clock read.
      if (received > 0) {
        empty_in_a_row = 0;
      } else if (++empty_in_a_row >= kEmptyLoopsBeforeYield) {
        break;
      }
    }
    last_poll_busy_ = busy_cycles > 0;
    lan_.expire_waiting(now_);
    wan_.expire_waiting(now_);
    report_activity();
    counters_.busy_ns.add(cycles_to_ns(busy_cycles));
    counters_.idle_ns.add(cycles_to_ns(idle_cycles));
    if (lock_wait_cycles_ != 0) {
      counters_.lock_wait_ns.add(cycles_to_ns(lock_wait_cycles_));
      lock_wait_cycles_ = 0;
    }
  }

  // Decisions of the control actor.
  void apply(ControlOutput& out) {
    now_ = Clock::now();
    PeerPlane::ControlActions actions;
    locked([&](PeerPlane& plane) { plane.apply(out, now_, actions); });
    for (const OutgoingDatagram& datagram : actions.datagrams) {
      transmit_new(make_datagram_frame(context_.pool, datagram.destination, datagram.message,
                                       outer_, ip_id_++));
    }
    for (const CryptoArgs& args : actions.keepalives) {
      transmit_new(make_keepalive_frame(context_.pool, args, *aead_, outer_, mtu_, ip_id_++));
    }
    counters_.packets_generated.add(actions.dropped.size());  // back from the peer plane
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
        side.port().rx_burst(queue_, mbufs, static_cast<std::uint16_t>(batch_));
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
    PeerPlane::Outbound outbound = PeerPlane::Outbound::kDrop;
    locked([&](PeerPlane& plane) {
      outbound = plane.prepare_outbound(mbuf, frame, now_, args, reason, counters_);
    });
    switch (outbound) {
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
    std::vector<rte_mbuf*> released;
    locked([&](PeerPlane& plane) { released = plane.take_released(); });
    counters_.packets_generated.add(released.size());  // back from the peer plane
    for (rte_mbuf* mbuf : released) {
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
    bool credit = false;
    locked([&](PeerPlane& plane) { credit = plane.take_handshake_credit(); });
    if (!context_.control || !credit) {
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
    const auto header =
        crypto::parse_transport_header(data + udp.message_offset, udp.message_length);
    if (!header) return drop(mbuf, DropReason::kBadMessage);
    CryptoArgs args;
    bool verify_checksum = false;
    DropReason reason = DropReason::kNone;
    PeerPlane::Inbound inbound = PeerPlane::Inbound::kDrop;
    locked([&](PeerPlane& plane) {
      inbound = plane.prepare_inbound(*header, udp.source, now_, args, verify_checksum, reason);
    });
    if (inbound == PeerPlane::Inbound::kDrop) return drop(mbuf, reason);
    // A packet from a new address (roaming): its UDP checksum is checked first, before
    // decrypting in place changes the payload, so a corrupted header cannot redirect the
    // tunnel; unchanged sources skip that cost.
    if (verify_checksum && !io::ipv4_udp_checksum_ok(data + udp.ip_offset)) {
      return drop(mbuf, DropReason::kMalformedUdp);
    }
    const auto padded = open_frame(mbuf, udp, *header, args, *aead_);
    if (!padded) return drop(mbuf, DropReason::kDecryptFailed);
    const std::size_t plaintext_offset = udp.message_offset + wg::kTransportHeaderSize;
    PeerPlane::Delivery delivery;
    locked([&](PeerPlane& plane) {
      delivery = plane.accept_inbound(args, header->counter, udp.source, udp.message_length,
                                      data + plaintext_offset, *padded, now_);
    });
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

  // Runs `f` on the peer state under the lock, booking the time spent waiting for it.
  template <class F>
  void locked(F&& f) {
    if constexpr (std::is_same_v<Lock, NoLock>) {
      f(*shared_.plane);
    } else {
      const std::uint64_t start = rte_rdtsc();
      std::lock_guard<Lock> guard(shared_.lock);
      lock_wait_cycles_ += rte_rdtsc() - start;
      f(*shared_.plane);
    }
  }

  void report_activity() {
    if (!context_.control) return;
    std::optional<PeerActivity> report;
    locked([&](PeerPlane& plane) { report = plane.take_report(now_); });
    if (report) self_->send(context_.control, std::move(*report));
  }

  caf::event_based_actor* self_;
  const DataPathContext<Lock>& context_;
  StageCounters& counters_;
  SharedPlane<Lock>& shared_;  // the peer state: this actor's alone, or behind the lock
  std::uint16_t queue_;
  std::unique_ptr<crypto::Aead> aead_;
  std::size_t batch_;
  std::uint16_t mtu_;
  std::uint16_t listen_port_;
  OuterSource outer_;
  std::uint16_t ip_id_ = 0;
  PortSide lan_;
  PortSide wan_;
  Clock::time_point now_{};
  std::uint64_t lock_wait_cycles_ = 0;
  bool last_poll_busy_ = false;
};

}  // namespace detail
}  // namespace actorwire::actors
