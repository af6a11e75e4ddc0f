#include "actors/dataplane/icmp_rate_limiter.hpp"

#include <algorithm>

namespace actorwire::actors {

bool TokenBucket::allow(Clock::time_point now) {
  if (now > last_) {
    tokens_ = std::min(tokens_ + (now - last_), capacity_);
    last_ = now;
  }
  if (tokens_ < cost_) return false;
  tokens_ -= cost_;
  return true;
}

IcmpRateLimiter::IcmpRateLimiter()
    : global_(std::chrono::nanoseconds(std::chrono::seconds(1)) / kPerSecond, kBurst) {}

std::size_t IcmpRateLimiter::slot_of(const config::IpAddress& address) {
  // FNV-1a over the address bytes: cheap, and spreads neighbouring hosts over the slots.
  std::uint32_t hash = 2166136261u;
  const std::size_t length = address.is_v6 ? address.bytes.size() : 4;
  for (std::size_t i = 0; i < length; ++i) hash = (hash ^ address.bytes[i]) * 16777619u;
  return hash % kDestinationSlots;
}

bool IcmpRateLimiter::allow(const config::IpAddress& destination, bool exempt_per_destination,
                            Clock::time_point now) {
  if (!exempt_per_destination) {
    Destination& slot = destinations_[slot_of(destination)];
    if (!slot.used || !(slot.address == destination)) slot = Destination{destination, true};
    if (!slot.bucket.allow(now)) return false;
  }
  return global_.allow(now);
}

}  // namespace actorwire::actors
