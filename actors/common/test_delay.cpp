#include "actors/common/test_delay.hpp"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

namespace actorwire::actors {
namespace {

std::map<std::string, std::int64_t, std::less<>>& installed() {
  static std::map<std::string, std::int64_t, std::less<>> delays;
  return delays;
}

}  // namespace

bool load_test_delays_from_environment(std::string& error) {
  installed().clear();
  const char* value = std::getenv(kTestDelayVariable);
  std::string_view rest = value == nullptr ? "" : value;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view entry = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    const std::size_t equals = entry.find('=');
    const std::string_view actor = entry.substr(0, equals);
    const std::string_view delay = equals == std::string_view::npos ? "" : entry.substr(equals + 1);
    std::int64_t microseconds = 0;
    if (delay == "stuck") {
      microseconds = kTestDelayStuck;
    } else {
      const auto [end, status] =
          std::from_chars(delay.data(), delay.data() + delay.size(), microseconds);
      if (status != std::errc() || end != delay.data() + delay.size() || microseconds <= 0) {
        microseconds = 0;
      }
    }
    if (actor.empty() || microseconds == 0) {
      error = std::string(kTestDelayVariable) + ": '" + std::string(entry) +
              "' is not <actor>=<microseconds> or <actor>=stuck";
      installed().clear();
      return false;
    }
    installed()[std::string(actor)] = microseconds;
  }
  return true;
}

std::int64_t test_delay_for(std::string_view actor) {
  const auto found = installed().find(actor);
  return found == installed().end() ? 0 : found->second;
}

void run_test_delay(std::int64_t microseconds, bool handled) {
  if (microseconds == kTestDelayStuck) {
    for (;;) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // until the exit
  }
  if (!handled) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(microseconds);
  while (std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace actorwire::actors
