// One frame of `actorwire stats` as lines of plain ASCII text: a pure function of one or two
// snapshots, so the live ncurses view and `--once` print the same layout, and tests check it.
//
//   actorwire aw0: pipeline, 2 crypto workers, 1 peer, up 1m12s            [rates per second]
//   +-----------------------+    +------ ...
//   | rx          busy   8% |--->| lookup ...        one box per data-path stage, wired as the
//   | in  1.63Mpps 1.80Gbps |    |                   topology is (actor_graph.hpp); the
//   ...                                              bottleneck's box has a "BOTTLENECK" border
//   bottleneck: crypto1 (busy 100%, upstream lookup stalls 523/s)
//   handshake (control)  in 0/s  out 0/s  ...       the actors drawn apart, a line each
//   peer  endpoint  handshake  rx/s  tx/s  keypair age now/prev      one line per peer
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "apps/actor_figures.hpp"
#include "apps/stats_sample.hpp"

namespace actorwire::apps {

struct FrameOptions {
  FigureMode mode = FigureMode::kRates;
  std::size_t width = 0;   // cut every line to this many columns (0: no limit)
  std::size_t height = 0;  // at most this many lines, the legend kept (0: no limit)
  double now_unix_s = 0;   // "now" for the peers' "12s ago"
  bool legend = false;     // the live view's key legend as the last line
};

// Where a renderer should emphasise (the bottleneck's box): line, first column, length.
struct Emphasis {
  std::size_t line = 0;
  std::size_t column = 0;
  std::size_t length = 0;
};

struct Frame {
  std::vector<std::string> lines;
  std::vector<Emphasis> emphasis;

  std::string text() const;  // the lines, each ending in '\n'
};

// Inner width of an actor's box, and the box with its border.
inline constexpr std::size_t kBoxContent = 21;
inline constexpr std::size_t kBoxWidth = kBoxContent + 4;
inline constexpr const char* kBottleneckMarker = "BOTTLENECK";
inline constexpr const char* kLegend =
    "keys: q quit   t rates <-> totals   (refreshed every second)";

// Rates compare `before` with `now` (rates show "-" without `before`, as in the live view's
// first second); totals read `now` alone. The bottleneck needs both, in either mode.
Frame render_frame(const StatsSample* before, const StatsSample& now, const FrameOptions& options);

}  // namespace actorwire::apps
