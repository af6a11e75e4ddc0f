// The whole data path in one actor, both directions: LAN rx, lookup, counter, seal, WAN tx;
// WAN rx, keypair lookup, open, replay window, source check, LAN tx; ARP; handshake messages to
// the control actor. `single` runs one of these with no lock; the `workers-*` topologies run one
// per queue pair, sharing the peer state behind a std::mutex or an rte_spinlock (separate
// template instances, so the lock's cost shows up under its own name in profiles).
#pragma once

#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

#include "actors/common/tuning.hpp"
#include "actors/dataplane/burst_crypto.hpp"
#include "actors/dataplane/control_actions.hpp"
#include "actors/dataplane/frame_classifier.hpp"
#include "actors/dataplane/frame_prefetch.hpp"
#include "actors/dataplane/ip_services.hpp"
#include "actors/dataplane/packet_crypto.hpp"
#include "actors/dataplane/peer_plane.hpp"
#include "actors/dataplane/port_side.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/poll_loop.hpp"
#include "actors/topologies/data_path_context.hpp"
#include "caf/all.hpp"
#include "crypto/messages.hpp"
#include "crypto/transport.hpp"
#include "io/decapsulation.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/port.hpp"

namespace actorwire::actors {

namespace detail {

template <class Lock>
class DataPathLoop {
 public:
  DataPathLoop(caf::event_based_actor* self, const DataPathContext<Lock>& context)
      : self_(self),
        context_(context),
        env_(*context.env),
        counters_(*context.counters),
        shared_(*context.shared),
        queue_(context.queue),
        aead_(env_.make_aead()),
        sealing_(std::make_unique<SealBurst>()),
        opening_(std::make_unique<OpenBurst>()),
        batch_(std::min<std::size_t>(context.batch_size, tuning::kMaxBurst)),
        lan_(*env_.lan, env_.pool, counters_, context.queue),
        wan_(*env_.wan, env_.pool, counters_, context.queue),
        services_(env_) {}

  ~DataPathLoop() {
    if (queue_ == 0)
      locked([&](PeerPlane& plane) { plane.drop_all_staged(counters_, DropReason::kNoSession); });
  }
  DataPathLoop(const DataPathLoop&) = delete;
  DataPathLoop& operator=(const DataPathLoop&) = delete;

  struct Learned {
    bool wan = false;
    config::IpAddress ip;
    config::MacAddress mac;
  };
  // Neighbours learned from ARP or ND on this actor's queues since the last call.
  std::vector<Learned> take_learned() {
    std::vector<Learned> out;
    for (const auto& [ip, mac] : lan_.take_learned()) out.push_back({false, ip, mac});
    for (const auto& [ip, mac] : wan_.take_learned()) out.push_back({true, ip, mac});
    return out;
  }
  // Whether the last poll moved packets, and whether frames a full port did not take yet wait:
  // no idle back-off while a port drains.
  bool last_poll_busy() const { return last_poll_busy_; }
  bool sending_pending() const { return lan_.queued() > 0 || wan_.queued() > 0; }
  StageCounters& counters() { return counters_; }

  // The neighbour a sibling worker learned (ARP and ND arrive on one queue only).
  void learn_neighbour(bool wan, const config::IpAddress& ip, const config::MacAddress& mac) {
    (wan ? wan_ : lan_).learn(ip, mac);
  }

  // Runs up to kDataPathBurstsPerPoll receive/seal/transmit loops (fewer once the ports run
  // dry), so the cost of the CAF poll message is spread over many bursts.
  void poll() {
    io::register_current_thread();
    now_ = Clock::now();
    // A port that did not take everything keeps the rest queued here; while a side has no room
    // for a whole batch the actor stops receiving, so overload backs up into the rx rings and
    // is dropped there (rx-missed), never in the middle of the gateway. A momentarily empty
    // ring is common at high rates (the feeder refills in bursts): look again a few times
    // rather than paying a CAF message and a clock read.
    // Once the gateway stops, nothing more is received; the loop only sends what it holds.
    last_poll_busy_ = run_poll(
        counters_, {tuning::kDataPathBurstsPerPoll, tuning::kEmptyLoopsBeforeYield}, [this] {
          const std::size_t received =
              has_room() && env_.may_receive() ? receive_lan() + receive_wan() : 0;
          lan_.flush();
          wan_.flush();
          return received > 0;
        });

    lan_.expire_waiting(now_);
    wan_.expire_waiting(now_);
    report_activity();
    if (lock_wait_cycles_ != 0) {
      counters_.lock_wait_ns.add(cycles_to_ns(lock_wait_cycles_));
      lock_wait_cycles_ = 0;
    }
  }

  // A reload, applied whole under the lock between two bursts: no packet is routed by a
  // half-changed table (the workers look routes up under the lock too, see outbound()).
  void apply_change(const PeerChange& change) {
    bool routes_ok = true;
    locked([&](PeerPlane& plane) { routes_ok = plane.apply_change(change, counters_); });
    change.applied(routes_ok);
  }

  // Decisions of the control actor.
  void apply(ControlOutput& out) {
    now_ = Clock::now();
    for (const OriginatedFrame& frame :
         apply_control(out, env_, *aead_, ip_id_, now_, counters_, with_plane())) {
      wan_.transmit_to(frame.mbuf, frame.destination, now_);
    }
    send_released();
    seal_queued();
    lan_.flush();
    wan_.flush();
    report_activity();
  }

 private:
  bool has_room() const {
    return lan_.queued() + batch_ + 1 <= tuning::kTxHighWater &&
           wan_.queued() + 2 * batch_ + 1 <= tuning::kTxHighWater;
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

  // --- outbound: LAN -> WAN --------------------------------------------------------------------

  std::size_t receive_lan() {
    std::array<rte_mbuf*, tuning::kMaxBurst> mbufs;
    const std::size_t count = receive(lan_, mbufs.data());
    prefetch_first_frames(mbufs.data(), count);
    std::array<std::uint32_t, tuning::kMaxBurst> routes;
    // The owner alone (`single`) looks routes up outside a lock, a burst at a time; the workers
    // look each up under the lock (classify_lan_frame), since a reload changes the table in place
    // (worker 0 applies it under the lock), and they keep the paper's one lock per packet.
    if constexpr (std::is_same_v<Lock, NoLock>) {
      PeerPlane::route_burst(shared_.plane->routes(), {mbufs.data(), count}, routes);
      shared_.plane->prefetch_routed({routes.data(), count});
    } else {
      routes.fill(PeerPlane::kNotRouted);
    }
    for (std::size_t i = 0; i < count; ++i) {
      prefetch_ahead(mbufs.data(), count, i);
      outbound(mbufs[i], routes[i]);
    }
    seal_queued();
    return count;
  }

  // A LAN frame, freshly received (`route`: route_burst's, `single` only) or released after a
  // handshake (or the gateway's own reply to a ping through the tunnel, or a fragment).
  void outbound(rte_mbuf* mbuf, std::uint32_t route = PeerPlane::kNotRouted) {
    const io::AllowedIps* routes = nullptr;  // the workers: looked up under the lock
    if constexpr (std::is_same_v<Lock, NoLock>) routes = &shared_.plane->routes();
    classify_lan_frame(mbuf, now_, counters_, services_, with_plane(), lan_verdict_, routes, route);
    switch (lan_verdict_.kind) {
      case FrameVerdict::Kind::kNeighbour:
        return lan_.handle_neighbour(mbuf, lan_verdict_.frame, now_);
      case FrameVerdict::Kind::kSeal:
        break;
      case FrameVerdict::Kind::kStaged:
        return;
      case FrameVerdict::Kind::kAnswer:
        return lan_.transmit(lan_verdict_.answer);
      case FrameVerdict::Kind::kFragment:
        return send_fragments(mbuf);
      default:
        return drop(mbuf, lan_verdict_.reason);
    }
    // Sealed with the rest of the burst (seal_queued), in one Aead batch call.
    if (sealing_->full()) seal_queued();
    const DropReason reason =
        sealing_->add(mbuf, lan_verdict_.frame, lan_verdict_.args, env_.outer, env_.mtu, ip_id_++);
    if (reason != DropReason::kNone) return drop(mbuf, reason);
  }

  // Seals what outbound() queued and sends it; before the ports flush, so nothing waits.
  void seal_queued() {
    sealing_->seal_all(*aead_, [this](rte_mbuf* mbuf, const CryptoArgs& args) {
      transmit_sealed(wan_, mbuf, args, now_);
    });
  }

  void send_fragments(rte_mbuf* mbuf) {
    std::array<rte_mbuf*, io::kMaxFragments> fragments;
    const std::size_t count =
        services_.fragment(mbuf, lan_verdict_.frame, fragments.data(), counters_);
    if (count == 0) return drop(mbuf, DropReason::kInnerTooBig);
    for (std::size_t i = 0; i < count; ++i) outbound(fragments[i]);
  }

  // Packets that waited for a handshake: sealed now, in their arrival order.
  void send_released() {
    std::vector<rte_mbuf*> released;
    locked([&](PeerPlane& plane) { released = plane.take_released(); });
    counters_.packets_generated.add(released.size());  // back from the peer plane
    for (rte_mbuf* mbuf : released) outbound(mbuf);
  }

  // --- inbound: WAN -> LAN ---------------------------------------------------------------------

  std::size_t receive_wan() {
    std::array<rte_mbuf*, tuning::kMaxBurst> mbufs;
    const std::size_t count = receive(wan_, mbufs.data());
    prefetch_first_frames(mbufs.data(), count);
    for (std::size_t i = 0; i < count; ++i) {
      prefetch_ahead(mbufs.data(), count, i);
      rte_mbuf* mbuf = mbufs[i];
      classify_wan_frame(mbuf, env_, now_, counters_, services_, with_plane(), wan_verdict_);
      switch (wan_verdict_.kind) {
        case FrameVerdict::Kind::kNeighbour:
          wan_.handle_neighbour(mbuf, wan_verdict_.frame, now_);
          break;
        case FrameVerdict::Kind::kAnswer:
          wan_.transmit(wan_verdict_.answer);
          break;
        case FrameVerdict::Kind::kHandshake:
          forward_handshake(mbuf);
          break;
        case FrameVerdict::Kind::kOpen:
          queue_open(mbuf);
          break;
        default:
          drop(mbuf, wan_verdict_.reason);
          break;
      }
    }
    open_queued();
    seal_queued();  // echo replies through the tunnel, packets a new session released
    return count;
  }

  void forward_handshake(rte_mbuf* mbuf) {
    if (!context_.control) return drop(mbuf, DropReason::kHandshakeBusy);
    if (env_.control_counters) note_sent(*env_.control_counters);
    self_->send(context_.control, make_handshake_in(mbuf, wan_verdict_, now_));
    counters_.packets_consumed.add(1);
    rte_pktmbuf_free(mbuf);
  }

  // Opened with the rest of the burst (open_queued), in one Aead batch call.
  void queue_open(rte_mbuf* mbuf) {
    if (opening_->full()) open_queued();
    if (!opening_->add(mbuf, wan_verdict_.udp, wan_verdict_.header, wan_verdict_.args)) {
      drop(mbuf, DropReason::kDecryptFailed);
    }
  }

  void open_queued() {
    opening_->open_all(*aead_, [this](const OpenBurst::Opened& opened) { decrypted(opened); });
  }

  // After the AEAD: the replay window, the session, the inner packet's checks, LAN tx.
  void decrypted(const OpenBurst::Opened& opened) {
    rte_mbuf* mbuf = opened.mbuf;
    if (!opened.ok) return drop(mbuf, DropReason::kDecryptFailed);
    const std::size_t plaintext_offset = opened.udp.message_offset + wg::kTransportHeaderSize;
    PeerPlane::Delivery delivery;
    locked([&](PeerPlane& plane) {
      delivery = plane.accept_inbound(
          *opened.args, opened.header.counter, opened.udp.source, opened.udp.message_length,
          rte_pktmbuf_mtod(mbuf, std::uint8_t*) + plaintext_offset, opened.padded_length, now_);
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
    DropReason reason = DropReason::kNone;
    const auto action =
        services_.inbound(rte_pktmbuf_mtod(mbuf, std::uint8_t*) + plaintext_offset,
                          delivery.inner_length, delivery.inner_is_v6, counters_, reason);
    if (action == IpServices::Inbound::kDrop) return drop(mbuf, reason);
    if (!io::decapsulate(mbuf, plaintext_offset, delivery.inner_length, config::MacAddress{},
                         lan_.identity().mac, delivery.inner_is_v6)) {
      return drop(mbuf, DropReason::kNoBufferRoom);
    }
    // A ping to one of our addresses through the tunnel: the reply goes back the same way.
    if (action == IpServices::Inbound::kEcho) return outbound(mbuf);
    if (delivery.inner_is_v6) return lan_.transmit_to_v6(mbuf, delivery.destination_v6, now_);
    lan_.transmit_to(mbuf, delivery.destination_v4, now_);
  }

  // What the classifiers use to reach the peer state: under this engine's lock.
  auto with_plane() {
    return [this](auto&& f) { this->locked(f); };
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
  const DataPlaneEnv& env_;
  StageCounters& counters_;
  SharedPlane<Lock>& shared_;  // the peer state: this actor's alone, or behind the lock
  std::uint16_t queue_;
  std::unique_ptr<crypto::Aead> aead_;
  // A burst's seals and opens, queued for one Aead batch call each (allocated once).
  std::unique_ptr<SealBurst> sealing_;
  std::unique_ptr<OpenBurst> opening_;
  std::size_t batch_;
  std::uint16_t ip_id_ = 0;
  PortSide lan_;
  PortSide wan_;
  IpServices services_;
  // One verdict per direction, reused for every frame: no per-packet construction, and the key
  // copy in its CryptoArgs is wiped once when the loop goes. (Two, because an inbound packet
  // that confirms a session releases outbound packets while its own verdict is still in use.)
  FrameVerdict lan_verdict_;
  FrameVerdict wan_verdict_;
  Clock::time_point now_{};
  std::uint64_t lock_wait_cycles_ = 0;
  bool last_poll_busy_ = false;
};

}  // namespace detail
}  // namespace actorwire::actors
