// Where the stats view draws each actor of a snapshot: the data path as columns in the order
// packets cross them, the rest apart. The actor names are the topologies' StageCounters names
// (actors/topologies/*.cpp):
//   pipeline          rx -> lookup -> crypto0..cryptoN-1 (stacked in one column) -> tx
//   workers-*         worker0 .. workerN-1 side by side, not wired to each other
//   single            single
// The handshake actor (the control plane) and any name the layout does not know go apart.
#pragma once

#include <cstddef>
#include <vector>

#include "apps/stats_sample.hpp"

namespace actorwire::apps {

struct ActorGraph {
  // Indices into StatsSample::actors; each column's actors stacked top to bottom.
  std::vector<std::vector<std::size_t>> columns;
  bool wired = false;  // column i feeds column i + 1 (pipeline); else side by side
  std::vector<std::size_t> apart;

  // The column holding actor `index`, or -1 when it is apart.
  int column_of(std::size_t index) const;
};

ActorGraph layout_actor_graph(const StatsSample& sample);

}  // namespace actorwire::apps
