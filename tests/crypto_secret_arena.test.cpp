// SecretKey's bytes live in the locked arena (crypto/secret_arena.hpp): slots are locked, reused
// through the free list, and wiped when a key goes away, is moved from or is overwritten.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/secret_arena.hpp"

namespace actorwire::crypto {
namespace {

bool all_zero(const std::uint8_t* bytes) {
  return std::all_of(bytes, bytes + SecretArena::kSlotSize, [](std::uint8_t b) { return b == 0; });
}

#if !defined(__SANITIZE_ADDRESS__)  // ASan poisons free slots: nothing reads them there
// Whether `slot`, once given back, holds no byte of a key. The first bytes hold the free
// list's link (a pointer, not key material): only the rest is compared.
bool wiped_after_link(const std::uint8_t* slot) {
  return std::all_of(slot + sizeof(void*), slot + SecretArena::kSlotSize,
                     [](std::uint8_t b) { return b == 0; });
}
#endif

TEST(SecretArena, KeysLiveInLockedSlotsThatAreReused) {
  SecretArena& arena = SecretArena::instance();
  const std::size_t before = arena.usage().slots_in_use;
  const std::uint8_t* first = nullptr;
  {
    SecretKey key = random_secret_key();
    first = key.data();
    EXPECT_EQ(arena.usage().slots_in_use, before + 1);
    EXPECT_GT(arena.usage().bytes_locked, 0U) << "no chunk was locked: " << arena.lock_failure();
  }
  EXPECT_EQ(arena.usage().slots_in_use, before) << "the slot went back";
  SecretKey again = random_secret_key();
  EXPECT_EQ(again.data(), first) << "the free list gives the newest free slot first";
}

#if !defined(__SANITIZE_ADDRESS__)  // ASan poisons free slots: reading one is what it reports
TEST(SecretArena, DestroyedKeyIsWiped) {
  const std::uint8_t* slot = nullptr;
  {
    SecretKey key = random_secret_key();
    ASSERT_FALSE(all_zero(key.data()));
    slot = key.data();
  }
  EXPECT_TRUE(wiped_after_link(slot));
}

TEST(SecretArena, MoveAssignmentWipesTheOverwrittenKey) {
  SecretKey old_key = random_secret_key();
  const std::uint8_t* old_slot = old_key.data();
  SecretKey replacement = random_secret_key();
  old_key = std::move(replacement);
  EXPECT_NE(old_key.data(), old_slot) << "the moved-in slot is used";
  EXPECT_TRUE(wiped_after_link(old_slot)) << "rotation leaves no copy of the old key";
}
#endif

TEST(SecretArena, CopyAssignmentReusesTheSlot) {
  SecretKey target = random_secret_key();
  const std::uint8_t* slot = target.data();
  const SecretKey source = random_secret_key();
  const std::size_t in_use = SecretArena::instance().usage().slots_in_use;
  target = source;
  EXPECT_EQ(target.data(), slot) << "no slot is taken: the data path copies keys this way";
  EXPECT_EQ(SecretArena::instance().usage().slots_in_use, in_use);
  EXPECT_TRUE(target.equals(source));
}

TEST(SecretArena, MovedFromKeyReadsAsZeroAndTakesNoSlot) {
  SecretKey key = random_secret_key();
  const SecretKey copy = key;
  const SecretKey moved = std::move(key);
  EXPECT_TRUE(moved.equals(copy));
  EXPECT_TRUE(all_zero(std::as_const(key).data()));  // NOLINT(bugprone-use-after-move): the point
  EXPECT_TRUE(SecretKey{}.equals(key));
}

TEST(SecretArena, GrowsBeyondOneChunk) {
  std::vector<SecretKey> keys;
  const std::size_t count = SecretArena::kChunkSize / SecretArena::kSlotSize + 10;
  for (std::size_t i = 0; i < count; ++i) keys.push_back(random_secret_key());
  EXPECT_GE(SecretArena::instance().usage().slots_total, count);
  EXPECT_FALSE(keys.front().equals(keys.back()));
}

TEST(SecretArena, WipeZeroesInPlace) {
  SecretKey key = random_secret_key();
  const std::uint8_t* slot = key.data();
  key.wipe();
  EXPECT_EQ(std::as_const(key).data(), slot);
  EXPECT_TRUE(all_zero(slot));
}

// RLIMIT_MEMLOCK too low (and no CAP_IPC_LOCK, as after a drop to a user): the arena still
// hands out slots, unlocked, and says why once; keys still work and are still wiped. In a
// forked child, which gives up root for it.
TEST(SecretArena, WithoutLockableMemoryKeysStillWorkAndTheFailureIsReported) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (to become another user)";
  const passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const rlimit none{0, 0};
    if (setrlimit(RLIMIT_MEMLOCK, &none) != 0 || setuid(nobody->pw_uid) != 0) _exit(10);
    SecretArena& arena = SecretArena::instance();
    const std::size_t locked = arena.usage().bytes_locked;
    // More keys than the free slots: a new chunk, which the kernel will not lock.
    std::vector<SecretKey> keys;
    const std::size_t free = arena.usage().slots_total - arena.usage().slots_in_use;
    for (std::size_t i = 0; i <= free; ++i) keys.push_back(random_secret_key());
    const SecretKey copy = keys.back();
    _exit(arena.usage().bytes_locked != locked                                     ? 1
          : arena.lock_failure().find("mlock") != 0                                ? 2
          : arena.lock_failure().find("RLIMIT_MEMLOCK 0 KiB") == std::string::npos ? 3
          : !copy.equals(keys.back())                                              ? 4
                                                                                   : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: setup failed, 1: the new chunk counted as locked, "
                                       "2/3: no or a wrong lock_failure(), 4: the key is wrong";
}

}  // namespace
}  // namespace actorwire::crypto
