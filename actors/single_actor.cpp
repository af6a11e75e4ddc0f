#include "actors/single_actor.hpp"

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include <array>
#include <chrono>
#include <optional>

#include "actors/messages.hpp"
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
// Handshake messages in flight to the control actor; beyond, they are dropped (flood).
constexpr std::uint32_t kHandshakeCredits = 256;
// Activity is reported at most this often (timers are seconds long), sooner when a handshake
// is wanted.
constexpr auto kActivityReportInterval = std::chrono::milliseconds(20);
// A peer asks the control actor for a handshake at most this often.
constexpr auto kHandshakeRequestInterval = std::chrono::seconds(1);

std::uint64_t cycles_to_ns(std::uint64_t cycles) {
  static const double ns_per_cycle = 1e9 / static_cast<double>(rte_get_tsc_hz());
  return static_cast<std::uint64_t>(static_cast<double>(cycles) * ns_per_cycle);
}

bool same_endpoint(const config::Endpoint& a, const config::Endpoint& b) {
  return a.address == b.address && a.port == b.port;
}

class SingleLoop {
 public:
  SingleLoop(caf::event_based_actor* self, const SingleActorContext& context)
      : self_(self),
        context_(context),
        counters_(*context.counters),
        peers_(*context.peers),
        aead_(crypto::make_aead(context.config->crypto.aead)),
        batch_(std::min<std::size_t>(context.config->topology.batch_size, kMaxBurst)),
        mtu_(context.config->interface.mtu),
        listen_port_(context.config->interface.listen_port),
        // The WAN address is fixed for the actor's life: look it up once, not per packet.
        wan_source_ip_(context.wan->identity().primary_ipv4()),
        lan_(*context.lan, context.pool, counters_),
        wan_(*context.wan, context.pool, counters_) {}

  ~SingleLoop() {
    for (Peer& peer : peers_.peers()) {
      for (rte_mbuf* mbuf : peer.staged) drop(mbuf, DropReason::kNoSession);
      peer.staged.clear();
    }
  }
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
    report_activity(false);
    counters_.busy_ns.add(cycles_to_ns(busy_cycles));
    counters_.idle_ns.add(cycles_to_ns(idle_cycles));
  }

  // Decisions of the control actor.
  void apply(ControlOutput& out) {
    now_ = Clock::now();
    handshake_credits_ += out.handshake_credits;
    for (auto& [peer_id, endpoint] : out.endpoints) {
      if (Peer* peer = peer_by_id(peer_id)) peer->endpoint = endpoint;
    }
    for (OutgoingDatagram& datagram : out.datagrams) send_datagram(datagram);
    for (KeypairInstall& install : out.keypairs) {
      Peer* peer = peer_by_id(install.peer);
      if (peer == nullptr) continue;
      const bool initiator = install.keypair.initiator;
      peers_.install(*peer, std::make_unique<Keypair>(std::move(install.keypair)));
      peer->counters->sessions_installed.add(1);
      // An initiator may send at once: staged packets, or a keepalive that lets the responder
      // confirm the session.
      if (initiator && !send_staged(*peer)) send_keepalive(*peer);
    }
    for (std::uint32_t peer_id : out.send_keepalive) {
      if (Peer* peer = peer_by_id(peer_id)) send_keepalive(*peer);
    }
    for (std::uint32_t peer_id : out.drop_staged) {
      if (Peer* peer = peer_by_id(peer_id)) drop_staged(*peer, DropReason::kHandshakeGaveUp);
    }
    for (std::uint32_t peer_id : out.zero_keys) {
      if (Peer* peer = peer_by_id(peer_id)) peers_.clear_sessions(*peer);
    }
    lan_.flush();
    wan_.flush();
    report_activity(false);
  }

 private:
  bool has_room() const {
    return lan_.queued() + batch_ + 1 <= kTxHighWater &&
           wan_.queued() + 2 * batch_ + 1 <= kTxHighWater;
  }

  Peer* peer_by_id(std::uint32_t id) {
    return id < peers_.peers().size() ? &peers_.peers()[id] : nullptr;
  }

  std::size_t receive(PortSide& side, rte_mbuf** mbufs) {
    const std::uint16_t count = side.port().rx_burst(0, mbufs, static_cast<std::uint16_t>(batch_));
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
    const std::uint8_t* ip = rte_pktmbuf_mtod(mbuf, std::uint8_t*) + frame.l3_offset;
    Peer* peer = frame.kind == io::FrameKind::kIpv4
                     ? peers_.find_by_destination_v4(io::load_be32(ip + 16))
                     : peers_.find_by_destination(io::read_ip_info(ip, true).destination);
    if (peer == nullptr) return drop(mbuf, DropReason::kNoPeer);
    Keypair* keypair = peer->sessions.current();
    if (keypair == nullptr || !keypair->usable_for_sending(now_)) return stage(*peer, mbuf);
    seal_and_send(*peer, *keypair, mbuf, frame);
  }

  void seal_and_send(Peer& peer, Keypair& keypair, rte_mbuf* mbuf, const io::ParsedFrame& frame) {
    if (!peer.endpoint || peer.endpoint->address.is_v6) {
      return drop(mbuf, DropReason::kNoEndpoint);
    }
    const std::uint32_t endpoint_ip = peer.endpoint->address.v4_host_order();
    const io::OuterIpv4Udp outer{wan_.identity().mac, config::MacAddress{}, wan_source_ip_,
                                 endpoint_ip,         listen_port_,         peer.endpoint->port};
    const io::SealParams seal{&keypair.send_key, keypair.remote_index, keypair.next_send_counter};
    switch (io::encapsulate(mbuf, frame, *aead_, seal, outer, mtu_, ip_id_++)) {
      case io::EncapsulateResult::kOk:
        break;
      case io::EncapsulateResult::kInnerTooBig:
        return drop(mbuf, DropReason::kInnerTooBig);
      case io::EncapsulateResult::kMultiSegment:
      case io::EncapsulateResult::kNoRoom:
        return drop(mbuf, DropReason::kNoBufferRoom);
    }
    ++keypair.next_send_counter;
    const std::uint32_t message_bytes = mbuf->pkt_len - io::kOuterIpv4Overhead;
    peer.counters->tx_packets.add(1);
    peer.counters->tx_bytes.add(message_bytes);
    note(peer).data_sent = now_;
    if (keypair.wants_rekey_on_send(now_)) want_handshake(peer);
    wan_.transmit_to(mbuf, endpoint_ip, now_);
  }

  // No usable keys: keep the packet (oldest goes beyond the limit) and ask for a handshake.
  void stage(Peer& peer, rte_mbuf* mbuf) {
    if (peer.staged.size() >= wg::kMaxStagedPackets) {
      drop(peer.staged.front(), DropReason::kStagedOverflow);
      peer.staged.pop_front();
    }
    peer.staged.push_back(mbuf);
    want_handshake(peer);
  }

  // Sends what waited for keys; false if nothing did.
  bool send_staged(Peer& peer) {
    if (peer.staged.empty()) return false;
    std::deque<rte_mbuf*> staged;
    staged.swap(peer.staged);
    for (rte_mbuf* mbuf : staged) {
      io::ParsedFrame frame;
      // Parsed when it arrived; parse again for the offsets (cheap, and keeps no state).
      if (io::parse_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*), mbuf->data_len, frame) !=
          io::FrameError::kNone) {
        drop(mbuf, DropReason::kUnhandled);
        continue;
      }
      encrypt(mbuf, frame);
    }
    return true;
  }

  void drop_staged(Peer& peer, DropReason reason) {
    for (rte_mbuf* mbuf : peer.staged) drop(mbuf, reason);
    peer.staged.clear();
  }

  void send_keepalive(Peer& peer) {
    Keypair* keypair = peer.sessions.current();
    if (keypair == nullptr || !keypair->usable_for_sending(now_) || !peer.endpoint ||
        peer.endpoint->address.is_v6) {
      return;
    }
    std::array<std::uint8_t, wg::kKeepaliveSize> message;
    crypto::seal_transport(*aead_, keypair->send_key, keypair->remote_index,
                           keypair->next_send_counter, message.data(), 0, mtu_);
    if (!send_udp(*peer.endpoint, message.data(), message.size())) return;
    ++keypair->next_send_counter;
    peer.counters->keepalives_sent.add(1);
    peer.counters->tx_packets.add(1);
    peer.counters->tx_bytes.add(message.size());
    note(peer).authenticated_sent = now_;
  }

  void send_datagram(const OutgoingDatagram& datagram) {
    if (datagram.destination.address.is_v6) return counters_.drop(DropReason::kNoEndpoint);
    send_udp(datagram.destination, datagram.message.data(), datagram.message.size());
  }

  // A frame the gateway originates on the WAN port (handshake message, keepalive).
  bool send_udp(const config::Endpoint& destination, const std::uint8_t* payload,
                std::size_t length) {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(context_.pool);
    if (mbuf == nullptr) {
      counters_.drop(DropReason::kNoBufferRoom);
      return false;
    }
    const std::uint32_t ip = destination.address.v4_host_order();
    const io::OuterIpv4Udp outer{wan_.identity().mac, config::MacAddress{}, wan_source_ip_, ip,
                                 listen_port_,        destination.port};
    if (!io::build_udp_frame(mbuf, outer, payload, length, ip_id_++)) {
      rte_pktmbuf_free(mbuf);
      counters_.drop(DropReason::kNoBufferRoom);
      return false;
    }
    counters_.packets_generated.add(1);
    wan_.transmit_to(mbuf, ip, now_);
    return true;
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
      switch (io::classify_inbound(data, frame, wan_source_ip_, listen_port_, udp, frame_error)) {
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
    if (!context_.control || handshake_credits_ == 0) {
      return drop(mbuf, DropReason::kHandshakeBusy);
    }
    --handshake_credits_;
    HandshakeIn in;
    in.message.assign(data + udp.message_offset, data + udp.message_offset + udp.message_length);
    in.source = udp.source;
    in.received = now_;
    self_->send(context_.control, std::move(in));
    counters_.packets_consumed.add(1);
    rte_pktmbuf_free(mbuf);
  }

  void decrypt(rte_mbuf* mbuf, const io::InboundUdp& udp) {
    auto* message = rte_pktmbuf_mtod(mbuf, std::uint8_t*) + udp.message_offset;
    const auto header = crypto::parse_transport_header(message, udp.message_length);
    if (!header) return drop(mbuf, DropReason::kBadMessage);
    const auto match = peers_.find_by_index(header->receiver_index);
    if (match.keypair == nullptr) return drop(mbuf, DropReason::kUnknownIndex);
    Peer& peer = *match.peer;
    Keypair& keypair = *match.keypair;
    if (!keypair.usable_for_receiving(now_)) return drop(mbuf, DropReason::kKeyExpired);
    if (header->counter >= wg::kRejectAfterMessages) return drop(mbuf, DropReason::kReplayed);
    // Endpoint roaming: an authenticated packet from a new address moves the peer there. Its
    // UDP checksum is checked first (before decrypting in place changes the payload), so a
    // corrupted header cannot redirect the tunnel; unchanged sources skip that cost.
    const bool roaming = !peer.endpoint || !same_endpoint(*peer.endpoint, udp.source);
    if (roaming &&
        !io::ipv4_udp_checksum_ok(rte_pktmbuf_mtod(mbuf, std::uint8_t*) + udp.ip_offset)) {
      return drop(mbuf, DropReason::kMalformedUdp);
    }
    const auto padded =
        crypto::open_transport(*aead_, keypair.receive_key, *header, message, udp.message_length);
    if (!padded) return drop(mbuf, DropReason::kDecryptFailed);
    // Only now, authenticated, may the counter move the window.
    if (!keypair.replay.accept(header->counter)) return drop(mbuf, DropReason::kReplayed);

    peer.counters->rx_packets.add(1);
    peer.counters->rx_bytes.add(udp.message_length);
    PeerActivityEntry& activity = note(peer);
    activity.authenticated_received = now_;
    if (peers_.received_with(peer, &keypair)) {
      // The initiator used our new keys: the handshake is confirmed, waiting packets may go.
      activity.handshake_confirmed = now_;
      send_staged(peer);
    }
    if (keypair.wants_rekey_on_receive(now_)) {
      keypair.asked_for_last_minute_handshake = true;
      want_handshake(peer);
    }
    if (roaming) {
      peer.endpoint = udp.source;
      activity.roamed_to = udp.source;
    }

    if (*padded == 0) {  // keepalive
      peer.counters->keepalives_received.add(1);
      counters_.packets_consumed.add(1);
      rte_pktmbuf_free(mbuf);
      return;
    }
    forward_decrypted(peer, mbuf, udp.message_offset + wg::kTransportHeaderSize, *padded);
  }

  void forward_decrypted(Peer& peer, rte_mbuf* mbuf, std::size_t plaintext_offset,
                         std::size_t padded_length) {
    const std::uint8_t* inner = rte_pktmbuf_mtod(mbuf, std::uint8_t*) + plaintext_offset;
    // The inner packet must be a well-formed IP packet that fits the decrypted length.
    const std::uint8_t version = inner[0] >> 4;
    if (padded_length < io::kIpv4HeaderSize || (version != 4 && version != 6)) {
      return drop(mbuf, DropReason::kMalformedIp);
    }
    const bool is_v6 = version == 6;
    if (is_v6 && padded_length < io::kIpv6HeaderSize) return drop(mbuf, DropReason::kTruncatedIp);
    const std::size_t inner_length =
        is_v6 ? io::kIpv6HeaderSize + io::load_be16(inner + 4) : io::load_be16(inner + 2);
    if (inner_length > padded_length || inner_length < io::kIpv4HeaderSize) {
      return drop(mbuf, DropReason::kMalformedIp);
    }
    const io::IpInfo info = io::read_ip_info(inner, is_v6);
    if (!peers_.source_allowed(peer, info.source)) {
      return drop(mbuf, DropReason::kSourceNotAllowed);
    }
    note(peer).data_received = now_;
    if (is_v6) return drop(mbuf, DropReason::kNoNeighbour);  // no IPv6 neighbour discovery yet
    if (!io::decapsulate(mbuf, plaintext_offset, inner_length, config::MacAddress{},
                         lan_.identity().mac, is_v6)) {
      return drop(mbuf, DropReason::kNoBufferRoom);
    }
    lan_.transmit_to(mbuf, info.destination.v4_host_order(), now_);
  }

  // --- reports to the control actor -------------------------------------------------------------

  PeerActivityEntry& note(Peer& peer) {
    if (peer.activity.empty()) dirty_peers_.push_back(peer.id);
    return peer.activity;
  }

  void want_handshake(Peer& peer) {
    if (peer.last_handshake_request &&
        now_ - *peer.last_handshake_request < kHandshakeRequestInterval) {
      return;
    }
    peer.last_handshake_request = now_;
    note(peer).wants_handshake = true;
    urgent_report_ = true;
  }

  void report_activity(bool force) {
    if (dirty_peers_.empty() || !context_.control) return;
    if (!force && !urgent_report_ && now_ - last_report_ < kActivityReportInterval) return;
    PeerActivity report;
    report.entries.reserve(dirty_peers_.size());
    for (std::uint32_t id : dirty_peers_) {
      Peer& peer = peers_.peers()[id];
      report.entries.push_back(peer.activity);
      peer.activity = PeerActivityEntry{};
      peer.activity.peer = id;
    }
    dirty_peers_.clear();
    urgent_report_ = false;
    last_report_ = now_;
    self_->send(context_.control, std::move(report));
  }

  caf::event_based_actor* self_;
  const SingleActorContext& context_;
  StageCounters& counters_;
  PeerTable& peers_;  // owned by the context, used by this actor only
  std::unique_ptr<crypto::Aead> aead_;
  std::size_t batch_;
  std::uint16_t mtu_;
  std::uint16_t listen_port_;
  std::uint32_t wan_source_ip_;
  std::uint16_t ip_id_ = 0;
  PortSide lan_;
  PortSide wan_;
  Clock::time_point now_{};
  std::uint32_t handshake_credits_ = kHandshakeCredits;
  std::vector<std::uint32_t> dirty_peers_;
  bool urgent_report_ = false;
  Clock::time_point last_report_{};
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
