#include "apps/data_plane_watchdog.hpp"

#include <vector>

namespace actorwire::apps {

DataPlaneWatchdog::DataPlaneWatchdog(const actors::Gateway& gateway, SystemdNotify& systemd,
                                     Log& log)
    : gateway_(gateway), systemd_(systemd), log_(log), period_(systemd.watchdog_interval() / 2) {}

void DataPlaneWatchdog::check() {
  std::vector<StageSample> samples;
  for (const auto& counters : gateway_.counters()) {
    // A generator that has offered its max_packets stops polling, by design.
    if (counters.get() == gateway_.generator_counters() && gateway_.generator_finished()) continue;
    samples.push_back({counters->name, counters->polls, counters->heartbeat.get(),
                       counters->batches_queued.load(std::memory_order_relaxed)});
  }
  const std::vector<StuckStage> stuck = liveness_.check(samples);
  if (stuck.empty()) {
    if (stuck_) log_.warning("watchdog: the data plane moves again; WATCHDOG=1 resumes");
    stuck_ = false;
    systemd_.notify("WATCHDOG=1");
    log_.debug("watchdog: every stage made progress: WATCHDOG=1");
    return;
  }
  if (!stuck_) {
    const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(2 * period_);
    log_.error("watchdog: data plane stuck: " + describe(stuck) +
               "; WATCHDOG=1 withheld until it moves (systemd's watchdog fires " +
               std::to_string(usec.count() / 1000) + " ms after the last one)");
  }
  stuck_ = true;
  systemd_.notify("STATUS=data plane stuck: " + describe(stuck));
}

}  // namespace actorwire::apps
