#include "crypto/handshake_rate_limiter.hpp"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "crypto/internal.hpp"

namespace actorwire::crypto {

static_assert(crypto_shorthash_KEYBYTES == 16);
static_assert(crypto_shorthash_BYTES == sizeof(std::uint64_t));

HandshakeRateLimiter::HandshakeRateLimiter(std::size_t max_entries) : max_entries_(max_entries) {
  if (max_entries > kMaxEntriesLimit) {
    throw std::invalid_argument("HandshakeRateLimiter: max_entries above 2^24");
  }
  // At most half full keeps linear probes short; strictly more slots than entries guarantees an
  // empty slot, which ends every probe and anchors the garbage-collection sweep.
  slots_.resize(std::bit_ceil(std::max<std::size_t>(2 * max_entries, 2)));
  slot_mask_ = slots_.size() - 1;
  detail::ensure_sodium_initialized();
  randombytes_buf(hash_key_.data(), hash_key_.size());
}

std::uint64_t HandshakeRateLimiter::hash_of(const Source& source) const {
  unsigned char digest[crypto_shorthash_BYTES];
  crypto_shorthash(digest, source.data(), source.size(), hash_key_.data());
  std::uint64_t hash;
  std::memcpy(&hash, digest, sizeof(hash));
  return hash;
}

bool HandshakeRateLimiter::allow(const Source& source, Clock::time_point now) {
  collect_garbage_if_due(now);
  const std::uint64_t hash = hash_of(source);
  std::size_t index = hash & slot_mask_;
  while (slots_[index].used) {
    Slot& slot = slots_[index];
    if (slot.hash == hash && slot.source == source) return take_token(slot, now);
    index = (index + 1) & slot_mask_;
  }
  if (size_ >= max_entries_) {
    ++refused_table_full_;
    return false;
  }
  slots_[index] = Slot{source, hash, kMaxTokens - kPacketCost, now, true};
  ++size_;
  return true;
}

bool HandshakeRateLimiter::take_token(Slot& slot, Clock::time_point now) {
  if (now > slot.last_time) {
    // Clamp before adding so that a long idle time cannot overflow.
    const auto elapsed = std::min<std::chrono::nanoseconds>(now - slot.last_time, kMaxTokens);
    slot.tokens = std::min(slot.tokens + elapsed, kMaxTokens);
    slot.last_time = now;
  }
  if (slot.tokens >= kPacketCost) {
    slot.tokens -= kPacketCost;
    return true;
  }
  ++refused_rate_limited_;
  return false;
}

void HandshakeRateLimiter::collect_garbage_if_due(Clock::time_point now) {
  if (!next_garbage_collection_) {
    next_garbage_collection_ = now + kIdleTimeout;
    return;
  }
  if (now < *next_garbage_collection_) return;
  next_garbage_collection_ = now + kIdleTimeout;
  if (size_ == 0) return;
  // Start right after an empty slot: no probe cluster wraps around the start, so the backward
  // shifts of erase_at() only move entries to the slot being examined or to slots not yet swept.
  std::size_t start = 0;
  while (slots_[start].used) ++start;
  for (std::size_t step = 1; step <= slots_.size();) {
    const std::size_t index = (start + step) & slot_mask_;
    Slot& slot = slots_[index];
    if (slot.used && now - slot.last_time > kIdleTimeout) {
      erase_at(index);  // examine the same slot again: another entry may have moved into it
    } else {
      ++step;
    }
  }
}

// Backward-shift deletion (no tombstones): later entries of the cluster that may legally sit in
// the hole move into it, so every probe still reaches its key before an empty slot.
void HandshakeRateLimiter::erase_at(std::size_t index) {
  std::size_t hole = index;
  std::size_t next = index;
  while (true) {
    next = (next + 1) & slot_mask_;
    if (!slots_[next].used) break;
    const std::size_t home = slots_[next].hash & slot_mask_;
    // The entry at `next` must stay if its home lies cyclically in (hole, next].
    const bool home_after_hole =
        hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
    if (!home_after_hole) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole].used = false;
  --size_;
}

HandshakeRateLimiter::Source rate_limit_source_ipv4(const std::array<std::uint8_t, 4>& address) {
  HandshakeRateLimiter::Source source{};
  source[10] = 0xff;
  source[11] = 0xff;
  std::copy(address.begin(), address.end(), source.begin() + 12);
  return source;
}

HandshakeRateLimiter::Source rate_limit_source_ipv6(const std::array<std::uint8_t, 16>& address) {
  HandshakeRateLimiter::Source source{};
  std::copy(address.begin(), address.begin() + 8, source.begin());
  return source;
}

}  // namespace actorwire::crypto
