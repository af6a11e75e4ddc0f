// Runs one step on every thread of this process. Linux keeps capabilities, the bounding set,
// PR_SET_KEEPCAPS and PR_SET_NO_NEW_PRIVS per thread, and by the time the daemon drops its
// privileges DPDK, CAF and the socket servers have started theirs. glibc makes setuid/setgid/
// setgroups process-wide; this does the same for the rest: the calling thread runs the step
// itself, every other thread (listed in /proc/self/task) runs it in a signal handler.
// (libcap's answer, libpsx, only knows threads made through its wrapped pthread_create, which
// the shared DPDK and CAF libraries never call.)
#pragma once

#include <string>

namespace actorwire::apps {

// The step: async-signal-safe (system calls only); returns 0 or an errno value.
using ThreadStep = int (*)();

// Runs `step` on the calling thread, then on every other thread, until a scan of
// /proc/self/task finds none that has not run it (a thread that starts meanwhile is caught by
// the next scan). False with `error` set when a step failed or a thread did not run it within
// `timeout_ms` (a thread that blocks the signal).
bool run_on_every_thread(ThreadStep step, std::string& error, int timeout_ms = 2000);

}  // namespace actorwire::apps
