#include "apps/graceful_stop.hpp"

#include <cstdio>
#include <cstdlib>
#include <future>
#include <iostream>
#include <thread>

namespace actorwire::apps {

void stop_gateway(actors::Gateway& gateway, const LiveStats& stats, std::ostream& out,
                  std::ostream& err) {
  // A stuck actor would keep await_all_actors_done waiting for ever: a guard thread ends the
  // process once the bound has passed.
  std::promise<void> stopped;
  std::thread guard([done = stopped.get_future()] {
    if (done.wait_for(kStopBound) == std::future_status::timeout) {
      std::cerr << "actorwire: error: the gateway did not stop within "
                << std::chrono::seconds(kStopBound).count() << " s (an actor is stuck); exiting"
                << std::endl;
      std::_Exit(1);
    }
  });
  const actors::StopReport report = gateway.stop();
  stopped.set_value();
  guard.join();
  stats.print_summary(out);
  unsigned in_use = 0;
  for (const auto& pool : gateway.close_ports()) {
    in_use += pool.in_use;
    if (pool.in_use != 0) {
      err << "actorwire: warning: mempool " << pool.name << ": " << pool.in_use << " of "
          << pool.size << " mbufs still in use after stop (leaked)\n";
    }
  }
  char line[160];
  std::snprintf(line, sizeof line, "stopped in %.1f ms (drained in %.1f ms%s)\n",
                static_cast<double>(report.total.count()) / 1e3,
                static_cast<double>(report.drain.count()) / 1e3,
                report.drained ? "" : ", gave up waiting: the rest was counted as dropped");
  out << line << "mbufs in use after stop: " << in_use << std::endl;
}

}  // namespace actorwire::apps
