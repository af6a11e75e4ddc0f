// WireGuard's anti-replay window for transport-message counters (RFC 6479 style, as the Linux
// kernel's counter_validate and wireguard-go's replay.Filter): a ring of 128 64-bit blocks.
// One block is always being recycled, so 8192 - 64 = wg::kReplayWindowSize counters behind the
// greatest one seen are remembered exactly: with G the greatest accepted counter, a counter n is
// accepted once if G - kReplayWindowSize <= n < wg::kRejectAfterMessages.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "crypto/messages.hpp"

namespace actorwire::crypto {

// What the window says about a counter.
enum class ReplayVerdict : std::uint8_t {
  kAccepted,     // new and inside the window: recorded
  kSeen,         // inside the window, seen before
  kTooOld,       // more than wg::kReplayWindowSize behind the greatest counter seen
  kBeyondLimit,  // >= wg::kRejectAfterMessages: no sender may use it
};

class ReplayWindow {
 public:
  static constexpr std::size_t kBitsPerBlock = 64;
  static constexpr std::size_t kBlockCount = 128;
  static constexpr std::size_t kBitsTotal = kBitsPerBlock * kBlockCount;  // 8192
  static_assert(kBitsTotal - kBitsPerBlock == wg::kReplayWindowSize);

  // Call only after the packet authenticated (else a forged counter would move the window).
  // Returns true and records `counter` if it is new and inside the window; false if it was seen
  // before, lies more than kReplayWindowSize behind the greatest counter seen, or is
  // >= wg::kRejectAfterMessages.
  [[nodiscard]] bool accept(std::uint64_t counter) {
    return admit(counter) == ReplayVerdict::kAccepted;
  }
  // The same, saying why a counter is refused (each reason is counted on its own).
  [[nodiscard]] ReplayVerdict admit(std::uint64_t counter);

  // Forgets every counter (a fresh session key starts from zero).
  void reset();

 private:
  std::array<std::uint64_t, kBlockCount> blocks_{};
  // Greatest counter accepted so far; 0 also stands for "none yet", which is harmless: counter 0
  // is then inside the window and its bit is still clear.
  std::uint64_t greatest_ = 0;
};

}  // namespace actorwire::crypto
