// Test-only fault injection (SHARED-SPECS section 2; a minimal stand-in for the fuller hook of
// the "view" branch, which replaces it): ACTORWIRE_TEST_DELAY_ACTOR="<actor>=<us>,..." makes
// the named actors (their StageCounters name) busy-wait that many microseconds per burst or
// batch they handle; "<actor>=stuck" makes one stop making progress for good, so that tests can
// watch the systemd watchdog notice. Read once by Gateway::start; an actor's StageCounters takes
// its delay at construction, so an unset variable costs the data path one predictable branch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace actorwire::actors {

inline constexpr const char* kTestDelayVariable = "ACTORWIRE_TEST_DELAY_ACTOR";
inline constexpr std::int64_t kTestDelayStuck = -1;  // a delay value: never returns

// Parses the variable (unset or empty: no delays) and installs its delays for the
// StageCounters constructed later. False with `error` set when it cannot be parsed.
bool load_test_delays_from_environment(std::string& error);
// The installed delay for `actor`: 0 (none), microseconds, or kTestDelayStuck.
std::int64_t test_delay_for(std::string_view actor);
// Busy-waits `microseconds` if `handled`; spins for good for kTestDelayStuck.
void run_test_delay(std::int64_t microseconds, bool handled);

}  // namespace actorwire::actors
