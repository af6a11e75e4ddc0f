// Keypair rotation as the kernel does it (current / previous / next): an initiator's new keys
// are used at once, a responder's only after the initiator used them, and packets under the
// previous keys still decrypt. Plus the age and counter limits of a keypair.
#include <gtest/gtest.h>

#include <algorithm>

#include "actors/dataplane/peer_sessions.hpp"
#include "crypto/secret_arena.hpp"

namespace actorwire::actors {
namespace {

using namespace std::chrono_literals;
const Clock::time_point t0 = Clock::time_point() + 1000s;

std::unique_ptr<Keypair> keypair(std::uint32_t index, bool initiator,
                                 Clock::time_point created = t0) {
  auto k = std::make_unique<Keypair>();
  k->local_index = index;
  k->initiator = initiator;
  k->created = created;
  return k;
}

bool contains(const std::vector<std::uint32_t>& v, std::uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(PeerSessions, InitiatorKeysBecomeCurrentAtOnce) {
  PeerSessions sessions;
  std::vector<std::uint32_t> retired;
  sessions.install(keypair(1, true), retired);
  ASSERT_NE(sessions.current(), nullptr);
  EXPECT_EQ(sessions.current()->local_index, 1u);
  sessions.install(keypair(2, true), retired);
  EXPECT_EQ(sessions.current()->local_index, 2u);
  EXPECT_NE(sessions.find(1), nullptr) << "the previous keys still decrypt in-flight packets";
  sessions.install(keypair(3, true), retired);
  EXPECT_EQ(sessions.find(1), nullptr);
  EXPECT_TRUE(contains(retired, 1));
  EXPECT_NE(sessions.find(2), nullptr);
}

TEST(PeerSessions, ResponderKeysWaitForConfirmation) {
  PeerSessions sessions;
  std::vector<std::uint32_t> retired;
  sessions.install(keypair(1, true), retired);
  sessions.install(keypair(2, false), retired);
  EXPECT_EQ(sessions.current()->local_index, 1u) << "not used for sending before confirmation";
  Keypair* next = sessions.find(2);
  ASSERT_NE(next, nullptr);
  // A packet under the current keys confirms nothing.
  EXPECT_FALSE(sessions.received_with(sessions.find(1), retired));
  EXPECT_TRUE(sessions.received_with(next, retired));
  EXPECT_EQ(sessions.current()->local_index, 2u);
  EXPECT_NE(sessions.find(1), nullptr) << "old current becomes previous";
  EXPECT_FALSE(sessions.received_with(sessions.current(), retired)) << "only once";
}

TEST(PeerSessions, AnUnconfirmedResponderKeypairIsReplacedByTheNext) {
  PeerSessions sessions;
  std::vector<std::uint32_t> retired;
  sessions.install(keypair(1, false), retired);
  sessions.install(keypair(2, false), retired);
  EXPECT_TRUE(contains(retired, 1));
  EXPECT_EQ(sessions.current(), nullptr);
  // Our own initiation completing meanwhile: the waiting responder keys become previous.
  sessions.install(keypair(3, true), retired);
  EXPECT_EQ(sessions.current()->local_index, 3u);
  EXPECT_NE(sessions.find(2), nullptr);
}

TEST(PeerSessions, ClearRetiresEverything) {
  PeerSessions sessions;
  std::vector<std::uint32_t> retired;
  sessions.install(keypair(1, true), retired);
  sessions.install(keypair(2, true), retired);
  // A responder keypair drops `previous` (kernel add_new_keypair): 2 is current, 3 next.
  sessions.install(keypair(3, false), retired);
  EXPECT_TRUE(contains(retired, 1));
  retired.clear();
  sessions.clear(retired);
  EXPECT_TRUE(sessions.empty());
  EXPECT_EQ(retired, (std::vector<std::uint32_t>{2, 3}));
}

std::unique_ptr<Keypair> keyed(std::uint32_t index) {
  auto k = keypair(index, true);
  k->send_key = crypto::random_secret_key();
  k->receive_key = crypto::random_secret_key();
  return k;
}

// A keypair that falls out (rotation) or is cleared (the peer goes, the gateway stops) gives
// its keys' arena slots back, which wipes them. (Read after the wipe only where ASan does not
// poison free slots.)
TEST(PeerSessions, RetiredAndClearedKeysAreWiped) {
  crypto::SecretArena& arena = crypto::SecretArena::instance();
  const std::size_t before = arena.usage().slots_in_use;
  PeerSessions sessions;
  std::vector<std::uint32_t> retired;
  sessions.install(keyed(1), retired);
  [[maybe_unused]] const std::uint8_t* first_send = sessions.current()->send_key.data();
  sessions.install(keyed(2), retired);
  sessions.install(keyed(3), retired);
  ASSERT_TRUE(contains(retired, 1));
  EXPECT_EQ(arena.usage().slots_in_use, before + 4) << "two keypairs of two keys each";
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_TRUE(std::all_of(first_send + sizeof(void*), first_send + crypto::SecretKey::size(),
                          [](std::uint8_t b) { return b == 0; }))
      << "the rotated-out send key is still in memory";
#endif
  sessions.clear(retired);
  EXPECT_EQ(arena.usage().slots_in_use, before);
}

TEST(Keypair, AgeAndCounterLimits) {
  const auto k = keypair(1, true);
  EXPECT_TRUE(k->usable_for_sending(t0 + 179s));
  EXPECT_FALSE(k->usable_for_sending(t0 + 180s));
  EXPECT_TRUE(k->usable_for_receiving(t0 + 179s));
  EXPECT_FALSE(k->usable_for_receiving(t0 + 180s));
  EXPECT_FALSE(k->wants_rekey_on_send(t0 + 119s));
  EXPECT_TRUE(k->wants_rekey_on_send(t0 + 120s)) << "initiator rekeys after REKEY_AFTER_TIME";
  EXPECT_FALSE(k->wants_rekey_on_receive(t0 + 164s));
  EXPECT_TRUE(k->wants_rekey_on_receive(t0 + 165s));
  k->next_send_counter = wg::kRekeyAfterMessages + 1;
  EXPECT_TRUE(k->wants_rekey_on_send(t0));
  k->next_send_counter = wg::kRejectAfterMessages;
  EXPECT_FALSE(k->usable_for_sending(t0));

  const auto responder = keypair(2, false);
  EXPECT_FALSE(responder->wants_rekey_on_send(t0 + 150s)) << "only the initiator rekeys on time";
  EXPECT_FALSE(responder->wants_rekey_on_receive(t0 + 170s));

  auto fixed = keypair(3, true);
  fixed->expires = false;  // static benchmark session
  EXPECT_TRUE(fixed->usable_for_sending(t0 + 10000s));
  EXPECT_FALSE(fixed->wants_rekey_on_send(t0 + 10000s));
}

}  // namespace
}  // namespace actorwire::actors
