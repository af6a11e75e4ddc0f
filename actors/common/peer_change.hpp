// A change of the running gateway's peer set, as every owner of peer state applies it: the
// control actor (handshake state, static keys, timers) and each data-plane owner of a PeerTable.
// Peers are named by their id, the index the gateway gave them when they were added; ids are
// never reused nor shifted, so a message about a removed peer that is still on its way finds a
// tombstone, never another peer. Each owner applies the whole change at once, between two
// batches. Built by Gateway::change_peers from a config::PeerDiff; shared read-only by all
// owners (the keys in it wipe themselves when the last owner lets go).
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <vector>

#include "config/gateway_config.hpp"

namespace actorwire::actors {

struct PeerCounters;

struct PeerChange {
  struct Upsert {
    std::uint32_t id = 0;
    config::PeerConfig config;
    // Added peers: the counters the gateway already lists (stats show the peer at once).
    std::shared_ptr<PeerCounters> counters;
  };
  std::vector<std::uint32_t> removed;
  std::vector<Upsert> added;    // ids above every id in use before
  std::vector<Upsert> changed;  // allowed_ips, endpoint, preshared key, keepalive

  // The owner that applied it calls applied() once; the gateway waits for that (change_peers
  // returns once the new peer set is in force). `routes_ok` false: the allowed-IPs table could
  // not be rebuilt.
  struct Done {
    std::promise<bool> applied;
  };
  std::shared_ptr<Done> done = std::make_shared<Done>();
  void applied(bool routes_ok = true) const { done->applied.set_value(routes_ok); }
};

}  // namespace actorwire::actors
