#include "actors/dataplane/peer_status.hpp"

namespace actorwire::actors {

std::int64_t PeerStatus::encode(std::optional<Clock::time_point> time) {
  return time ? static_cast<std::int64_t>(time->time_since_epoch().count()) : kNone;
}

std::optional<Clock::time_point> PeerStatus::decode(std::int64_t ticks) {
  if (ticks == kNone) return std::nullopt;
  return Clock::time_point(Clock::duration(ticks));
}

void PeerStatus::publish_endpoint(const std::optional<config::Endpoint>& endpoint) {
  const std::lock_guard lock(endpoint_mutex_);
  endpoint_ = endpoint;
}

void PeerStatus::publish_handshake(Clock::time_point completed) {
  last_handshake_.store(encode(completed), std::memory_order_relaxed);
}

void PeerStatus::publish_keypairs(std::optional<Clock::time_point> current_created,
                                  std::optional<Clock::time_point> previous_created) {
  current_created_.store(encode(current_created), std::memory_order_relaxed);
  previous_created_.store(encode(previous_created), std::memory_order_relaxed);
}

PeerStatus::Snapshot PeerStatus::read() const {
  Snapshot snapshot;
  snapshot.last_handshake = decode(last_handshake_.load(std::memory_order_relaxed));
  snapshot.current_keypair_created = decode(current_created_.load(std::memory_order_relaxed));
  snapshot.previous_keypair_created = decode(previous_created_.load(std::memory_order_relaxed));
  const std::lock_guard lock(endpoint_mutex_);
  snapshot.endpoint = endpoint_;
  return snapshot;
}

double to_unix_seconds(Clock::time_point time, Clock::time_point now,
                       std::chrono::system_clock::time_point wall_now) {
  const std::chrono::duration<double> ago = now - time;
  const std::chrono::duration<double> wall = wall_now.time_since_epoch();
  return (wall - ago).count();
}

}  // namespace actorwire::actors
