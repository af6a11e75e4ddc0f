#include "actors/dataplane/peer_roster.hpp"

namespace actorwire::actors {

PeerRoster::PeerRoster(std::size_t peers, std::vector<std::shared_ptr<PeerCounters>> counters)
    : counters_(std::move(counters)), next_id_(static_cast<std::uint32_t>(peers)) {
  for (std::uint32_t id = 0; id < peers; ++id) ids_.push_back(id);
}

std::shared_ptr<PeerChange> PeerRoster::change_for(const config::PeerDiff& diff,
                                                   const config::GatewayConfig& next) const {
  auto change = std::make_shared<PeerChange>();
  for (std::size_t old_index : diff.removed) change->removed.push_back(ids_[old_index]);
  for (const auto& changed : diff.changed) {
    change->changed.push_back(
        {ids_[changed.old_index], next.peers[changed.new_index], counters_[changed.old_index]});
  }
  std::uint32_t id = next_id_;
  for (std::size_t new_index : diff.added) {
    const auto& peer = next.peers[new_index];
    change->added.push_back(
        {id++, peer, std::make_shared<PeerCounters>(crypto::to_base64(peer.public_key))});
  }
  return change;
}

void PeerRoster::commit(const config::PeerDiff& diff, const PeerChange& change) {
  const std::size_t peers = diff.unchanged.size() + diff.changed.size() + diff.added.size();
  std::vector<std::uint32_t> ids(peers);
  std::vector<std::shared_ptr<PeerCounters>> counters(peers);
  auto keep = [&](const config::PeerDiff::Kept& kept) {
    ids[kept.new_index] = ids_[kept.old_index];
    counters[kept.new_index] = counters_[kept.old_index];
  };
  for (const auto& kept : diff.unchanged) keep(kept);
  for (const auto& changed : diff.changed) keep(changed);
  for (std::size_t i = 0; i < diff.added.size(); ++i) {
    ids[diff.added[i]] = change.added[i].id;
    counters[diff.added[i]] = change.added[i].counters;
  }
  ids_ = std::move(ids);
  counters_ = std::move(counters);
  next_id_ += static_cast<std::uint32_t>(change.added.size());
}

}  // namespace actorwire::actors
