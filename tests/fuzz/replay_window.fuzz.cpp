// The replay window fed arbitrary counters, checked against a model that remembers every counter
// exactly: a counter is accepted iff it is below REJECT_AFTER_MESSAGES, not accepted before, and
// either beyond the greatest accepted or at most kReplayWindowSize behind it (replay_window.hpp).
// Records of 9 bytes: an operation byte, then 8 bytes read as an absolute counter, a distance
// behind or ahead of the greatest (so the fuzzer reaches the window's edges), or a reset.
#include <cstring>
#include <set>

#include "crypto/replay_window.hpp"

using namespace actorwire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  crypto::ReplayWindow window;
  std::set<std::uint64_t> accepted;
  std::uint64_t greatest = 0;
  for (; size >= 9; data += 9, size -= 9) {
    std::uint64_t value;
    std::memcpy(&value, data + 1, sizeof value);
    std::uint64_t counter = value;
    switch (data[0] % 4) {
      case 0:
        break;
      case 1:
        counter = greatest - value % (2 * crypto::ReplayWindow::kBitsTotal);  // may wrap: fine
        break;
      case 2:
        counter = greatest + value % (2 * crypto::ReplayWindow::kBitsTotal);
        break;
      case 3:
        window.reset();
        accepted.clear();
        greatest = 0;
        continue;
    }
    const bool fresh = accepted.count(counter) == 0;
    const bool in_window = counter > greatest || greatest - counter <= wg::kReplayWindowSize;
    const bool expected = counter < wg::kRejectAfterMessages && fresh && in_window;
    if (window.accept(counter) != expected) __builtin_trap();
    if (expected) {
      accepted.insert(counter);
      if (counter > greatest) greatest = counter;
    }
  }
  return 0;
}
