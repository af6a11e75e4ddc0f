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

PeerTable::PeerTable(const config::GatewayConfig& config, const std::string& name)
    : allowed_ips_(name, routes_of(config)) {
  peers_.reserve(config.peers.size());
  for (std::uint32_t index = 0; index < config.peers.size(); ++index) {
    const auto& peer_config = config.peers[index];
    Peer& peer = peers_.emplace_back();
    peer.id = index;
    peer.public_key = peer_config.public_key;
    peer.endpoint = peer_config.endpoint;
    peer.activity.peer = index;
    peer.counters = std::make_shared<PeerCounters>(crypto::to_base64(peer_config.public_key));
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
