// Which stage limits the gateway, from two snapshots: the stage at ~100 % busy whose upstream
// stalls. A pure function of the snapshots, so the rule is tested on synthetic pairs.
//
// The rule, per data-path stage of the actor graph (actor_graph.hpp), over the interval:
//   saturated  busy_ns grew by >= kSaturatedBusy of the wall time (a whole core's worth);
//   pressed    something upstream waits for it: a stage of the previous column counted credit
//              stalls or back-offs, or its own mailbox is full now. A stage with no stage
//              upstream (rx, single, a worker) is pressed by its port unless it stalled itself,
//              which would put the limit downstream of it.
// Candidates are saturated and pressed. Stalls travel upstream from the real limit, so the
// most downstream column with candidates holds it: all its candidates are marked (two crypto
// workers both at 100 % are the crypto stage being the limit).
#pragma once

#include <string>
#include <vector>

#include "apps/stats_sample.hpp"

namespace actorwire::apps {

inline constexpr double kSaturatedBusy = 0.9;

struct Bottleneck {
  std::vector<std::string> stages;  // empty: no bottleneck
  std::string why;                  // one line: busy share and the upstream evidence
};

Bottleneck find_bottleneck(const StatsSample& before, const StatsSample& now);

}  // namespace actorwire::apps
