#include "actors/dataplane/peer_table.hpp"

#include <rte_prefetch.h>

#include <array>

namespace actorwire::actors {

namespace {
std::vector<io::AllowedIps::Route> routes_of(const config::GatewayConfig& config) {
  std::vector<io::AllowedIps::Route> routes;
  for (std::uint32_t index = 0; index < config.peers.size(); ++index) {
    for (const auto& prefix : config.peers[index].allowed_ips) routes.push_back({prefix, index});
  }
  return routes;
}
}  // namespace

PeerTable::PeerTable(const config::GatewayConfig& config, const std::string& name)
    : name_(name), allowed_ips_(std::make_unique<io::AllowedIps>(name, routes_of(config))) {
  peers_.reserve(config.peers.size());
  for (std::uint32_t index = 0; index < config.peers.size(); ++index) {
    add_peer(index, config.peers[index], nullptr);
  }
}

void PeerTable::add_peer(std::uint32_t id, const config::PeerConfig& peer_config,
                         std::shared_ptr<PeerCounters> counters) {
  Peer& peer = peers_.emplace_back();
  routes_of_peer_.push_back(peer_config.allowed_ips);
  peer.id = id;
  peer.public_key = peer_config.public_key;
  peer.endpoint = peer_config.endpoint;
  peer.activity.peer = id;
  peer.counters = counters
                      ? std::move(counters)
                      : std::make_shared<PeerCounters>(crypto::to_base64(peer_config.public_key));
  peer.counters->status.publish_endpoint(peer.endpoint);
  if (peer_config.static_session) {
    // Benchmark mode: fixed keys, used at once for both directions, never renewed.
    auto keypair = std::make_unique<Keypair>();
    keypair->send_key = peer_config.static_session->send_key;
    keypair->receive_key = peer_config.static_session->receive_key;
    keypair->local_index = peer_config.static_session->receive_index;
    keypair->remote_index = peer_config.static_session->send_index;
    keypair->initiator = true;
    keypair->expires = false;
    // It never expires, so `created` decides nothing; its age counts from the start.
    keypair->created = Clock::now();
    install(peer, std::move(keypair));
  }
}

bool PeerTable::apply(const PeerChange& change, std::vector<rte_mbuf*>& orphaned) {
  std::vector<io::AllowedIps::Route> removed_routes;
  std::vector<io::AllowedIps::Route> added_routes;
  for (std::uint32_t id : change.removed) {
    Peer* peer = live_peer(id);
    if (peer == nullptr) continue;
    for (const auto& prefix : routes_of_peer_[id]) removed_routes.push_back({prefix, id});
    routes_of_peer_[id].clear();
    clear_sessions(*peer);  // keypairs destroyed: their keys wipe themselves
    for (rte_mbuf* mbuf : peer->staged) orphaned.push_back(mbuf);
    peer->staged.clear();
    peer->endpoint.reset();
    peer->counters->status.publish_endpoint(std::nullopt);
    peer->removed = true;
  }
  for (const auto& update : change.changed) {
    Peer* peer = live_peer(update.id);
    if (peer == nullptr) continue;
    for (const auto& prefix : routes_of_peer_[update.id]) {
      removed_routes.push_back({prefix, update.id});
    }
    routes_of_peer_[update.id] = update.config.allowed_ips;
    for (const auto& prefix : update.config.allowed_ips)
      added_routes.push_back({prefix, update.id});
    // A file without an endpoint keeps the one the peer roamed to (as `wg syncconf`).
    if (update.config.endpoint) set_endpoint(*peer, *update.config.endpoint);
  }
  for (const auto& addition : change.added) {
    if (addition.id != peers_.size()) continue;  // ids come in order, never reused
    add_peer(addition.id, addition.config, addition.counters);
    for (const auto& prefix : addition.config.allowed_ips) {
      added_routes.push_back({prefix, addition.id});
    }
  }
  if (removed_routes.empty() && added_routes.empty()) return true;
  return allowed_ips_->update(removed_routes, added_routes) || rebuild_allowed_ips();
}

bool PeerTable::rebuild_allowed_ips() {
  std::vector<io::AllowedIps::Route> routes;
  for (std::uint32_t id = 0; id < routes_of_peer_.size(); ++id) {
    for (const auto& prefix : routes_of_peer_[id]) routes.push_back({prefix, id});
  }
  // The old table goes first: both at once could need twice the DPDK memory.
  allowed_ips_.reset();
  allowed_ips_ =
      std::make_unique<io::AllowedIps>(name_ + "r" + std::to_string(++generation_), routes);
  return allowed_ips_->valid();
}

void PeerTable::prefetch_peers(std::span<const std::uint32_t> indices) {
  constexpr std::size_t kLine = 64;
  for (const std::uint32_t index : indices) {
    if (index >= peers_.size()) continue;  // no peer (or not looked up)
    const auto* bytes = reinterpret_cast<const char*>(&peers_[index]);
    for (std::size_t offset = 0; offset < sizeof(Peer); offset += kLine) {
      rte_prefetch0(bytes + offset);
    }
  }
  // The Peers are on their way; what they point to goes next (send key, index and counter are
  // the first two lines of a Keypair).
  for (const std::uint32_t index : indices) {
    if (index >= peers_.size()) continue;
    Peer& peer = peers_[index];
    if (const Keypair* keypair = peer.sessions.current()) {
      rte_prefetch0(keypair);
      rte_prefetch0(reinterpret_cast<const char*>(keypair) + kLine);
    }
    rte_prefetch0(peer.counters.get());
  }
}

PeerTable::IndexMatch PeerTable::find_by_index(std::uint32_t local_index) {
  const auto found = peer_by_index_.find(local_index);
  if (found == peer_by_index_.end()) return {};
  Peer& peer = peers_[found->second];
  return {&peer, peer.sessions.find(local_index)};
}

void PeerTable::install(Peer& peer, std::unique_ptr<Keypair> keypair) {
  const std::uint32_t index = keypair->local_index;
  retired_.clear();
  peer.sessions.install(std::move(keypair), retired_);
  forget(retired_);
  peer_by_index_[index] = peer.id;
  publish_keypairs(peer);
}

bool PeerTable::received_with(Peer& peer, const Keypair* keypair) {
  retired_.clear();
  const bool promoted = peer.sessions.received_with(keypair, retired_);
  if (!promoted) return false;  // the per-packet case: nothing moved
  forget(retired_);
  publish_keypairs(peer);
  return true;
}

void PeerTable::clear_sessions(Peer& peer) {
  retired_.clear();
  peer.sessions.clear(retired_);
  forget(retired_);
  publish_keypairs(peer);
}

void PeerTable::set_endpoint(Peer& peer, const config::Endpoint& endpoint) {
  peer.endpoint = endpoint;
  peer.counters->status.publish_endpoint(endpoint);
}

void PeerTable::publish_keypairs(Peer& peer) {
  auto created = [](const Keypair* keypair) -> std::optional<Clock::time_point> {
    if (keypair == nullptr) return std::nullopt;
    return keypair->created;
  };
  peer.counters->status.publish_keypairs(created(peer.sessions.current()),
                                         created(peer.sessions.previous()));
}

void PeerTable::forget(const std::vector<std::uint32_t>& retired) {
  for (std::uint32_t index : retired) peer_by_index_.erase(index);
}

}  // namespace actorwire::actors
