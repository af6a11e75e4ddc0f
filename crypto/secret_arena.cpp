#include "crypto/secret_arena.hpp"

#include <sodium.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "crypto/internal.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
// A free slot is poisoned, so that ASan catches a key used after its SecretKey went.
#define AW_POISON(slot) ASAN_POISON_MEMORY_REGION((slot) + sizeof(void*), kSlotSize - sizeof(void*))
#define AW_UNPOISON(slot) ASAN_UNPOISON_MEMORY_REGION((slot), kSlotSize)
#else
#define AW_POISON(slot) ((void)(slot))
#define AW_UNPOISON(slot) ((void)(slot))
#endif

namespace actorwire::crypto {

static_assert(SecretArena::kSlotSize >= sizeof(void*));
static_assert(SecretArena::kChunkSize % SecretArena::kSlotSize == 0);

SecretArena& SecretArena::instance() {
  // Leaked on purpose (see the header); reachable, so LeakSanitizer does not report it.
  static SecretArena* arena = new SecretArena();
  return *arena;
}

void SecretArena::add_chunk() {
  detail::ensure_sodium_initialized();
  // Guard pages before and after, and (silently) sodium_mlock; locked again below to learn
  // whether the kernel agreed.
  auto* chunk = static_cast<std::uint8_t*>(sodium_malloc(kChunkSize));
  if (chunk == nullptr) throw std::bad_alloc();
  if (sodium_mlock(chunk, kChunkSize) == 0) {
    usage_.bytes_locked += kChunkSize;
  } else if (lock_failure_.empty()) {
    const int error = errno;
    rlimit limit{};
    getrlimit(RLIMIT_MEMLOCK, &limit);
    lock_failure_ =
        std::string("mlock: ") + std::strerror(error) + " (RLIMIT_MEMLOCK " +
        (limit.rlim_cur == RLIM_INFINITY ? std::string("unlimited")
                                         : std::to_string(limit.rlim_cur / 1024) + " KiB") +
        ")";
  }
  chunks_.push_back(chunk);
  sodium_memzero(chunk, kChunkSize);
  for (std::size_t offset = kChunkSize; offset >= kSlotSize; offset -= kSlotSize) {
    std::uint8_t* slot = chunk + offset - kSlotSize;
    std::memcpy(slot, &free_, sizeof(free_));
    free_ = slot;
    AW_POISON(slot);
  }
  usage_.slots_total += kChunkSize / kSlotSize;
}

std::uint8_t* SecretArena::take() {
  const std::lock_guard lock(mutex_);
  if (free_ == nullptr) add_chunk();
  std::uint8_t* slot = free_;
  AW_UNPOISON(slot);
  std::memcpy(&free_, slot, sizeof(free_));
  std::memset(slot, 0, kSlotSize);
  ++usage_.slots_in_use;
  return slot;
}

void SecretArena::give_back(std::uint8_t* slot) {
  sodium_memzero(slot, kSlotSize);
  const std::lock_guard lock(mutex_);
  std::memcpy(slot, &free_, sizeof(free_));
  free_ = slot;
  AW_POISON(slot);
  --usage_.slots_in_use;
}

SecretArena::Usage SecretArena::usage() const {
  const std::lock_guard lock(mutex_);
  return usage_;
}

std::string SecretArena::lock_failure() const {
  const std::lock_guard lock(mutex_);
  return lock_failure_;
}

}  // namespace actorwire::crypto
