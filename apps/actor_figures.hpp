// What the stats view shows of one actor or peer: per second between two snapshots (rates) or
// since the daemon started (totals). Shares (busy, back-off) are of wall time either way.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "apps/stats_sample.hpp"

namespace actorwire::apps {

enum class FigureMode { kRates, kTotals };

struct ActorFigures {
  double packets_in = 0;
  double bytes_in = 0;
  double packets_out = 0;
  double bytes_out = 0;
  double drops_total = 0;
  // Every reason with a non-zero total, in the daemon's order (its rate may be 0).
  std::vector<std::pair<std::string, double>> drops;
  double credit_stalls = 0;
  double backoff_events = 0;
  double backoff_share = 0;  // 0..1 of wall time spent backing off
  double busy_share = 0;     // 0..1 of wall time spent working (a core's share)
};

struct PeerFigures {
  double rx_bytes = 0;
  double tx_bytes = 0;
};

// Wall seconds between two snapshots by the daemon's clock (0 when none passed, or the daemon
// restarted in between).
double wall_seconds(const StatsSample& before, const StatsSample& now);

// Rates: `before` is the same actor in the earlier snapshot (null when it was not there:
// nothing to show yet) and `wall_s` the seconds between them. Totals: `before` is unused and
// `wall_s` is the uptime. Nullopt when there is nothing to divide by. A counter that went
// backwards (a restarted daemon) counts as 0.
std::optional<ActorFigures> actor_figures(const ActorSample* before, const ActorSample& now,
                                          double wall_s, FigureMode mode);
std::optional<PeerFigures> peer_figures(const PeerSample* before, const PeerSample& now,
                                        double wall_s, FigureMode mode);

}  // namespace actorwire::apps
