// Synthetic control-socket snapshots for the stats view's tests: a pipeline (rx, lookup,
// cryptoN, tx, handshake), workers or single, and a way to advance one by a second of load.
#pragma once

#include <string>
#include <vector>

#include "apps/stats_sample.hpp"

namespace actorwire::apps::testing {

inline ActorSample actor(const std::string& name, std::uint64_t capacity = 8) {
  ActorSample sample;
  sample.name = name;
  sample.mailbox_capacity = capacity;
  return sample;
}

inline StatsSample pipeline(std::uint64_t workers = 2) {
  StatsSample sample;
  sample.name = "aw0";
  sample.topology = "pipeline";
  sample.crypto_workers = workers;
  sample.uptime_s = 10;
  sample.actors.push_back(actor("rx"));
  sample.actors.push_back(actor("lookup"));
  for (std::uint64_t i = 0; i < workers; ++i) {
    sample.actors.push_back(actor("crypto" + std::to_string(i)));
  }
  sample.actors.push_back(actor("tx"));
  sample.actors.push_back(actor("handshake"));
  return sample;
}

inline StatsSample workers(std::uint64_t count) {
  StatsSample sample;
  sample.name = "aw0";
  sample.topology = "workers-mutex";
  sample.crypto_workers = count;
  sample.uptime_s = 10;
  for (std::uint64_t i = 0; i < count; ++i) {
    sample.actors.push_back(actor("worker" + std::to_string(i)));
  }
  sample.actors.push_back(actor("handshake"));
  return sample;
}

inline StatsSample single() {
  StatsSample sample;
  sample.name = "aw0";
  sample.topology = "single";
  sample.crypto_workers = 1;
  sample.uptime_s = 10;
  sample.actors.push_back(actor("single"));
  sample.actors.push_back(actor("handshake"));
  return sample;
}

// One second later: `busy` of a second spent working by each named actor, packets moved.
struct Load {
  std::string actor;
  double busy = 0;            // share of the second
  std::uint64_t packets = 0;  // in and out
  std::uint64_t credit_stalls = 0;
  std::uint64_t backoff_events = 0;
  std::uint64_t mailbox_depth = 0;
};

inline StatsSample advanced(StatsSample sample, const std::vector<Load>& loads,
                            double seconds = 1.0) {
  sample.uptime_s += seconds;
  for (const Load& load : loads) {
    for (ActorSample& a : sample.actors) {
      if (a.name != load.actor) continue;
      a.busy_ns += static_cast<std::uint64_t>(load.busy * seconds * 1e9);
      a.packets_in += load.packets;
      a.packets_out += load.packets;
      a.bytes_in += load.packets * 100;
      a.bytes_out += load.packets * 100;
      a.credit_stalls += load.credit_stalls;
      a.backoff_events += load.backoff_events;
      a.mailbox_depth = load.mailbox_depth;
    }
  }
  return sample;
}

}  // namespace actorwire::apps::testing
