// How `actorwire run` ends on SIGTERM/SIGINT (or -d): stop the gateway within a bound, print the
// final counters, how long the stop took and whether every mbuf came back.
#pragma once

#include <chrono>
#include <iosfwd>

#include "actors/gateway.hpp"
#include "apps/live_stats.hpp"

namespace actorwire::apps {

// The most a stop may take. Gateway::stop drains for at most kDrainTimeout (500 ms), and the
// actors exit within their longest idle sleep (10 ms at most); an actor that has not exited
// after 5 s is stuck, and waiting longer only delays systemd's SIGKILL (TimeoutStopSec defaults
// to 90 s). Past the bound the daemon says so and exits 1 without the summary.
inline constexpr auto kStopBound = std::chrono::seconds(5);

// Stops `gateway` (bounded by kStopBound), prints the summary, "stopped in X ms" and
// "mbufs in use after stop: N" to `out`, and a warning to `err` when N is not 0.
void stop_gateway(actors::Gateway& gateway, const LiveStats& stats, std::ostream& out,
                  std::ostream& err);

}  // namespace actorwire::apps
