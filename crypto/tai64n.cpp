#include "crypto/tai64n.hpp"

#include <algorithm>

namespace actorwire::crypto {

static_assert(wg::kTimestampSize == sizeof(std::uint64_t) + sizeof(std::uint32_t));

Tai64n to_tai64n(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto since_epoch = time.time_since_epoch();
  // floor, not duration_cast: before the epoch the seconds round down and nanoseconds stay >= 0.
  const auto seconds = floor<std::chrono::seconds>(since_epoch);
  const auto nanoseconds = duration_cast<std::chrono::nanoseconds>(since_epoch - seconds);
  const std::uint64_t label = kTai64UnixEpochLabel + static_cast<std::uint64_t>(seconds.count());
  const std::uint32_t blurred_nanoseconds =
      static_cast<std::uint32_t>(nanoseconds.count()) & ~(kTai64nNanosecondGranularity - 1);
  Tai64n stamp{};
  for (int i = 0; i < 8; ++i) {
    stamp[i] = static_cast<std::uint8_t>(label >> (56 - 8 * i));
  }
  for (int i = 0; i < 4; ++i) {
    stamp[8 + i] = static_cast<std::uint8_t>(blurred_nanoseconds >> (24 - 8 * i));
  }
  return stamp;
}

Tai64n tai64n_now() {
  return to_tai64n(std::chrono::system_clock::now());
}

bool tai64n_is_after(const Tai64n& newer, const Tai64n& older) {
  return std::lexicographical_compare(older.begin(), older.end(), newer.begin(), newer.end());
}

}  // namespace actorwire::crypto
