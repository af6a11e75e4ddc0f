// Test-only: ACTORWIRE_TEST_KEY_LOG=<file> makes the daemon append each session's keys to
// <file>, so that tests/key_leak.sh knows what to search the daemon's output for (like TLS
// libraries' SSLKEYLOGFILE). Compiled in only where ACTORWIRE_TEST_KEY_LOG_HOOK is defined,
// which actors/CMakeLists.txt does for every build type but Release: a Release binary has
// neither the variable's name nor the code, and these functions do nothing there.
#pragma once

#include "crypto/noise.hpp"

namespace actorwire::actors {

// Opens the file named by the variable, if set (called where the control plane is made, before
// the daemon drops its privileges).
void open_test_key_log();
// "<local index> <send key hex> <receive key hex>" per session, when the log is open.
void record_test_session_keys(const crypto::SessionKeys& keys);

}  // namespace actorwire::actors
