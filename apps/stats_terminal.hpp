// The live, top-like `actorwire stats` on a terminal (ncurses): one request to the control
// socket per second, the frame of stats_frame.hpp drawn from the last two snapshots, `q` quits
// and `t` switches between rates and totals. ASCII only, so it reads on any terminal; a small
// one shows what fits.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/actor_figures.hpp"

namespace actorwire::apps {

// One snapshot from the daemon, or null with `error` set.
using SnapshotSource = std::function<nlohmann::json(std::string& error)>;

// Runs until `q`, SIGINT or SIGTERM (0), or until the daemon stops answering (1, with one line
// on `err` after the screen is restored). `first` is the snapshot already read.
int run_live_view(const SnapshotSource& source, const nlohmann::json& first, FigureMode mode,
                  const std::string& name, std::ostream& err);

}  // namespace actorwire::apps
