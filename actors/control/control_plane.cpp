#include "actors/control/control_plane.hpp"

#include <algorithm>
#include <cstring>
#include <deque>

#include "actors/common/test_key_log.hpp"

namespace actorwire::actors {
namespace {

// Keypair indices the data plane may still hold per peer (current, previous, next).
constexpr std::size_t kLiveKeypairsPerPeer = 3;
// Under load stays on this long after the backlog fell (as wireguard-go).
constexpr auto kUnderLoadHold = std::chrono::seconds(1);

crypto::CookieSource cookie_source(const config::Endpoint& endpoint) {
  crypto::CookieSource source;
  source.address_length = endpoint.address.is_v6 ? 16 : 4;
  std::memcpy(source.address.data(), endpoint.address.bytes.data(), source.address_length);
  source.port = endpoint.port;
  return source;
}

crypto::HandshakeRateLimiter::Source rate_limit_key(const config::Endpoint& endpoint) {
  if (endpoint.address.is_v6) return crypto::rate_limit_source_ipv6(endpoint.address.bytes);
  std::array<std::uint8_t, 4> v4;
  std::memcpy(v4.data(), endpoint.address.bytes.data(), 4);
  return crypto::rate_limit_source_ipv4(v4);
}

bool same_endpoint(const config::Endpoint& a, const config::Endpoint& b) {
  return a.address == b.address && a.port == b.port;
}

}  // namespace

struct ControlPlane::Peer {
  Peer(const crypto::LocalIdentity& identity, const config::PeerConfig& config, std::uint32_t seed)
      : handshake(identity, config.public_key, config.preshared_key),
        cookies(config.public_key),
        timers(std::chrono::seconds(config.persistent_keepalive), seed),
        endpoint(config.endpoint),
        is_static(config.static_session.has_value()) {}

  crypto::Handshake handshake;
  crypto::CookieMaker cookies;
  crypto::PeerTimers timers;
  std::optional<config::Endpoint> endpoint;
  bool is_static;
  std::uint32_t handshake_index = 0;          // index of our in-progress handshake, 0: none
  std::deque<std::uint32_t> keypair_indices;  // newest last
  std::optional<std::chrono::system_clock::time_point> last_handshake_wall;
};

ControlPlane::ControlPlane(const config::GatewayConfig& config,
                           std::shared_ptr<StageCounters> counters, ControlPlaneOptions options)
    : counters_(std::move(counters)),
      options_(std::move(options)),
      identity_(std::make_unique<crypto::LocalIdentity>(config.interface.private_key)),
      cookie_checker_(identity_->public_key),
      random_(options_.random_seed) {
  open_test_key_log();  // tests only (nothing in Release builds)
  for (const auto& peer : config.peers) {
    peers_.push_back(std::make_unique<Peer>(*identity_, peer, random_()));
    if (!peers_.back()->is_static) {
      peer_by_key_.emplace(peer.public_key, static_cast<std::uint32_t>(peers_.size() - 1));
    }
  }
}

ControlPlane::~ControlPlane() = default;

ControlOutput ControlPlane::apply_change(const PeerChange& change, Clock::time_point now) {
  ControlOutput out;
  for (std::uint32_t id : change.removed) {
    if (id >= peers_.size() || !peers_[id]) continue;
    Peer& peer = *peers_[id];
    free_index(peer.handshake_index);
    for (std::uint32_t index : peer.keypair_indices) free_index(index);
    if (!peer.is_static) peer_by_key_.erase(peer.handshake.remote_static());
    peers_[id].reset();  // its handshake state and keys wipe themselves
  }
  for (const auto& update : change.changed) {
    if (update.id >= peers_.size() || !peers_[update.id]) continue;
    Peer& peer = *peers_[update.id];
    peer.handshake.set_preshared_key(update.config.preshared_key);
    peer.timers.set_persistent_keepalive(std::chrono::seconds(update.config.persistent_keepalive));
    if (update.config.endpoint) peer.endpoint = update.config.endpoint;
  }
  for (const auto& addition : change.added) {
    if (addition.id != peers_.size()) continue;  // ids come in order, never reused
    peers_.push_back(std::make_unique<Peer>(*identity_, addition.config, random_()));
    if (!peers_.back()->is_static) peer_by_key_.emplace(addition.config.public_key, addition.id);
    // Like at start: a persistent keepalive wants the tunnel up before any traffic.
    if (addition.config.persistent_keepalive > 0) send_initiation(addition.id, now, false, out);
  }
  return out;
}

void ControlPlane::drop(DropReason reason) {
  counters_->drop(reason);
}

bool ControlPlane::under_load(Clock::time_point now) const {
  return options_.under_load_backlog == 0 || (under_load_until_ && now < *under_load_until_);
}

std::optional<std::uint32_t> ControlPlane::peer_by_key(const crypto::PublicKey& key) const {
  const auto found = peer_by_key_.find(key);
  if (found == peer_by_key_.end()) return std::nullopt;
  return found->second;
}

std::uint32_t ControlPlane::allocate_index(std::uint32_t peer) {
  for (;;) {
    const std::uint32_t index = random_();
    // 0 means "none" in our bookkeeping; avoid it and anything in use (including static
    // sessions' configured indices, which the data plane also matches).
    if (index == 0 || peer_by_index_.count(index) != 0) continue;
    peer_by_index_.emplace(index, peer);
    return index;
  }
}

void ControlPlane::free_index(std::uint32_t index) {
  if (index != 0) peer_by_index_.erase(index);
}

ControlOutput ControlPlane::handle_handshake(std::span<const std::uint8_t> message,
                                             const config::Endpoint& source, Clock::time_point now,
                                             std::size_t backlog) {
  ControlOutput out;
  out.handshake_credits = 1;
  counters_->packets_in.add(1);
  counters_->bytes_in.add(message.size());
  if (options_.under_load_backlog != 0 && backlog >= options_.under_load_backlog) {
    under_load_until_ = now + kUnderLoadHold;
  }
  const std::uint8_t type = message.empty() ? 0 : message[0];
  const bool reserved_zero =
      message.size() >= 4 && message[1] == 0 && message[2] == 0 && message[3] == 0;
  const std::uint64_t drops_before = counters_->drops_total();
  const std::size_t datagrams_before = out.datagrams.size();
  const auto is = [&](std::uint8_t wanted, std::size_t size) {
    return reserved_zero && type == wanted && message.size() == size;
  };
  if (is(1, wg::kInitiationSize)) {
    if (pass_dos_checks(message, crypto::read_index(message.data() + 4), source, now, backlog,
                        out)) {
      handle_initiation(message, source, now, out);
    }
  } else if (is(2, wg::kResponseSize)) {
    if (pass_dos_checks(message, crypto::read_index(message.data() + 4), source, now, backlog,
                        out)) {
      handle_response(message, source, now, out);
    }
  } else if (is(3, wg::kCookieReplySize)) {
    handle_cookie_reply(message, now);
  } else {
    drop(DropReason::kBadMessage);  // unknown type, wrong size, or reserved bytes set
  }
  // Balance: every message is dropped (counted by reason) or consumed; what we send is
  // generated here and leaves as output.
  if (counters_->drops_total() == drops_before) counters_->packets_consumed.add(1);
  const std::size_t sent = out.datagrams.size() - datagrams_before;
  counters_->packets_generated.add(sent);
  counters_->packets_out.add(sent);
  for (std::size_t i = datagrams_before; i < out.datagrams.size(); ++i) {
    counters_->bytes_out.add(out.datagrams[i].message.size());
  }
  return out;
}

bool ControlPlane::pass_dos_checks(std::span<const std::uint8_t> message,
                                   std::uint32_t sender_index, const config::Endpoint& source,
                                   Clock::time_point now, std::size_t, ControlOutput& out) {
  const crypto::CookieSource cookie_from = cookie_source(source);
  const crypto::MacCheck macs = cookie_checker_.check(message, cookie_from, now);
  if (macs == crypto::MacCheck::kBadMac1) {
    drop(DropReason::kBadMac1);
    return false;
  }
  if (!under_load(now)) return true;
  if (macs != crypto::MacCheck::kMac1AndMac2) {
    // Prove you can receive at that address first: answer with a cookie, do no DH work.
    const auto reply = cookie_checker_.make_reply(message, sender_index, cookie_from, now);
    out.datagrams.push_back({source, std::vector<std::uint8_t>(reply.begin(), reply.end())});
    counters_->cookie_replies_sent.add(1);
    return false;
  }
  if (!rate_limiter_.allow(rate_limit_key(source), now)) {
    drop(DropReason::kRateLimited);
    return false;
  }
  return true;
}

void ControlPlane::handle_initiation(std::span<const std::uint8_t> message,
                                     const config::Endpoint& source, Clock::time_point now,
                                     ControlOutput& out) {
  counters_->noise_messages.add(1);
  auto decrypted = crypto::open_initiation(*identity_, message.data());
  if (!decrypted) return drop(DropReason::kHandshakeRejected);
  const auto peer_id = peer_by_key(decrypted->initiator_static);
  if (!peer_id) return drop(DropReason::kUnknownPeer);
  Peer& peer = *peers_[*peer_id];
  switch (crypto::accept_initiation(peer.handshake, std::move(*decrypted), message.data(), now)) {
    case crypto::InitiationVerdict::kAccepted:
      break;
    case crypto::InitiationVerdict::kBadTimestamp:
      return drop(DropReason::kHandshakeRejected);
    case crypto::InitiationVerdict::kReplayed:
      return drop(DropReason::kHandshakeReplayed);
    case crypto::InitiationVerdict::kFlood:
      return drop(DropReason::kHandshakeFlood);
  }
  // accept_initiation replaced any handshake we had started ourselves.
  free_index(peer.handshake_index);
  peer.handshake_index = 0;
  authenticated_received(peer, now);
  set_endpoint(*peer_id, source, out);

  const std::uint32_t index = allocate_index(*peer_id);
  crypto::ResponseMessage response;
  if (!crypto::create_response(peer.handshake, index, response)) {
    free_index(index);
    peer.handshake.clear();
    return drop(DropReason::kHandshakeRejected);
  }
  peer.handshake_index = index;
  peer.cookies.add_macs(response, now);
  out.datagrams.push_back({source, std::vector<std::uint8_t>(response.begin(), response.end())});
  peer.timers.any_authenticated_packet_sent(now);
  peer.timers.any_authenticated_packet_traversal(now);
  install_session(*peer_id, now, out);
}

void ControlPlane::handle_response(std::span<const std::uint8_t> message,
                                   const config::Endpoint& source, Clock::time_point now,
                                   ControlOutput& out) {
  const std::uint32_t receiver = crypto::read_index(message.data() + wg::kResponseReceiverOffset);
  const auto found = peer_by_index_.find(receiver);
  // Only the index of an initiation we sent and still wait on may be answered: a keypair's
  // index, a finished or given-up handshake's, or none at all is a response to nothing.
  if (found == peer_by_index_.end() || peers_[found->second]->handshake_index != receiver) {
    return drop(DropReason::kUnexpectedResponse);
  }
  const std::uint32_t peer_id = found->second;
  Peer& peer = *peers_[peer_id];
  counters_->noise_messages.add(1);
  if (!crypto::consume_response(peer.handshake, message.data())) {
    return drop(DropReason::kHandshakeRejected);
  }
  authenticated_received(peer, now);
  set_endpoint(peer_id, source, out);
  peer.timers.handshake_complete(now);
  install_session(peer_id, now, out);
}

void ControlPlane::handle_cookie_reply(std::span<const std::uint8_t> message,
                                       Clock::time_point now) {
  const std::uint32_t receiver =
      crypto::read_index(message.data() + wg::kCookieReplyReceiverOffset);
  const auto found = peer_by_index_.find(receiver);
  // No message of ours with that index, or its one reply was taken: a reply to nothing.
  if (found == peer_by_index_.end() || !peers_[found->second]->cookies.awaits_reply()) {
    return drop(DropReason::kUnexpectedCookieReply);
  }
  // The cookie is used from the next retransmission on (the retransmit timer sends it).
  if (!peers_[found->second]->cookies.consume_reply(message, now)) {
    drop(DropReason::kHandshakeRejected);
  }
}

void ControlPlane::authenticated_received(Peer& peer, Clock::time_point now) {
  peer.timers.any_authenticated_packet_received(now);
  peer.timers.any_authenticated_packet_traversal(now);
}

void ControlPlane::set_endpoint(std::uint32_t peer_id, const config::Endpoint& endpoint,
                                ControlOutput& out) {
  Peer& peer = *peers_[peer_id];
  if (peer.endpoint && same_endpoint(*peer.endpoint, endpoint)) return;
  peer.endpoint = endpoint;
  out.endpoints.emplace_back(peer_id, endpoint);
}

void ControlPlane::install_session(std::uint32_t peer_id, Clock::time_point now,
                                   ControlOutput& out) {
  Peer& peer = *peers_[peer_id];
  auto keys = crypto::derive_session(peer.handshake);
  if (!keys) return;
  record_test_session_keys(*keys);  // tests only (nothing in Release builds)
  // The handshake index lives on as the keypair's index; the oldest beyond three is free.
  peer.keypair_indices.push_back(keys->local_index);
  peer.handshake_index = 0;
  while (peer.keypair_indices.size() > kLiveKeypairsPerPeer) {
    free_index(peer.keypair_indices.front());
    peer.keypair_indices.pop_front();
  }
  KeypairInstall install;
  install.peer = peer_id;
  install.keypair.send_key = keys->send_key;
  install.keypair.receive_key = keys->receive_key;
  install.keypair.local_index = keys->local_index;
  install.keypair.remote_index = keys->remote_index;
  install.keypair.initiator = keys->initiator;
  install.keypair.created = now;
  out.keypairs.push_back(std::move(install));
  peer.timers.session_derived(now);
  peer.last_handshake_wall = options_.wall_clock();
}

void ControlPlane::send_initiation(std::uint32_t peer_id, Clock::time_point now, bool retry,
                                   ControlOutput& out) {
  Peer& peer = *peers_[peer_id];
  if (peer.is_static || !peer.endpoint) return;
  if (!retry && !peer.timers.may_initiate(now)) return;
  free_index(peer.handshake_index);
  peer.handshake_index = allocate_index(peer_id);
  crypto::InitiationMessage initiation;
  if (!crypto::create_initiation(peer.handshake, peer.handshake_index,
                                 crypto::to_tai64n(options_.wall_clock()), initiation)) {
    free_index(peer.handshake_index);
    peer.handshake_index = 0;
    return;
  }
  peer.cookies.add_macs(initiation, now);
  out.datagrams.push_back(
      {*peer.endpoint, std::vector<std::uint8_t>(initiation.begin(), initiation.end())});
  counters_->packets_generated.add(1);
  counters_->packets_out.add(1);
  counters_->bytes_out.add(initiation.size());
  peer.timers.handshake_initiated(now, retry);
  peer.timers.any_authenticated_packet_sent(now);
  peer.timers.any_authenticated_packet_traversal(now);
}

ControlOutput ControlPlane::initiate(std::uint32_t peer, Clock::time_point now) {
  ControlOutput out;
  if (peer < peers_.size() && peers_[peer]) send_initiation(peer, now, false, out);
  return out;
}

ControlOutput ControlPlane::handle_activity(const PeerActivity& activity, Clock::time_point now) {
  ControlOutput out;
  for (const PeerActivityEntry& entry : activity.entries) {
    if (entry.peer >= peers_.size() || !peers_[entry.peer] || peers_[entry.peer]->is_static) {
      continue;  // unknown, removed by a reload, or static
    }
    Peer& peer = *peers_[entry.peer];
    crypto::PeerTimers& timers = peer.timers;
    // Replay the events in the order they happened: e.g. data received then a packet sent
    // leaves no keepalive pending, the other order does.
    struct Event {
      Clock::time_point at;
      int kind;
    };
    std::vector<Event> events;
    if (entry.data_sent) events.push_back({*entry.data_sent, 0});
    if (entry.data_received) events.push_back({*entry.data_received, 1});
    if (entry.authenticated_sent) events.push_back({*entry.authenticated_sent, 2});
    if (entry.authenticated_received) events.push_back({*entry.authenticated_received, 3});
    if (entry.handshake_confirmed) events.push_back({*entry.handshake_confirmed, 4});
    std::stable_sort(events.begin(), events.end(),
                     [](const Event& a, const Event& b) { return a.at < b.at; });
    for (const Event& event : events) {
      switch (event.kind) {
        case 0:
          timers.data_sent(event.at);
          timers.any_authenticated_packet_sent(event.at);
          timers.any_authenticated_packet_traversal(event.at);
          break;
        case 1:
          timers.data_received(event.at);
          authenticated_received(peer, event.at);
          break;
        case 2:
          timers.any_authenticated_packet_sent(event.at);
          timers.any_authenticated_packet_traversal(event.at);
          break;
        case 3:
          authenticated_received(peer, event.at);
          break;
        case 4:
          timers.handshake_complete(event.at);
          break;
      }
    }
    if (entry.roamed_to && !(peer.endpoint && same_endpoint(*peer.endpoint, *entry.roamed_to))) {
      peer.endpoint = entry.roamed_to;  // the data plane already uses it
    }
    if (entry.wants_handshake) send_initiation(entry.peer, now, false, out);
  }
  return out;
}

ControlOutput ControlPlane::tick(Clock::time_point now) {
  ControlOutput out;
  for (std::uint32_t id = 0; id < peers_.size(); ++id) {
    if (!peers_[id] || peers_[id]->is_static) continue;
    Peer& peer = *peers_[id];
    const auto actions = peer.timers.expire(now);
    if (actions.retransmit_initiation) send_initiation(id, now, true, out);
    if (actions.new_initiation) send_initiation(id, now, false, out);
    if (actions.send_keepalive) out.send_keepalive.push_back(id);
    if (actions.give_up_handshake) {
      out.drop_staged.push_back(id);
      free_index(peer.handshake_index);
      peer.handshake_index = 0;
      peer.handshake.clear();
    }
    if (actions.zero_key_material) {
      out.zero_keys.push_back(id);
      free_index(peer.handshake_index);
      peer.handshake_index = 0;
      peer.handshake.clear();
      for (std::uint32_t index : peer.keypair_indices) free_index(index);
      peer.keypair_indices.clear();
    }
  }
  return out;
}

std::optional<Clock::time_point> ControlPlane::next_deadline() const {
  std::optional<Clock::time_point> next;
  for (const auto& peer : peers_) {
    if (!peer) continue;
    const auto deadline = peer->timers.next_deadline();
    if (deadline && (!next || *deadline < *next)) next = deadline;
  }
  return next;
}

ControlPeerStatus ControlPlane::status(std::uint32_t peer_id) const {
  ControlPeerStatus status;
  if (peer_id >= peers_.size() || !peers_[peer_id]) return status;
  const Peer& peer = *peers_[peer_id];
  status.endpoint = peer.endpoint;
  status.last_handshake = peer.timers.last_handshake_completed();
  status.last_handshake_wall = peer.last_handshake_wall;
  status.handshake_attempts = peer.timers.handshake_attempts();
  status.handshake_in_progress = peer.handshake_index != 0;
  return status;
}

}  // namespace actorwire::actors
