#include "crypto/replay_window.hpp"

#include <algorithm>

namespace actorwire::crypto {

namespace {
constexpr std::uint64_t kBlockShift = 6;  // log2(kBitsPerBlock)
constexpr std::uint64_t kBlockIndexMask = ReplayWindow::kBlockCount - 1;
constexpr std::uint64_t kBitIndexMask = ReplayWindow::kBitsPerBlock - 1;
static_assert((std::uint64_t{1} << kBlockShift) == ReplayWindow::kBitsPerBlock);
static_assert((ReplayWindow::kBlockCount & kBlockIndexMask) == 0, "ring size is a power of two");
}  // namespace

ReplayVerdict ReplayWindow::admit(std::uint64_t counter) {
  if (counter >= wg::kRejectAfterMessages) return ReplayVerdict::kBeyondLimit;
  const std::uint64_t block = counter >> kBlockShift;
  if (counter > greatest_) {
    // Clear the blocks the window slides onto; a jump of a whole ring or more clears them all.
    const std::uint64_t current_block = greatest_ >> kBlockShift;
    const std::uint64_t blocks_to_clear =
        std::min<std::uint64_t>(block - current_block, kBlockCount);
    for (std::uint64_t i = 1; i <= blocks_to_clear; ++i) {
      blocks_[(current_block + i) & kBlockIndexMask] = 0;
    }
    greatest_ = counter;
  } else if (greatest_ - counter > wg::kReplayWindowSize) {
    return ReplayVerdict::kTooOld;  // its bit may already belong to a newer counter
  }
  std::uint64_t& bits = blocks_[block & kBlockIndexMask];
  const std::uint64_t mask = std::uint64_t{1} << (counter & kBitIndexMask);
  if ((bits & mask) != 0) return ReplayVerdict::kSeen;
  bits |= mask;
  return ReplayVerdict::kAccepted;
}

void ReplayWindow::reset() {
  blocks_.fill(0);
  greatest_ = 0;
}

}  // namespace actorwire::crypto
