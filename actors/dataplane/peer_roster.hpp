// Which id each running peer has, and the next id to give: turns a config::PeerDiff (indices
// into the old and new configs) into the PeerChange every owner of peer state applies (ids).
// Ids are never reused, so a message about a removed peer can never reach a newer one.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/common/peer_change.hpp"
#include "actors/dataplane/peer_table.hpp"
#include "config/gateway_config.hpp"
#include "config/peer_diff.hpp"

namespace actorwire::actors {

class PeerRoster {
 public:
  // The peers a gateway started with: ids 0 .. n-1, in config order, with their counters.
  PeerRoster(std::size_t peers, std::vector<std::shared_ptr<PeerCounters>> counters);

  // The change `diff` (from the running config to `next`) means. Added peers get new ids and
  // fresh counters. Call commit() once it is applied, with the same `diff` and `next`.
  std::shared_ptr<PeerChange> change_for(const config::PeerDiff& diff,
                                         const config::GatewayConfig& next) const;
  // The roster of `next`: its peers' ids and counters in its order.
  void commit(const config::PeerDiff& diff, const PeerChange& change);

  // The running peers' counters, in the running config's order.
  const std::vector<std::shared_ptr<PeerCounters>>& counters() const { return counters_; }
  const std::vector<std::uint32_t>& ids() const { return ids_; }

 private:
  std::vector<std::uint32_t> ids_;  // by index in the running config
  std::vector<std::shared_ptr<PeerCounters>> counters_;
  std::uint32_t next_id_;
};

}  // namespace actorwire::actors
