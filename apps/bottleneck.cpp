#include "apps/bottleneck.hpp"

#include <cstdio>

#include "apps/actor_figures.hpp"
#include "apps/actor_graph.hpp"

namespace actorwire::apps {
namespace {

struct Evidence {
  bool pressed = false;
  std::string what;
};

bool stalled(const ActorFigures& figures) {
  return figures.credit_stalls > 0 || figures.backoff_events > 0;
}

std::string percent(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", 100.0 * share);
  return text;
}

std::string per_second(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f/s", value);
  return text;
}

}  // namespace

Bottleneck find_bottleneck(const StatsSample& before, const StatsSample& now) {
  Bottleneck result;
  const double wall_s = wall_seconds(before, now);
  if (!(wall_s > 0)) return result;
  const ActorGraph graph = layout_actor_graph(now);
  const auto figures_of = [&](std::size_t index) {
    const ActorSample& actor = now.actors[index];
    return actor_figures(before.actor(actor.name), actor, wall_s, FigureMode::kRates);
  };
  for (std::size_t c = graph.columns.size(); c-- > 0;) {
    std::string first_why;
    for (const std::size_t index : graph.columns[c]) {
      const ActorSample& actor = now.actors[index];
      const auto figures = figures_of(index);
      if (!figures || figures->busy_share < kSaturatedBusy) continue;
      Evidence evidence;
      if (actor.mailbox_capacity > 0 && actor.mailbox_depth >= actor.mailbox_capacity) {
        evidence = {true, "its mailbox is full"};
      } else if (graph.wired && c > 0) {
        for (const std::size_t upstream : graph.columns[c - 1]) {
          const auto up = figures_of(upstream);
          if (!up || !stalled(*up)) continue;
          evidence = {true, "upstream " + now.actors[upstream].name + " stalls " +
                                per_second(up->credit_stalls + up->backoff_events)};
          break;
        }
      } else if (!stalled(*figures)) {
        evidence = {true, "it never waits for downstream"};
      }
      if (!evidence.pressed) continue;
      result.stages.push_back(actor.name);
      if (first_why.empty())
        first_why = "busy " + percent(figures->busy_share) + ", " + evidence.what;
    }
    if (!result.stages.empty()) {
      result.why = first_why;
      return result;
    }
  }
  return result;
}

}  // namespace actorwire::apps
