// Where every SecretKey's 32 bytes live: slots in pages that are locked in RAM (sodium_mlock:
// never written to swap, MADV_DONTDUMP: left out of core files) between guard pages
// (sodium_malloc). A free list makes a slot cost a lock and a pointer, not the mmap/mprotect/
// mlock calls of a sodium_malloc per key: keypairs come and go with every handshake.
// Slots are wiped when they are given back. When the kernel refuses to lock (RLIMIT_MEMLOCK),
// the pages are used unlocked and `lock_failure()` says why, once, for a start-up warning; keys
// are still wiped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace actorwire::crypto {

class SecretArena {
 public:
  static constexpr std::size_t kSlotSize = 32;
  // 64 KiB per chunk: 2048 keys, 16 pages locked at a time.
  static constexpr std::size_t kChunkSize = 64 * 1024;

  // The process's arena. Never destroyed: keys in objects with static storage duration may be
  // destroyed after main returns, and each wipes its slot then.
  static SecretArena& instance();

  // A zeroed slot of kSlotSize bytes. Throws std::bad_alloc when no chunk can be allocated.
  std::uint8_t* take();
  // Wipes the slot and makes it free again.
  void give_back(std::uint8_t* slot);

  struct Usage {
    std::size_t slots_in_use = 0;
    std::size_t slots_total = 0;
    std::size_t bytes_locked = 0;  // chunks the kernel locked
  };
  Usage usage() const;
  // Empty while every chunk is locked, else the first failure ("mlock: Cannot allocate memory
  // (RLIMIT_MEMLOCK 64 KiB)").
  std::string lock_failure() const;

  SecretArena(const SecretArena&) = delete;
  SecretArena& operator=(const SecretArena&) = delete;

 private:
  SecretArena() = default;
  void add_chunk();  // called with mutex_ held

  mutable std::mutex mutex_;
  std::vector<void*> chunks_;
  // Free slots, each holding the pointer to the next free one in its first bytes.
  std::uint8_t* free_ = nullptr;
  Usage usage_;
  std::string lock_failure_;
};

}  // namespace actorwire::crypto
