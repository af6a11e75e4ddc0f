// The live line `actorwire run` prints each second and the summary at the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>

#include "actors/gateway.hpp"

namespace actorwire::apps {

class LiveStats {
 public:
  explicit LiveStats(const actors::Gateway& gateway);
  // Prints one line with rates since the previous call.
  void print_line(std::ostream& out);
  // One compact line per actor since the previous call: packet rate, mailbox depth / high-water
  // / capacity (batches), new credit stalls and rx back-offs, busy share.
  void print_actors(std::ostream& out);
  void print_summary(std::ostream& out) const;

 private:
  struct Totals {
    std::uint64_t in = 0, out = 0, out_bytes = 0, drops = 0, offered_drops = 0;
  };
  Totals read() const;

  const actors::Gateway& gateway_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_time_;
  Totals last_{};
  struct ActorSample {
    std::uint64_t packets_out = 0, busy_ns = 0, stalls = 0, backoffs = 0, backoff_ns = 0;
  };
  std::map<std::string, ActorSample> last_actors_;
  std::chrono::steady_clock::time_point last_actors_time_;
};

}  // namespace actorwire::apps
