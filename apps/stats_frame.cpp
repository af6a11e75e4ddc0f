#include "apps/stats_frame.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "apps/actor_graph.hpp"
#include "apps/bottleneck.hpp"
#include "apps/stats_format.hpp"

namespace actorwire::apps {
namespace {

constexpr std::size_t kColumnGap = 4;  // "-+->" between wired columns
constexpr std::size_t kMailboxBar = 6;
constexpr std::size_t kReasonLines = 2;

// A grid of characters that grows as text is put on it.
class Canvas {
 public:
  void put(std::size_t row, std::size_t column, std::string_view text) {
    if (rows_.size() <= row) rows_.resize(row + 1);
    std::string& line = rows_[row];
    if (line.size() < column + text.size()) line.resize(column + text.size(), ' ');
    line.replace(column, text.size(), text);
  }
  std::vector<std::string>& rows() { return rows_; }

 private:
  std::vector<std::string> rows_;
};

std::string percent(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%3.0f%%", 100.0 * share);
  return text;
}

struct Units {
  FigureMode mode;
  std::string packets(double value) const {
    return compact_number(value) + (mode == FigureMode::kRates ? "pps" : "pk");
  }
  // Rates in bits per second (as links are rated), totals in bytes (as `wg show` counts).
  std::string volume(double bytes) const {
    return mode == FigureMode::kRates ? compact_number(8 * bytes) + "bps"
                                      : compact_number(bytes) + "B";
  }
  std::string bytes(double value) const {
    return compact_number(value) + (mode == FigureMode::kRates ? "B/s" : "B");
  }
  std::string count(double value) const {
    return compact_number(value) + (mode == FigureMode::kRates ? "/s" : "");
  }
};

// "mbox [##--..] 2/6/8": '#' batches waiting now, '-' up to the high-water mark, '.' free.
std::string mailbox_line(const ActorSample& actor) {
  const std::uint64_t capacity = actor.mailbox_capacity;
  std::string bar(kMailboxBar, '.');
  if (capacity > 0) {
    const auto cells = [&](std::uint64_t value) {
      const std::uint64_t clamped = std::min(value, capacity);
      std::size_t n = (clamped * kMailboxBar + capacity / 2) / capacity;
      if (value > 0 && n == 0) n = 1;  // something waits: never an empty bar
      return n;
    };
    const std::size_t high = cells(actor.mailbox_high_water);
    const std::size_t depth = cells(actor.mailbox_depth);
    for (std::size_t i = 0; i < high; ++i) bar[i] = '-';
    for (std::size_t i = 0; i < depth; ++i) bar[i] = '#';
  }
  return "mbox [" + bar + "] " + std::to_string(actor.mailbox_depth) + "/" +
         std::to_string(actor.mailbox_high_water) + "/" + std::to_string(capacity);
}

// The lines inside an actor's box (each at most kBoxContent characters).
std::vector<std::string> box_lines(const ActorSample& actor,
                                   const std::optional<ActorFigures>& figures, FigureMode mode) {
  const Units units{mode};
  const std::string busy = figures ? "busy " + percent(figures->busy_share) : "busy    -";
  std::vector<std::string> lines;
  lines.push_back(fit(printable(actor.name), kBoxContent - busy.size() - 1) + " " + busy);
  const auto pair = [&](const char* label, double packets, double bytes) {
    if (!figures) return std::string(label) + "-";
    // Stages that do not count bytes (a crypto worker's input) show packets alone.
    const std::string volume = bytes > 0 || packets == 0 ? units.volume(bytes) : "";
    return std::string(label) + fit(units.packets(packets), 8) + " " + volume;
  };
  lines.push_back(pair("in  ", figures ? figures->packets_in : 0, figures ? figures->bytes_in : 0));
  lines.push_back(
      pair("out ", figures ? figures->packets_out : 0, figures ? figures->bytes_out : 0));
  lines.push_back(mailbox_line(actor));
  if (!figures) {
    lines.insert(lines.end(), {"stalls -", "backoff -", "drops -"});
    return lines;
  }
  lines.push_back("stalls " + units.count(figures->credit_stalls));
  char backoff_time[32];
  if (mode == FigureMode::kRates) {
    std::snprintf(backoff_time, sizeof backoff_time, "%.0f%%", 100.0 * figures->backoff_share);
  } else {
    std::snprintf(backoff_time, sizeof backoff_time, "%.1fs",
                  static_cast<double>(actor.backoff_ns) / 1e9);
  }
  lines.push_back("backoff " + units.count(figures->backoff_events) + " " + backoff_time);
  lines.push_back("drops " + units.count(figures->drops_total));
  const std::size_t reasons = figures->drops.size();
  for (std::size_t i = 0; i < std::min(reasons, kReasonLines); ++i) {
    if (i + 1 == kReasonLines && reasons > kReasonLines) {
      lines.push_back(" +" + std::to_string(reasons - i) + " more (--json)");
      break;
    }
    const auto& [reason, value] = figures->drops[i];
    lines.push_back(" " + printable(reason) + " " + units.count(value));
  }
  return lines;
}

// Where a box's name row is: the row its arrows leave and enter by.
struct Drawn {
  std::size_t row = 0;
  std::size_t column = 0;
};

// Draws the graph's boxes on `canvas` from `top`; returns the rows it took.
std::size_t draw_graph(Canvas& canvas, std::size_t top, const StatsSample& now,
                       const StatsSample* before, const ActorGraph& graph,
                       const Bottleneck& bottleneck, double wall_s, FigureMode mode,
                       std::vector<Emphasis>& emphasis) {
  if (graph.columns.empty()) return 0;
  // Every box as tall as the tallest, so stacked workers line up.
  std::vector<std::vector<std::string>> contents(now.actors.size());
  std::size_t content_height = 0;
  for (const auto& column : graph.columns) {
    for (const std::size_t index : column) {
      const ActorSample& actor = now.actors[index];
      const ActorSample* earlier = before != nullptr ? before->actor(actor.name) : nullptr;
      contents[index] = box_lines(actor, actor_figures(earlier, actor, wall_s, mode), mode);
      content_height = std::max(content_height, contents[index].size());
    }
  }
  const std::size_t box_height = content_height + 2;
  const std::string plain_border = "+" + std::string(kBoxWidth - 2, '-') + "+";
  std::string marked_border = "+== " + std::string(kBottleneckMarker) + " ";
  marked_border += std::string(kBoxWidth - 1 - marked_border.size(), '=') + "+";
  const std::string marked_bottom = "+" + std::string(kBoxWidth - 2, '=') + "+";
  std::vector<std::vector<Drawn>> drawn(graph.columns.size());
  std::size_t rows = 0;
  for (std::size_t c = 0; c < graph.columns.size(); ++c) {
    const std::size_t x = c * (kBoxWidth + kColumnGap);
    for (std::size_t k = 0; k < graph.columns[c].size(); ++k) {
      const std::size_t index = graph.columns[c][k];
      const std::size_t y = top + k * box_height;
      const bool marked = std::find(bottleneck.stages.begin(), bottleneck.stages.end(),
                                    now.actors[index].name) != bottleneck.stages.end();
      const std::string& border = marked ? marked_border : plain_border;
      canvas.put(y, x, border);
      for (std::size_t line = 0; line < content_height; ++line) {
        const std::string& text = line < contents[index].size() ? contents[index][line] : "";
        canvas.put(y + 1 + line, x, "| " + fit(text, kBoxContent) + " |");
      }
      canvas.put(y + box_height - 1, x, marked ? marked_bottom : plain_border);
      if (marked) {
        emphasis.push_back({y, x, kBoxWidth});
        emphasis.push_back({y + 1, x, kBoxWidth});
      }
      drawn[c].push_back({y + 1, x});
      rows = std::max(rows, (k + 1) * box_height);
    }
  }
  if (graph.wired) {
    // Between columns: "-" leaving each box's name row, a '|' bus, "->" into each next box.
    for (std::size_t c = 0; c + 1 < graph.columns.size(); ++c) {
      const std::size_t gap = c * (kBoxWidth + kColumnGap) + kBoxWidth;
      std::size_t first = drawn[c].front().row;
      std::size_t last = first;
      for (const auto* side : {&drawn[c], &drawn[c + 1]}) {
        for (const Drawn& box : *side) {
          first = std::min(first, box.row);
          last = std::max(last, box.row);
        }
      }
      for (std::size_t row = first; row <= last; ++row) canvas.put(row, gap + 1, "|");
      const char* joint = first == last ? "-" : "+";
      for (const Drawn& box : drawn[c]) canvas.put(box.row, gap, std::string("-") + joint);
      for (const Drawn& box : drawn[c + 1]) canvas.put(box.row, gap + 1, std::string(joint) + "->");
    }
  }
  return rows;
}

std::string apart_line(const ActorSample& actor, const std::optional<ActorFigures>& figures,
                       FigureMode mode) {
  const Units units{mode};
  std::string line = "  " + printable(actor.name) + (actor.name == "handshake" ? " (control)" : "");
  line = fit(line, 22);
  if (!figures) return line + "  -   " + mailbox_line(actor);
  line += " in " + units.packets(figures->packets_in) + "  out " +
          units.packets(figures->packets_out) + "  drops " + units.count(figures->drops_total) +
          "  " + mailbox_line(actor) + "  busy " + percent(figures->busy_share);
  return line;
}

std::string optional_age(const std::optional<double>& seconds) {
  return seconds ? age_text(*seconds) : "-";
}

void peer_table(std::vector<std::string>& lines, const StatsSample& now, const StatsSample* before,
                double wall_s, const FrameOptions& options) {
  const Units units{options.mode};
  const bool rates = options.mode == FigureMode::kRates;
  char line[256];
  std::snprintf(line, sizeof line, "  %-14s %-26s %-10s %9s %9s  %s", "peer", "endpoint",
                "handshake", rates ? "rx/s" : "rx", rates ? "tx/s" : "tx", "keypair age now/prev");
  lines.emplace_back(line);
  if (now.peers.empty()) lines.emplace_back("  (no peers)");
  for (const PeerSample& peer : now.peers) {
    const PeerSample* earlier = before != nullptr ? before->peer(peer.public_key) : nullptr;
    const auto figures = peer_figures(earlier, peer, wall_s, options.mode);
    std::string handshake = "-";
    if (peer.last_handshake_unix_s) {
      handshake = *peer.last_handshake_unix_s > 0
                      ? age_text(options.now_unix_s - *peer.last_handshake_unix_s) + " ago"
                      : "never";
    }
    const std::string ages = optional_age(peer.current_keypair_age_s) + " / " +
                             optional_age(peer.previous_keypair_age_s);
    std::snprintf(line, sizeof line, "  %-14s %-26s %-10s %9s %9s  %s",
                  shortened(printable(peer.public_key), 14).c_str(),
                  shortened(printable(peer.endpoint.value_or("-")), 26).c_str(), handshake.c_str(),
                  figures ? units.bytes(figures->rx_bytes).c_str() : "-",
                  figures ? units.bytes(figures->tx_bytes).c_str() : "-", ages.c_str());
    lines.emplace_back(line);
  }
}

std::string header(const StatsSample& now, FigureMode mode) {
  std::string text = "actorwire " + printable(now.name) + ": " + printable(now.topology);
  if (now.topology != "single" && now.crypto_workers > 0) {
    text += ", " + std::to_string(now.crypto_workers) +
            (now.topology == "pipeline" ? " crypto worker" : " worker") +
            (now.crypto_workers == 1 ? "" : "s");
  }
  text += ", " + std::to_string(now.peers.size()) + (now.peers.size() == 1 ? " peer" : " peers") +
          ", up " + age_text(now.uptime_s);
  return fit(text, 78) + (mode == FigureMode::kRates ? " [rates per second]" : " [totals]");
}

}  // namespace

std::string Frame::text() const {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

Frame render_frame(const StatsSample* before, const StatsSample& now, const FrameOptions& options) {
  Frame frame;
  const double interval_s = before != nullptr ? wall_seconds(*before, now) : 0.0;
  const double wall_s = options.mode == FigureMode::kRates ? interval_s : now.uptime_s;
  const ActorGraph graph = layout_actor_graph(now);
  const Bottleneck bottleneck = before != nullptr ? find_bottleneck(*before, now) : Bottleneck{};

  std::vector<std::string>& lines = frame.lines;
  lines.push_back(header(now, options.mode));
  lines.emplace_back();
  Canvas canvas;
  const std::size_t rows =
      draw_graph(canvas, 0, now, before, graph, bottleneck, wall_s, options.mode, frame.emphasis);
  for (Emphasis& emphasis : frame.emphasis) emphasis.line += lines.size();
  for (std::size_t row = 0; row < rows; ++row) {
    lines.push_back(row < canvas.rows().size() ? canvas.rows()[row] : "");
  }
  if (!graph.columns.empty()) {
    if (before == nullptr || !(interval_s > 0)) {
      lines.emplace_back("bottleneck: (needs two snapshots)");
    } else if (bottleneck.stages.empty()) {
      lines.emplace_back("bottleneck: none (no stage near 100% busy with its upstream stalling)");
    } else {
      std::string names;
      for (const std::string& stage : bottleneck.stages)
        names += (names.empty() ? "" : ", ") + stage;
      lines.push_back("bottleneck: " + printable(names) + " (" + bottleneck.why + ")");
    }
  }
  for (const std::size_t index : graph.apart) {
    const ActorSample& actor = now.actors[index];
    const ActorSample* earlier = before != nullptr ? before->actor(actor.name) : nullptr;
    lines.push_back(
        apart_line(actor, actor_figures(earlier, actor, wall_s, options.mode), options.mode));
  }
  lines.emplace_back();
  const double peer_wall_s = options.mode == FigureMode::kRates ? interval_s : 0.0;
  peer_table(lines, now, before, peer_wall_s, options);

  if (options.legend) {
    lines.emplace_back();
    lines.emplace_back(kLegend);
  }
  if (options.height > 0 && lines.size() > options.height) {
    const std::string last = lines.back();
    lines.resize(options.height);
    if (options.legend) {
      lines.back() = last;
      std::erase_if(frame.emphasis,
                    [&](const Emphasis& emphasis) { return emphasis.line + 1 >= lines.size(); });
    }
  }
  if (options.width > 0) {
    for (std::string& line : lines) {
      if (line.size() > options.width) line.resize(options.width);
    }
  }
  std::erase_if(frame.emphasis, [&](const Emphasis& emphasis) {
    return emphasis.line >= lines.size() || emphasis.column >= lines[emphasis.line].size();
  });
  for (Emphasis& emphasis : frame.emphasis) {
    emphasis.length = std::min(emphasis.length, lines[emphasis.line].size() - emphasis.column);
  }
  return frame;
}

}  // namespace actorwire::apps
