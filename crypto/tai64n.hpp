// TAI64N timestamps as carried (encrypted) in handshake initiations: 12 bytes big-endian, the
// 8-byte TAI64 label 0x400000000000000a + Unix seconds, then 4 bytes of nanoseconds. Like the
// kernel and wireguard-go, the nanoseconds are rounded down to a multiple of 2^24 (~16.8 ms), so
// the timestamp does not leak a precise clock; responders only need it to increase.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "crypto/messages.hpp"

namespace actorwire::crypto {

using Tai64n = std::array<std::uint8_t, wg::kTimestampSize>;

// TAI64 label of the Unix epoch (leap seconds ignored, as every WireGuard implementation does).
inline constexpr std::uint64_t kTai64UnixEpochLabel = 0x400000000000000aULL;
// Nanoseconds are rounded down to a multiple of this.
inline constexpr std::uint32_t kTai64nNanosecondGranularity = 1U << 24;

// The timestamp of `time` (times before 1970 count whole seconds downwards, nanoseconds upwards,
// so the encoding stays monotonic).
Tai64n to_tai64n(std::chrono::system_clock::time_point time);

// to_tai64n(std::chrono::system_clock::now()).
Tai64n tai64n_now();

// Whether `newer` is strictly later than `older`: a byte-wise comparison of the big-endian
// encoding (the kernel's memcmp), so it is also defined for bytes a peer sent.
bool tai64n_is_after(const Tai64n& newer, const Tai64n& older);

}  // namespace actorwire::crypto
