// Per-source token bucket for handshake initiations, as the kernel's and wireguard-go's
// ratelimiter: 20 initiations per second per source, bursts of 5. Time is passed in by the
// caller (never read here), so the behaviour is exact and testable.
//
// Keys are 16 bytes. Use the helpers below: an IPv4 source becomes its IPv4-mapped IPv6 address
// (::ffff:a.b.c.d, RFC 4291 2.5.5.2); an IPv6 source is cut to its /64 as the kernel does, since
// one host usually owns a whole /64 and could otherwise fill the table on its own.
//
// Memory is bounded: the table holds at most max_entries sources, allocated once in the
// constructor (allow() never allocates). Once per second at most, allow() sweeps out sources idle
// for more than kIdleTimeout; an idle source has a full bucket again, so forgetting it changes
// nothing. When the table is full of sources seen within the last second or so, a new source is
// refused (fail closed, like the kernel: an attacker flooding spoofed sources cannot make us
// forget the buckets of real ones) and counted in refused_table_full().
//
// Not thread-safe: one owner (the handshake actor) calls it.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace actorwire::crypto {

class HandshakeRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using Source = std::array<std::uint8_t, 16>;

  static constexpr std::int64_t kPacketsPerSecond = 20;
  static constexpr std::int64_t kPacketsBurstable = 5;
  // Tokens are nanoseconds of credit: one initiation costs 1/20 s, the bucket holds 5 of them.
  static constexpr std::chrono::nanoseconds kPacketCost =
      std::chrono::nanoseconds(std::chrono::seconds(1)) / kPacketsPerSecond;
  static constexpr std::chrono::nanoseconds kMaxTokens = kPacketCost * kPacketsBurstable;
  static constexpr std::chrono::seconds kIdleTimeout{1};
  static constexpr std::size_t kDefaultMaxEntries = 4096;
  static constexpr std::size_t kMaxEntriesLimit = std::size_t{1} << 24;

  // Throws std::invalid_argument if max_entries > kMaxEntriesLimit.
  explicit HandshakeRateLimiter(std::size_t max_entries = kDefaultMaxEntries);

  // Whether an initiation from `source` at `now` may be processed; takes a token if so.
  // A source not in the table starts with a full bucket (and this initiation takes one token).
  // `now` should not go backwards; if it does, no tokens are added.
  [[nodiscard]] bool allow(const Source& source, Clock::time_point now);

  // Sources currently tracked.
  std::size_t size() const { return size_; }
  std::size_t max_entries() const { return max_entries_; }

  // Refusals since construction: bucket empty / new source while the table was full.
  std::uint64_t refused_rate_limited() const { return refused_rate_limited_; }
  std::uint64_t refused_table_full() const { return refused_table_full_; }

 private:
  struct Slot {
    Source source{};
    std::uint64_t hash = 0;
    std::chrono::nanoseconds tokens{0};
    Clock::time_point last_time{};
    bool used = false;
  };

  std::uint64_t hash_of(const Source& source) const;
  bool take_token(Slot& slot, Clock::time_point now);
  void collect_garbage_if_due(Clock::time_point now);
  void erase_at(std::size_t index);

  std::size_t max_entries_;
  std::vector<Slot> slots_;  // open addressing, linear probing, at most half full
  std::size_t slot_mask_;
  std::size_t size_ = 0;
  std::array<std::uint8_t, 16> hash_key_{};  // random SipHash key: sources are attacker-chosen
  std::optional<Clock::time_point> next_garbage_collection_;
  std::uint64_t refused_rate_limited_ = 0;
  std::uint64_t refused_table_full_ = 0;
};

// ::ffff:a.b.c.d
HandshakeRateLimiter::Source rate_limit_source_ipv4(const std::array<std::uint8_t, 4>& address);
// The /64 prefix of `address`, the other 8 bytes zero; never equal to an IPv4 key (whose bytes 10
// and 11 are 0xff).
HandshakeRateLimiter::Source rate_limit_source_ipv6(const std::array<std::uint8_t, 16>& address);

}  // namespace actorwire::crypto
