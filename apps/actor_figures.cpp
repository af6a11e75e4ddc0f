#include "apps/actor_figures.hpp"

#include <algorithm>

namespace actorwire::apps {
namespace {

// Rates: (now - before) / wall; totals: now (shares divide by the uptime in `wall_s`).
struct Figure {
  FigureMode mode;
  double wall_s;

  double operator()(std::uint64_t before, std::uint64_t now) const {
    if (mode == FigureMode::kTotals) return static_cast<double>(now);
    return now > before ? static_cast<double>(now - before) / wall_s : 0.0;
  }
  double share_of_wall(std::uint64_t before_ns, std::uint64_t now_ns) const {
    const std::uint64_t ns = mode == FigureMode::kTotals ? now_ns
                             : now_ns > before_ns        ? now_ns - before_ns
                                                         : 0;
    return std::min(1.0, static_cast<double>(ns) / (wall_s * 1e9));
  }
};

}  // namespace

double wall_seconds(const StatsSample& before, const StatsSample& now) {
  return now.uptime_s > before.uptime_s ? now.uptime_s - before.uptime_s : 0.0;
}

std::optional<ActorFigures> actor_figures(const ActorSample* before, const ActorSample& now,
                                          double wall_s, FigureMode mode) {
  if (!(wall_s > 0) || (mode == FigureMode::kRates && before == nullptr)) return std::nullopt;
  const ActorSample zero;
  const ActorSample& then = mode == FigureMode::kRates ? *before : zero;
  const Figure figure{mode, wall_s};
  ActorFigures figures;
  figures.packets_in = figure(then.packets_in, now.packets_in);
  figures.bytes_in = figure(then.bytes_in, now.bytes_in);
  figures.packets_out = figure(then.packets_out, now.packets_out);
  figures.bytes_out = figure(then.bytes_out, now.bytes_out);
  for (const auto& [reason, count] : now.drops) {
    if (count == 0) continue;
    const double value = figure(then.drops_of(reason), count);
    figures.drops.emplace_back(reason, value);
    figures.drops_total += value;
  }
  figures.credit_stalls = figure(then.credit_stalls, now.credit_stalls);
  figures.backoff_events = figure(then.backoff_events, now.backoff_events);
  figures.backoff_share = figure.share_of_wall(then.backoff_ns, now.backoff_ns);
  figures.busy_share = figure.share_of_wall(then.busy_ns, now.busy_ns);
  return figures;
}

std::optional<PeerFigures> peer_figures(const PeerSample* before, const PeerSample& now,
                                        double wall_s, FigureMode mode) {
  if (mode == FigureMode::kTotals) {
    return PeerFigures{static_cast<double>(now.rx_bytes), static_cast<double>(now.tx_bytes)};
  }
  if (!(wall_s > 0) || before == nullptr) return std::nullopt;
  const Figure figure{mode, wall_s};
  return PeerFigures{figure(before->rx_bytes, now.rx_bytes),
                     figure(before->tx_bytes, now.tx_bytes)};
}

}  // namespace actorwire::apps
