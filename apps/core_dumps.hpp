// The daemon holds private, preshared and session keys in memory: a core dump would write them to
// disk (systemd-coredump keeps them). Like OpenSSH's sshd and wireguard-go it makes itself
// non-dumpable at start-up, unless asked for (`actorwire run --core-dumps`, for debugging).
#pragma once

#include <string>

namespace actorwire::apps {

// PR_SET_DUMPABLE 0 (no core file, no ptrace attach by the same unprivileged user, /proc/<pid>
// files owned by root) and RLIMIT_CORE 0. False with `error` set if the kernel refused.
bool disable_core_dumps(std::string& error);

// Whether this process may dump core (PR_GET_DUMPABLE), for the start-up line and tests.
bool core_dumps_enabled();

}  // namespace actorwire::apps
