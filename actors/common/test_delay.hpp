// Test-only fault injection (README "Test hooks"): ACTORWIRE_TEST_DELAY_ACTOR="<actor>=<us>,..."
// makes the named actors busy-wait that many microseconds per batch or burst they handle, so
// that a test can choose the bottleneck; "<actor>=stuck" makes one stop making progress for
// good (it spins without handling anything until the process exits), which a watchdog must
// notice. Read once when a gateway starts; each actor's StageCounters takes its own delay at
// construction, so an unset variable costs the data path one predictable branch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace actorwire::actors {

inline constexpr const char* kTestDelayVariable = "ACTORWIRE_TEST_DELAY_ACTOR";
// The delay value that means "stuck" (0 means none).
inline constexpr std::int64_t kTestDelayStuck = -1;
// Above this a "delay" is a mistake (a minute per batch), not a slow actor.
inline constexpr std::int64_t kTestDelayMaxMicroseconds = 60'000'000;

struct TestDelay {
  std::string actor;
  std::int64_t microseconds = 0;  // > 0, or kTestDelayStuck
};

// Parses the variable's value; nullopt with `error` set (naming the bad entry) when it is not
// a ','-separated list of <actor>=<microseconds> | <actor>=stuck. An empty value is no delays.
std::optional<std::vector<TestDelay>> parse_test_delays(std::string_view text, std::string& error);

// Parses the environment variable and makes its delays the ones later StageCounters take.
// False with `error` set (one line naming the variable) when it cannot be parsed.
bool load_test_delays_from_environment(std::string& error);
// The delays in force (tests install their own; an empty list turns them off).
void install_test_delays(std::vector<TestDelay> delays);
// The delay for the actor named `actor` (0: none). Marks the entry as claimed.
std::int64_t test_delay_for(std::string_view actor);
// The installed entries that no actor claimed yet (a typo in an actor's name).
std::vector<std::string> unclaimed_test_delays();

// The hook itself: busy-waits `microseconds` when the actor handled something (`handled`);
// never returns for kTestDelayStuck.
void run_test_delay(std::int64_t microseconds, bool handled);

}  // namespace actorwire::actors
