#include "actors/common/test_delay.hpp"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace actorwire::actors {
namespace {

struct InstalledDelay {
  TestDelay delay;
  bool claimed = false;
};

// Written when a gateway starts and read by the StageCounters constructors it runs; the mutex
// only matters to tests that start gateways from several threads.
std::mutex installed_mutex;
std::vector<InstalledDelay> installed;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::vector<TestDelay>> parse_test_delays(std::string_view text, std::string& error) {
  std::vector<TestDelay> delays;
  if (trim(text).empty()) return delays;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view entry = trim(text.substr(0, comma));
    const std::size_t equals = entry.find('=');
    const std::string_view actor =
        trim(equals == std::string_view::npos ? entry : entry.substr(0, equals));
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view{} : trim(entry.substr(equals + 1));
    const auto bad = [&](std::string_view why) {
      error = "'" + std::string(entry) + "': " + std::string(why) +
              " (expected <actor>=<microseconds> or <actor>=stuck, several separated by ',')";
      return std::nullopt;
    };
    if (equals == std::string_view::npos) return bad("no '='");
    if (actor.empty()) return bad("no actor name");
    TestDelay delay{std::string(actor), 0};
    if (value == "stuck") {
      delay.microseconds = kTestDelayStuck;
    } else {
      const char* end = value.data() + value.size();
      const auto [stop, status] = std::from_chars(value.data(), end, delay.microseconds);
      if (value.empty() || status != std::errc{} || stop != end) {
        return bad("the delay is not a whole number of microseconds");
      }
      if (delay.microseconds <= 0 || delay.microseconds > kTestDelayMaxMicroseconds) {
        return bad("the delay must be 1 to 60000000 microseconds");
      }
    }
    for (const TestDelay& earlier : delays) {
      if (earlier.actor == delay.actor) return bad("the actor is named twice");
    }
    delays.push_back(std::move(delay));
    if (comma == std::string_view::npos) return delays;
    text.remove_prefix(comma + 1);
  }
}

bool load_test_delays_from_environment(std::string& error) {
  const char* value = std::getenv(kTestDelayVariable);
  auto delays = parse_test_delays(value == nullptr ? "" : value, error);
  if (!delays) {
    error = std::string(kTestDelayVariable) + ": " + error;
    return false;
  }
  install_test_delays(std::move(*delays));
  return true;
}

void install_test_delays(std::vector<TestDelay> delays) {
  const std::lock_guard<std::mutex> lock(installed_mutex);
  installed.clear();
  for (TestDelay& delay : delays) installed.push_back({std::move(delay), false});
}

std::int64_t test_delay_for(std::string_view actor) {
  const std::lock_guard<std::mutex> lock(installed_mutex);
  for (InstalledDelay& entry : installed) {
    if (entry.delay.actor == actor) {
      entry.claimed = true;
      return entry.delay.microseconds;
    }
  }
  return 0;
}

std::vector<std::string> unclaimed_test_delays() {
  const std::lock_guard<std::mutex> lock(installed_mutex);
  std::vector<std::string> names;
  for (const InstalledDelay& entry : installed) {
    if (!entry.claimed) names.push_back(entry.delay.actor);
  }
  return names;
}

void run_test_delay(std::int64_t microseconds, bool handled) {
  if (microseconds == kTestDelayStuck) {
    // Stuck for good: no more batches, no more polls. Sleeping rather than spinning keeps the
    // rest of a 2-core test machine usable; to the gateway the actor is just as gone.
    while (true) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!handled) return;
  // Busy-wait, not sleep: the actor must look busy (busy_ns) the way a slow stage does.
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(microseconds);
  while (std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace actorwire::actors
