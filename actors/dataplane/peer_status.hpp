// What `wg show` lists for a peer besides its traffic: endpoint, latest handshake, and the age of
// the current and previous keypairs. The data plane owns that state (dataplane/peer_table.hpp)
// and publishes it here when it changes (a handshake completes, keys rotate, the endpoint roams:
// rare events, never per packet), so that stats readers on other threads (control socket,
// /metrics) can read it without messaging an actor or taking a lock the data path takes.
//
// Times are relaxed atomics (a reader may see a handshake time from one event and a keypair age
// from the next: each field is right, they are not a transaction). The endpoint is larger than an
// atomic, so it sits behind a mutex that only the rare writer and the readers take.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "actors/common/clock.hpp"
#include "config/gateway_config.hpp"

namespace actorwire::actors {

class PeerStatus {
 public:
  struct Snapshot {
    std::optional<config::Endpoint> endpoint;
    std::optional<Clock::time_point> last_handshake;
    std::optional<Clock::time_point> current_keypair_created;
    std::optional<Clock::time_point> previous_keypair_created;
  };

  // Writer side: the data plane, whoever holds the peer table (one at a time).
  void publish_endpoint(const std::optional<config::Endpoint>& endpoint);
  void publish_handshake(Clock::time_point completed);
  void publish_keypairs(std::optional<Clock::time_point> current_created,
                        std::optional<Clock::time_point> previous_created);

  // Reader side: any thread.
  Snapshot read() const;

 private:
  static constexpr std::int64_t kNone = INT64_MIN;
  static std::int64_t encode(std::optional<Clock::time_point> time);
  static std::optional<Clock::time_point> decode(std::int64_t ticks);

  std::atomic<std::int64_t> last_handshake_{kNone};
  std::atomic<std::int64_t> current_created_{kNone};
  std::atomic<std::int64_t> previous_created_{kNone};
  mutable std::mutex endpoint_mutex_;
  std::optional<config::Endpoint> endpoint_;
};

// `time` (the data plane's steady clock) as seconds since the Unix epoch, through the distance
// between the two clocks now, the way `wg show` reports its latest handshake.
double to_unix_seconds(Clock::time_point time, Clock::time_point now,
                       std::chrono::system_clock::time_point wall_now);

}  // namespace actorwire::actors
