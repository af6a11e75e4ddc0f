// What `actorwire run` gives up once its ports are up and its sockets are bound: it switches to
// `[interface] user` (when set) and keeps only the capabilities the ports still use, on every
// thread, with PR_SET_NO_NEW_PRIVS. A bug the data plane's parsers let an attacker exploit then
// runs without root's power over the host.
//
// Raw prctl/capset rather than libcap: the capability step runs in a signal handler on every
// thread (apps/every_thread.hpp) and must be async-signal-safe; libcap's cap_t calls allocate.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "apps/log.hpp"
#include "config/gateway_config.hpp"
#include "config/load_config.hpp"

namespace actorwire::apps {

struct PrivilegePlan {
  std::optional<std::string> user;  // [interface] user, resolved below
  uid_t uid = 0;
  gid_t gid = 0;
  // Capabilities kept (bit n = capability n) and why, for the start-up line.
  std::uint64_t keep = 0;
  std::string why;
};

// The capabilities the configured ports still use once they run:
//   net_ring: none (memory rings in this process);
//   net_af_packet: none. Its packet sockets are open and the interface is promiscuous by then;
//     tests/key_leak.sh runs a whole life (traffic, rekey, SIGTERM) without any capability, and
//     the PMD leaves the interface promiscuous at close with CAP_NET_ADMIN or without it;
//   net_tap: CAP_NET_ADMIN (the PMD sets its interface's flags at stop; not measured here);
//   PCI (vfio-pci): CAP_IPC_LOCK (vfio maps memory the EAL adds later for DMA) and
//     CAP_SYS_RAWIO (PMDs' I/O port access), as DPDK's "running without root" guide says.
std::uint64_t capabilities_ports_need(const config::GatewayConfig& config, std::string& why);

// The plan for `config`: the user looked up (getpwnam_r), the capabilities to keep. An unknown
// user is a config error at `interface.user`'s file:line:col.
std::optional<config::ConfigError> plan_privileges(const config::GatewayConfig& config,
                                                   PrivilegePlan& plan);

// Drops to the plan on every thread: the user's groups and ids (when set), every capability
// outside `keep` from the effective, permitted, inheritable, ambient and bounding sets, and
// PR_SET_NO_NEW_PRIVS. False with `error` set if any step failed (the caller stops).
bool drop_privileges(const PrivilegePlan& plan, std::string& error);

// Checks /proc/self/task/*/status: every thread runs as `uid` (real, effective, saved) with no
// capability outside `keep` (effective, permitted) and NoNewPrivs set. Empty when all hold,
// else what does not ("thread 1234: CapEff 0000003fffffffff").
std::string check_every_thread(uid_t uid, std::uint64_t keep);

// `actorwire run`'s step once the gateway is up: drop_privileges, core dumps off again (the
// kernel makes a process dumpable when its ids change), check_every_thread, and one line that
// says what it runs with (and a warning when key memory could not be locked). False after an
// error line: the daemon must not run with more than it meant to.
bool drop_privileges_after_start(const PrivilegePlan& plan, bool keep_core_dumps, Log& log);

// "none" or "CAP_NET_ADMIN CAP_NET_RAW".
std::string capability_names(std::uint64_t capabilities);

}  // namespace actorwire::apps
