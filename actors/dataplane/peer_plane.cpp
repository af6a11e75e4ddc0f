#include "actors/dataplane/peer_plane.hpp"

#include <rte_ether.h>
#include <rte_mbuf.h>

#include <array>

#include "actors/common/tuning.hpp"
#include "crypto/messages.hpp"
#include "io/byte_order.hpp"

namespace actorwire::actors {
namespace {

bool same_endpoint(const config::Endpoint& a, const config::Endpoint& b) {
  return a.address == b.address && a.port == b.port;
}

}  // namespace

PeerPlane::PeerPlane(const config::GatewayConfig& config, const std::string& name)
    : peers_(config, name),
      mtu_(config.interface.mtu),
      handshake_credits_(tuning::kHandshakeCredits) {}

PeerPlane::~PeerPlane() {
  for (Peer& peer : peers_.peers()) {
    for (rte_mbuf* mbuf : peer.staged) rte_pktmbuf_free(mbuf);
  }
  for (rte_mbuf* mbuf : released_) rte_pktmbuf_free(mbuf);
}

std::vector<std::shared_ptr<PeerCounters>> PeerPlane::peer_counters() {
  std::vector<std::shared_ptr<PeerCounters>> out;
  for (const Peer& peer : peers_.peers()) {
    if (!peer.removed) out.push_back(peer.counters);
  }
  return out;
}

bool PeerPlane::apply_change(const PeerChange& change, StageCounters& counters) {
  std::vector<rte_mbuf*> orphaned;
  const bool routes_ok = peers_.apply(change, orphaned);
  for (rte_mbuf* mbuf : orphaned) {
    counters.packets_generated.add(1);  // taken back from the plane, then dropped
    counters.drop(DropReason::kPeerRemoved);
    rte_pktmbuf_free(mbuf);
  }
  return routes_ok;
}

PeerActivityEntry& PeerPlane::note(Peer& peer) {
  if (peer.activity.empty()) dirty_peers_.push_back(peer.id);
  return peer.activity;
}

void PeerPlane::want_handshake(Peer& peer, Clock::time_point now) {
  if (peer.last_handshake_request &&
      now - *peer.last_handshake_request < tuning::kHandshakeRequestInterval) {
    return;
  }
  peer.last_handshake_request = now;
  note(peer).wants_handshake = true;
  urgent_report_ = true;
}

std::uint32_t PeerPlane::route_outbound(const io::AllowedIps& routes, const std::uint8_t* ip,
                                        const io::ParsedFrame& frame) {
  return frame.kind == io::FrameKind::kIpv4 ? routes.lookup_v4(io::load_be32(ip + 16))
                                            : routes.lookup(io::read_ip_info(ip, true).destination);
}

void PeerPlane::route_burst(const io::AllowedIps& routes, std::span<rte_mbuf* const> mbufs,
                            std::span<std::uint32_t> out) {
  constexpr std::size_t kIpv4DestinationEnd = io::kEthernetHeaderSize + 20;
  constexpr std::size_t kChunk = 64;
  std::array<std::uint32_t, kChunk> destinations;
  std::array<std::uint32_t, kChunk> looked_up;
  std::array<std::uint16_t, kChunk> position;
  for (std::size_t done = 0; done < mbufs.size(); done += kChunk) {
    const std::size_t end = std::min(mbufs.size(), done + kChunk);
    std::size_t count = 0;
    for (std::size_t i = done; i < end; ++i) {
      out[i] = kNotRouted;
      const rte_mbuf* mbuf = mbufs[i];
      if (mbuf == nullptr || mbuf->data_len < kIpv4DestinationEnd) continue;
      const auto* frame = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
      if (io::load_be16(frame + 12) != RTE_ETHER_TYPE_IPV4) continue;
      destinations[count] = io::load_be32(frame + kIpv4DestinationEnd - 4);
      position[count++] = static_cast<std::uint16_t>(i);
    }
    routes.lookup_v4_bulk({destinations.data(), count}, looked_up);
    for (std::size_t k = 0; k < count; ++k) out[position[k]] = looked_up[k];
  }
}

void PeerPlane::prefetch_routed(std::span<const std::uint32_t> routes) {
  // A few hundred peers' state stays in L2 anyway; there the prefetch would only cost.
  constexpr std::size_t kPrefetchAbovePeers = 256;
  if (peers_.peers().size() > kPrefetchAbovePeers) peers_.prefetch_peers(routes);
}

PeerPlane::Outbound PeerPlane::prepare_outbound(rte_mbuf* mbuf, const io::ParsedFrame& frame,
                                                Clock::time_point now, CryptoArgs& args,
                                                DropReason& reason, StageCounters& counters,
                                                std::optional<std::uint32_t> routed) {
  const std::uint8_t* ip = rte_pktmbuf_mtod(mbuf, std::uint8_t*) + frame.l3_offset;
  Peer* peer = peers_.peer_at_route(routed ? *routed : route_outbound(routes(), ip, frame));
  if (peer == nullptr) {
    reason = DropReason::kNoPeer;
    return Outbound::kDrop;
  }
  if (frame.l3_length > mtu_) {
    reason = DropReason::kInnerTooBig;
    return Outbound::kTooBig;
  }
  Keypair* keypair = peer->sessions.current();
  if (keypair == nullptr || !keypair->usable_for_sending(now)) {
    // No usable keys: keep the packet (oldest goes beyond the limit) and ask for a handshake.
    if (peer->staged.size() >= wg::kMaxStagedPackets) {
      counters.packets_generated.add(1);  // taken back from the plane, then dropped
      counters.drop(DropReason::kStagedOverflow);
      rte_pktmbuf_free(peer->staged.front());
      peer->staged.pop_front();
    }
    peer->staged.push_back(mbuf);
    counters.packets_consumed.add(1);  // handed to the plane; whoever takes it back generates it
    want_handshake(*peer, now);
    return Outbound::kStaged;
  }
  if (!peer->endpoint) {
    reason = DropReason::kNoEndpoint;
    return Outbound::kDrop;
  }
  args.key = keypair->send_key;
  args.counter = keypair->next_send_counter++;
  args.receiver_index = keypair->remote_index;
  args.peer = peer->id;
  args.set_endpoint(*peer->endpoint);
  // The sealed size is a function of the inner length: account now, whoever seals.
  peer->counters->tx_packets.add(1);
  peer->counters->tx_bytes.add(crypto::sealed_size(frame.l3_length, mtu_));
  note(*peer).data_sent = now;
  if (keypair->wants_rekey_on_send(now)) want_handshake(*peer, now);
  return Outbound::kSeal;
}

PeerPlane::Inbound PeerPlane::prepare_inbound(const crypto::TransportHeader& header,
                                              const config::Endpoint& source, Clock::time_point now,
                                              CryptoArgs& args, bool& verify_checksum,
                                              DropReason& reason) {
  const auto match = peers_.find_by_index(header.receiver_index);
  if (match.keypair == nullptr) {
    reason = DropReason::kUnknownIndex;
    return Inbound::kDrop;
  }
  if (!match.keypair->usable_for_receiving(now)) {
    reason = DropReason::kKeyExpired;
    return Inbound::kDrop;
  }
  if (header.counter >= wg::kRejectAfterMessages) {
    reason = DropReason::kCounterLimit;
    return Inbound::kDrop;
  }
  args.key = match.keypair->receive_key;
  args.counter = header.counter;
  args.local_index = header.receiver_index;
  args.peer = match.peer->id;
  verify_checksum = !match.peer->endpoint || !same_endpoint(*match.peer->endpoint, source);
  return Inbound::kOpen;
}

PeerPlane::Delivery PeerPlane::accept_inbound(const CryptoArgs& args, std::uint64_t counter,
                                              const config::Endpoint& source,
                                              std::size_t message_length,
                                              const std::uint8_t* plaintext,
                                              std::size_t padded_length, Clock::time_point now) {
  Delivery delivery;
  // The keypair may have been retired while the packet was being opened elsewhere.
  const auto match = peers_.find_by_index(args.local_index);
  if (match.keypair == nullptr) {
    delivery.reason = DropReason::kUnknownIndex;
    return delivery;
  }
  Peer& peer = *match.peer;
  Keypair& keypair = *match.keypair;
  // Only now, authenticated, may the counter move the window.
  switch (keypair.replay.admit(counter)) {
    case crypto::ReplayVerdict::kAccepted:
      break;
    case crypto::ReplayVerdict::kSeen:
      delivery.reason = DropReason::kReplayed;
      return delivery;
    case crypto::ReplayVerdict::kTooOld:
      delivery.reason = DropReason::kReplayTooOld;
      return delivery;
    case crypto::ReplayVerdict::kBeyondLimit:
      delivery.reason = DropReason::kCounterLimit;
      return delivery;
  }
  peer.counters->rx_packets.add(1);
  peer.counters->rx_bytes.add(message_length);
  PeerActivityEntry& activity = note(peer);
  activity.authenticated_received = now;
  if (peers_.received_with(peer, &keypair)) {
    // The initiator used our new keys: the handshake is confirmed, waiting packets may go.
    activity.handshake_confirmed = now;
    peer.counters->status.publish_handshake(now);  // as the kernel: the responder's is now
    release_staged(peer);
  }
  if (keypair.wants_rekey_on_receive(now)) {
    keypair.asked_for_last_minute_handshake = true;
    want_handshake(peer, now);
  }
  // Endpoint roaming (the caller checked the UDP checksum of a packet from a new source).
  if (!peer.endpoint || !same_endpoint(*peer.endpoint, source)) {
    PeerTable::set_endpoint(peer, source);
    activity.roamed_to = source;
  }
  if (padded_length == 0) {
    peer.counters->keepalives_received.add(1);
    delivery.kind = Delivery::kKeepalive;
    return delivery;
  }
  // The inner packet must be a well-formed IP packet that fits the decrypted length.
  const std::uint8_t version = plaintext[0] >> 4;
  if (padded_length < io::kIpv4HeaderSize || (version != 4 && version != 6)) {
    delivery.reason = DropReason::kMalformedIp;
    return delivery;
  }
  const bool is_v6 = version == 6;
  if (is_v6 && padded_length < io::kIpv6HeaderSize) {
    delivery.reason = DropReason::kTruncatedIp;
    return delivery;
  }
  const std::size_t inner_length =
      is_v6 ? io::kIpv6HeaderSize + io::load_be16(plaintext + 4) : io::load_be16(plaintext + 2);
  if (inner_length > padded_length || inner_length < io::kIpv4HeaderSize) {
    delivery.reason = DropReason::kMalformedIp;
    return delivery;
  }
  const io::IpInfo info = io::read_ip_info(plaintext, is_v6);
  if (!peers_.source_allowed(peer, info.source)) {
    delivery.reason = DropReason::kSourceNotAllowed;
    return delivery;
  }
  activity.data_received = now;
  delivery.kind = Delivery::kForward;
  delivery.inner_length = inner_length;
  delivery.inner_is_v6 = is_v6;
  if (is_v6) {
    delivery.destination_v6 = info.destination.bytes;
  } else {
    delivery.destination_v4 = info.destination.v4_host_order();
  }
  return delivery;
}

void PeerPlane::release_staged(Peer& peer) {
  for (rte_mbuf* mbuf : peer.staged) released_.push_back(mbuf);
  peer.staged.clear();
}

std::vector<rte_mbuf*> PeerPlane::take_released() {
  std::vector<rte_mbuf*> out;
  out.swap(released_);
  return out;
}

bool PeerPlane::prepare_keepalive(Peer& peer, Clock::time_point now, CryptoArgs& args) {
  Keypair* keypair = peer.sessions.current();
  if (keypair == nullptr || !keypair->usable_for_sending(now) || !peer.endpoint) return false;
  args.key = keypair->send_key;
  args.counter = keypair->next_send_counter++;
  args.receiver_index = keypair->remote_index;
  args.peer = peer.id;
  args.set_endpoint(*peer.endpoint);
  peer.counters->keepalives_sent.add(1);
  peer.counters->tx_packets.add(1);
  peer.counters->tx_bytes.add(wg::kKeepaliveSize);
  note(peer).authenticated_sent = now;
  return true;
}

void PeerPlane::apply(ControlOutput& out, Clock::time_point now, ControlActions& actions) {
  handshake_credits_ += out.handshake_credits;
  // A removed peer's tombstone takes nothing the control actor sent before it heard of it.
  auto peer_by_id = [this](std::uint32_t id) -> Peer* { return peers_.live_peer(id); };
  for (auto& [peer_id, endpoint] : out.endpoints) {
    if (Peer* peer = peer_by_id(peer_id)) PeerTable::set_endpoint(*peer, endpoint);
  }
  for (OutgoingDatagram& datagram : out.datagrams) actions.datagrams.push_back(std::move(datagram));
  for (KeypairInstall& install : out.keypairs) {
    Peer* peer = peer_by_id(install.peer);
    if (peer == nullptr) continue;
    const bool initiator = install.keypair.initiator;
    peers_.install(*peer, std::make_unique<Keypair>(std::move(install.keypair)));
    peer->counters->sessions_installed.add(1);
    // An initiator may send at once: staged packets, or a keepalive that lets the responder
    // confirm the session. Its handshake is complete now; a responder's when confirmed.
    if (!initiator) continue;
    peer->counters->status.publish_handshake(now);
    if (!peer->staged.empty()) {
      release_staged(*peer);
    } else if (CryptoArgs args; prepare_keepalive(*peer, now, args)) {
      actions.keepalives.push_back(std::move(args));
    }
  }
  for (std::uint32_t peer_id : out.send_keepalive) {
    Peer* peer = peer_by_id(peer_id);
    if (CryptoArgs args; peer != nullptr && prepare_keepalive(*peer, now, args)) {
      actions.keepalives.push_back(std::move(args));
    }
  }
  for (std::uint32_t peer_id : out.drop_staged) {
    if (Peer* peer = peer_by_id(peer_id)) {
      for (rte_mbuf* mbuf : peer->staged) actions.dropped.push_back(mbuf);
      peer->staged.clear();
    }
  }
  for (std::uint32_t peer_id : out.zero_keys) {
    if (Peer* peer = peer_by_id(peer_id)) peers_.clear_sessions(*peer);
  }
}

bool PeerPlane::take_handshake_credit() {
  if (handshake_credits_ == 0) return false;
  --handshake_credits_;
  return true;
}

std::optional<PeerActivity> PeerPlane::take_report(Clock::time_point now) {
  if (dirty_peers_.empty()) return std::nullopt;
  if (!urgent_report_ && now - last_report_ < tuning::kActivityReportInterval) return std::nullopt;
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
  last_report_ = now;
  return report;
}

void PeerPlane::drop_all_staged(StageCounters& counters, DropReason reason) {
  for (Peer& peer : peers_.peers()) {
    for (rte_mbuf* mbuf : peer.staged) {
      counters.packets_generated.add(1);
      counters.drop(reason);
      rte_pktmbuf_free(mbuf);
    }
    peer.staged.clear();
  }
  for (rte_mbuf* mbuf : released_) {
    counters.packets_generated.add(1);
    counters.drop(reason);
    rte_pktmbuf_free(mbuf);
  }
  released_.clear();
}

}  // namespace actorwire::actors
