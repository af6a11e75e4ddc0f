// The one way a test waits for something another thread does: with a deadline, and, when it
// runs out, a failure that says what it was waiting for and how far it got, never a hang.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

namespace actorwire::test_support {

// Calls `step` until `done` holds or `timeout` passes. On timeout the result says what was
// awaited, with `progress()` (e.g. "received 17 of 200") appended, so a stuck test fails with
// the reason instead of hanging.
inline ::testing::AssertionResult poll_until(
    std::chrono::milliseconds timeout, const std::string& what, const std::function<bool()>& done,
    const std::function<void()>& step, const std::function<std::string()>& progress = nullptr) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return ::testing::AssertionFailure()
             << "timed out after " << timeout.count() << " ms waiting for " << what
             << (progress ? " (" + progress() + ")" : std::string());
    }
    step();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace actorwire::test_support
