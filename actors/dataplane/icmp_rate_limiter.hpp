// The ICMP error budget of one data-path actor, as Linux limits the errors a router sends:
// - a global token bucket (net.ipv4.icmp_msgs_per_sec = 1000, icmp_msgs_burst = 50), which also
//   keeps a flood of offending packets from turning into a flood of errors;
// - a token bucket per destination of the errors (net.ipv4.icmp_ratelimit = 1000 ms: one per
//   second, a burst of 6, Linux's XRLIM_BURST_FACTOR), so that one host's traffic cannot use up
//   the budget of all the others. Like Linux (icmpv6_mask_allow), an ICMPv6 "packet too big" is
//   exempt from it: IPv6 path-MTU discovery has no other way to learn.
// The per-destination buckets live in a fixed table indexed by a hash of the address; a
// destination that lands on a slot held by another one takes it over with a full bucket, so
// memory stays bounded whatever the traffic (the global bucket still bounds the total).
// Time is passed in. No CAF, no DPDK.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "actors/common/clock.hpp"
#include "config/gateway_config.hpp"

namespace actorwire::actors {

class TokenBucket {
 public:
  TokenBucket(std::chrono::nanoseconds cost, std::int64_t burst)
      : cost_(cost), capacity_(cost * burst), tokens_(capacity_) {}

  // Whether one more may go at `now`; takes a token if so.
  bool allow(Clock::time_point now);

 private:
  std::chrono::nanoseconds cost_;
  std::chrono::nanoseconds capacity_;
  std::chrono::nanoseconds tokens_;
  Clock::time_point last_{};
};

class IcmpRateLimiter {
 public:
  static constexpr std::int64_t kPerSecond = 1000;
  static constexpr std::int64_t kBurst = 50;
  static constexpr std::chrono::milliseconds kPerDestinationInterval{1000};
  static constexpr std::int64_t kPerDestinationBurst = 6;
  static constexpr std::size_t kDestinationSlots = 256;

  IcmpRateLimiter();

  // Whether an error to `destination` (the offending packet's source) may go at `now`; takes
  // the tokens if so. `exempt_per_destination` for an ICMPv6 packet too big.
  bool allow(const config::IpAddress& destination, bool exempt_per_destination,
             Clock::time_point now);

 private:
  struct Destination {
    config::IpAddress address;
    bool used = false;
    TokenBucket bucket{kPerDestinationInterval, kPerDestinationBurst};
  };
  static std::size_t slot_of(const config::IpAddress& address);

  TokenBucket global_;
  std::array<Destination, kDestinationSlots> destinations_{};
};

}  // namespace actorwire::actors
