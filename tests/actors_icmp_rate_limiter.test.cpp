// The ICMP error budget: Linux's global bucket (1000/s, burst 50) and its per-destination bucket
// (1/s, burst 6), ICMPv6 packet too big exempt from the latter. Time is simulated.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "actors/dataplane/icmp_rate_limiter.hpp"

using namespace actorwire;
using actors::IcmpRateLimiter;
using namespace std::chrono_literals;

namespace {

const actors::Clock::time_point t0 = actors::Clock::time_point{} + 1000s;

config::IpAddress host_v4(std::uint32_t n) {
  return config::IpAddress::v4(0x0A000000u + n);
}

config::IpAddress host_v6(std::uint8_t n) {
  config::IpAddress address;
  address.is_v6 = true;
  address.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n};
  return address;
}

// How many of `count` errors to `destination` at `now` may go.
int allowed(IcmpRateLimiter& limiter, const config::IpAddress& destination, int count,
            actors::Clock::time_point now, bool exempt = false) {
  int sent = 0;
  for (int i = 0; i < count; ++i) sent += limiter.allow(destination, exempt, now) ? 1 : 0;
  return sent;
}

TEST(IcmpRateLimiterTest, OneDestinationGetsABurstOfSixThenOnePerSecond) {
  IcmpRateLimiter limiter;
  EXPECT_EQ(allowed(limiter, host_v4(1), 10, t0), 6);
  EXPECT_EQ(allowed(limiter, host_v4(1), 1, t0 + 999ms), 0) << "a token takes a whole second";
  EXPECT_EQ(allowed(limiter, host_v4(1), 3, t0 + 1000ms), 1);
  EXPECT_EQ(allowed(limiter, host_v4(1), 10, t0 + 60s), 6) << "the bucket holds at most 6";
}

TEST(IcmpRateLimiterTest, OneBusyDestinationDoesNotSilenceTheOthers) {
  IcmpRateLimiter limiter;
  EXPECT_EQ(allowed(limiter, host_v4(1), 100, t0), 6);
  EXPECT_EQ(allowed(limiter, host_v4(2), 1, t0), 1);
  EXPECT_EQ(allowed(limiter, host_v6(1), 1, t0), 1);
  EXPECT_EQ(allowed(limiter, host_v6(2), 10, t0), 6) << "IPv6 destinations are counted alike";
}

TEST(IcmpRateLimiterTest, TheGlobalBucketAllowsFiftyAtOnceThenOnePerMillisecond) {
  IcmpRateLimiter limiter;
  int sent = 0;
  for (std::uint32_t host = 0; host < 200; ++host) sent += allowed(limiter, host_v4(host), 1, t0);
  EXPECT_EQ(sent, IcmpRateLimiter::kBurst) << "200 destinations, one error each";
  EXPECT_EQ(allowed(limiter, host_v4(1000), 1, t0 + 999us), 0);
  EXPECT_EQ(allowed(limiter, host_v4(1001), 2, t0 + 1ms), 1);
  sent = 0;
  for (std::uint32_t host = 2000; host < 2200; ++host) {
    sent += allowed(limiter, host_v4(host), 1, t0 + 10s);
  }
  EXPECT_EQ(sent, IcmpRateLimiter::kBurst) << "refilled to the burst, not beyond";
}

TEST(IcmpRateLimiterTest, PacketTooBigSkipsThePerDestinationBucketButNotTheGlobalOne) {
  IcmpRateLimiter limiter;
  EXPECT_EQ(allowed(limiter, host_v6(7), 100, t0, /*exempt=*/true), IcmpRateLimiter::kBurst);
  // The per-destination bucket of that host was never touched, the global one is empty.
  EXPECT_EQ(allowed(limiter, host_v6(7), 10, t0 + 6ms), 6);
}

TEST(IcmpRateLimiterTest, ARefusalByTheGlobalBucketIsARefusal) {
  IcmpRateLimiter limiter;
  for (std::uint32_t host = 0; host < 200; ++host) allowed(limiter, host_v4(host), 1, t0);
  EXPECT_EQ(allowed(limiter, host_v4(5000), 1, t0), 0);
  EXPECT_EQ(allowed(limiter, host_v6(9), 1, t0, /*exempt=*/true), 0);
}

}  // namespace
