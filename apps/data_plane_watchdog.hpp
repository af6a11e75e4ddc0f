// systemd's watchdog for `actorwire run`: every half WATCHDOG_USEC the daemon's main loop calls
// check(), which sends WATCHDOG=1 only while the data plane makes progress (the rule is
// DataPlaneLiveness). A stuck stage stops the pings and gets one error line naming it; systemd
// then kills the process and, with Restart=on-failure, starts it again.
#pragma once

#include <chrono>

#include "actors/gateway.hpp"
#include "apps/data_plane_liveness.hpp"
#include "apps/log.hpp"
#include "apps/systemd_notify.hpp"

namespace actorwire::apps {

class DataPlaneWatchdog {
 public:
  DataPlaneWatchdog(const actors::Gateway& gateway, SystemdNotify& systemd, Log& log);

  // Whether systemd expects pings; how often check() must run (half of WATCHDOG_USEC, as
  // sd_watchdog_enabled(3) recommends).
  bool enabled() const { return period_.count() > 0; }
  std::chrono::microseconds period() const { return period_; }

  // Samples every actor's heartbeat; WATCHDOG=1 when none is stuck. The first call only takes
  // the baseline (and pings).
  void check();
  // Whether the last check found a stage stuck (its STATUS= line then stays up).
  bool stuck() const { return stuck_; }

 private:
  const actors::Gateway& gateway_;
  SystemdNotify& systemd_;
  Log& log_;
  std::chrono::microseconds period_;
  DataPlaneLiveness liveness_;
  bool stuck_ = false;  // logged once per stuck spell, not every check
};

}  // namespace actorwire::apps
