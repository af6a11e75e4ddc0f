// WireGuard's per-peer timers over injected time: each kernel timer rule, no sleeping.
#include <gtest/gtest.h>

#include "crypto/peer_timers.hpp"

namespace actorwire::crypto {
namespace {

using namespace std::chrono_literals;
using Clock = PeerTimers::Clock;

const Clock::time_point t0 = Clock::time_point() + 1000s;

TEST(PeerTimers, NothingArmedNothingFires) {
  PeerTimers timers;
  EXPECT_FALSE(timers.next_deadline());
  EXPECT_FALSE(timers.expire(t0 + 10000s).any());
}

TEST(PeerTimers, RetransmitsAfterRekeyTimeoutPlusJitterThenGivesUp) {
  PeerTimers timers(0s, 1);
  timers.handshake_initiated(t0, false);
  ASSERT_TRUE(timers.next_deadline());
  const auto first = *timers.next_deadline() - t0;
  EXPECT_GE(first, 5s);
  EXPECT_LE(first, 5333ms);
  EXPECT_FALSE(timers.expire(t0 + 4999ms).retransmit_initiation);
  auto now = t0;
  // 18 retries (REKEY_ATTEMPT_TIME = 90 s), then give up.
  for (unsigned attempt = 1; attempt <= wg::kMaxTimerHandshakes; ++attempt) {
    now = *timers.next_deadline();
    const auto actions = timers.expire(now);
    ASSERT_TRUE(actions.retransmit_initiation) << attempt;
    EXPECT_FALSE(actions.give_up_handshake);
    EXPECT_EQ(timers.handshake_attempts(), attempt);
    timers.handshake_initiated(now, true);
  }
  now = *timers.next_deadline();
  const auto actions = timers.expire(now);
  EXPECT_TRUE(actions.give_up_handshake);
  EXPECT_FALSE(actions.retransmit_initiation);
  // 19 initiations in all, each waiting REKEY_TIMEOUT plus up to 333 ms of jitter.
  EXPECT_GE(now - t0, 19 * 5s);
  EXPECT_LE(now - t0, 19 * 5333ms);
  // Key zeroing is armed after giving up.
  EXPECT_TRUE(timers.expire(now + wg::kKeyZeroingTime).zero_key_material);
}

TEST(PeerTimers, CompletedHandshakeCancelsRetransmission) {
  PeerTimers timers(0s, 2);
  timers.handshake_initiated(t0, false);
  timers.handshake_complete(t0 + 1s);
  EXPECT_FALSE(timers.expire(t0 + 60s).retransmit_initiation);
  EXPECT_EQ(timers.last_handshake_completed(), t0 + 1s);
}

TEST(PeerTimers, PassiveKeepaliveAfterDataReceivedWithoutReply) {
  PeerTimers timers;
  timers.data_received(t0);
  EXPECT_FALSE(timers.expire(t0 + 9s).send_keepalive);
  EXPECT_TRUE(timers.expire(t0 + 10s).send_keepalive);
  EXPECT_FALSE(timers.expire(t0 + 30s).send_keepalive) << "one keepalive per silence";
}

TEST(PeerTimers, SendingAnythingCancelsThePassiveKeepalive) {
  PeerTimers timers;
  timers.data_received(t0);
  timers.any_authenticated_packet_sent(t0 + 1s);
  EXPECT_FALSE(timers.expire(t0 + 11s).send_keepalive);
}

TEST(PeerTimers, MoreDataWhileArmedAsksForAnotherKeepalive) {
  PeerTimers timers;
  timers.data_received(t0);
  timers.data_received(t0 + 5s);  // already armed: remember to send another one
  EXPECT_TRUE(timers.expire(t0 + 10s).send_keepalive);
  EXPECT_TRUE(timers.expire(t0 + 20s).send_keepalive);
  EXPECT_FALSE(timers.expire(t0 + 40s).send_keepalive);
}

TEST(PeerTimers, NewHandshakeWhenSentDataGetsNoAnswer) {
  PeerTimers timers(0s, 3);
  timers.data_sent(t0);
  timers.data_sent(t0 + 3s);  // does not push the deadline
  EXPECT_FALSE(timers.expire(t0 + 14999ms).new_initiation);
  EXPECT_TRUE(timers.expire(t0 + 15333ms).new_initiation);
}

TEST(PeerTimers, AnAnswerCancelsTheNewHandshake) {
  PeerTimers timers;
  timers.data_sent(t0);
  timers.any_authenticated_packet_received(t0 + 2s);
  EXPECT_FALSE(timers.expire(t0 + 60s).new_initiation);
}

TEST(PeerTimers, PersistentKeepaliveEveryIntervalOfSilence) {
  PeerTimers timers(25s);
  timers.any_authenticated_packet_traversal(t0);
  EXPECT_FALSE(timers.expire(t0 + 24s).send_keepalive);
  EXPECT_TRUE(timers.expire(t0 + 25s).send_keepalive);
  timers.any_authenticated_packet_traversal(t0 + 25s);  // the keepalive itself traverses
  EXPECT_TRUE(timers.expire(t0 + 50s).send_keepalive);
  PeerTimers off;
  off.any_authenticated_packet_traversal(t0);
  EXPECT_FALSE(off.next_deadline());
}

TEST(PeerTimers, KeysZeroedThreeRejectAfterTimesAfterTheLastSession) {
  PeerTimers timers;
  timers.session_derived(t0);
  timers.session_derived(t0 + 100s);  // a newer session pushes it
  EXPECT_FALSE(timers.expire(t0 + 539s).zero_key_material);
  EXPECT_FALSE(timers.expire(t0 + 639s).zero_key_material);
  EXPECT_TRUE(timers.expire(t0 + 640s).zero_key_material);
}

TEST(PeerTimers, InitiationsAtMostOncePerRekeyTimeout) {
  PeerTimers timers;
  EXPECT_TRUE(timers.may_initiate(t0));
  timers.handshake_initiated(t0, false);
  EXPECT_FALSE(timers.may_initiate(t0 + 4s));
  EXPECT_TRUE(timers.may_initiate(t0 + 5s));
}

TEST(PeerTimers, StopCancelsEverything) {
  PeerTimers timers(25s);
  timers.handshake_initiated(t0, false);
  timers.data_received(t0);
  timers.data_sent(t0);
  timers.session_derived(t0);
  timers.any_authenticated_packet_traversal(t0);
  timers.stop();
  EXPECT_FALSE(timers.next_deadline());
}

}  // namespace
}  // namespace actorwire::crypto
