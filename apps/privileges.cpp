#include "apps/privileges.hpp"

#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "apps/core_dumps.hpp"
#include "apps/every_thread.hpp"
#include "crypto/secret_arena.hpp"
#include "io/port_device.hpp"

namespace actorwire::apps {

namespace {

std::uint64_t bit(int capability) {
  return std::uint64_t{1} << capability;
}

// The capabilities of the calling thread (capget/capset's two 32-bit halves).
struct CapabilitySets {
  std::uint64_t effective = 0;
  std::uint64_t permitted = 0;
  std::uint64_t inheritable = 0;
};

int get_capabilities(CapabilitySets& sets) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) != 0) return errno;
  sets.effective = data[0].effective | (std::uint64_t{data[1].effective} << 32);
  sets.permitted = data[0].permitted | (std::uint64_t{data[1].permitted} << 32);
  sets.inheritable = data[0].inheritable | (std::uint64_t{data[1].inheritable} << 32);
  return 0;
}

int set_capabilities(const CapabilitySets& sets) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  data[0].effective = static_cast<std::uint32_t>(sets.effective);
  data[1].effective = static_cast<std::uint32_t>(sets.effective >> 32);
  data[0].permitted = static_cast<std::uint32_t>(sets.permitted);
  data[1].permitted = static_cast<std::uint32_t>(sets.permitted >> 32);
  data[0].inheritable = static_cast<std::uint32_t>(sets.inheritable);
  data[1].inheritable = static_cast<std::uint32_t>(sets.inheritable >> 32);
  return ::syscall(SYS_capset, &header, data) == 0 ? 0 : errno;
}

// What the per-thread steps read (they run in signal handlers: no captures, no allocation).
std::atomic<std::uint64_t> g_keep{0};

int keep_capabilities_across_setuid() {
  return ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0 ? 0 : errno;
}

int drop_capabilities() {
  const std::uint64_t keep = g_keep.load();
  CapabilitySets sets;
  if (const int error = get_capabilities(sets); error != 0) return error;
  // The bounding set takes CAP_SETPCAP in the effective set: raise what is permitted first
  // (setuid to a user cleared the effective set).
  sets.effective = sets.permitted;
  if (const int error = set_capabilities(sets); error != 0) return error;
  if ((sets.effective & bit(CAP_SETPCAP)) != 0) {
    for (int capability = 0; capability <= CAP_LAST_CAP; ++capability) {
      if ((keep & bit(capability)) != 0) continue;
      // EINVAL: a capability this kernel does not know, nothing to drop.
      if (::prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 && errno != EINVAL) return errno;
    }
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return errno;
  }
  sets.permitted &= keep;
  sets.effective = sets.permitted;
  sets.inheritable = 0;
  if (const int error = set_capabilities(sets); error != 0) return error;
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return errno;
  // Nothing this process might exec gains privileges (setuid binaries, file capabilities).
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  return 0;
}

std::string hex_mask(std::uint64_t mask) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(mask));
  return text;
}

}  // namespace

std::string capability_names(std::uint64_t capabilities) {
  static const std::pair<int, const char*> kNames[] = {
      {CAP_NET_ADMIN, "CAP_NET_ADMIN"}, {CAP_NET_RAW, "CAP_NET_RAW"},
      {CAP_IPC_LOCK, "CAP_IPC_LOCK"},   {CAP_SYS_RAWIO, "CAP_SYS_RAWIO"},
      {CAP_SYS_ADMIN, "CAP_SYS_ADMIN"},
  };
  std::string names;
  for (const auto& [capability, name] : kNames) {
    if ((capabilities & bit(capability)) == 0) continue;
    if (!names.empty()) names += ' ';
    names += name;
    capabilities &= ~bit(capability);
  }
  if (capabilities != 0) names += (names.empty() ? "mask " : " mask ") + hex_mask(capabilities);
  return names.empty() ? "none" : names;
}

std::uint64_t capabilities_ports_need(const config::GatewayConfig& config, std::string& why) {
  std::uint64_t keep = 0;
  why.clear();
  for (const config::PortConfig& port : config.ports) {
    const io::PortDevice device = io::parse_port_device(port.device);
    std::uint64_t needs = 0;
    switch (device.kind) {
      case io::PortDevice::Kind::kRing:
      case io::PortDevice::Kind::kAfPacket:
        break;
      case io::PortDevice::Kind::kTap:
        needs = bit(CAP_NET_ADMIN);
        break;
      case io::PortDevice::Kind::kPci:
        needs = bit(CAP_IPC_LOCK) | bit(CAP_SYS_RAWIO);
        break;
      case io::PortDevice::Kind::kOtherVdev:
        // A driver we know nothing of: keep what the known ones use together.
        needs = bit(CAP_NET_ADMIN) | bit(CAP_IPC_LOCK) | bit(CAP_SYS_RAWIO);
        break;
    }
    keep |= needs;
    if (!why.empty()) why += ", ";
    why += device.name + ": " + capability_names(needs);
  }
  return keep;
}

std::optional<config::ConfigError> plan_privileges(const config::GatewayConfig& config,
                                                   PrivilegePlan& plan) {
  plan.keep = capabilities_ports_need(config, plan.why);
  const config::InterfaceConfig& interface = config.interface;
  if (!interface.user) return std::nullopt;
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  const int error =
      ::getpwnam_r(interface.user->c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (found == nullptr) {
    const config::KeyPosition& at = interface.user_at;
    return config::ConfigError{
        at.file, at.line, at.column, "interface.user",
        "no user '" + *interface.user + "' on this host" +
            (error != 0 ? std::string(" (") + std::strerror(error) + ")" : "") +
            " -> useradd --system --no-create-home --shell /usr/sbin/nologin " + *interface.user};
  }
  plan.user = *interface.user;
  plan.uid = entry.pw_uid;
  plan.gid = entry.pw_gid;
  return std::nullopt;
}

bool drop_privileges(const PrivilegePlan& plan, std::string& error) {
  g_keep.store(plan.keep);
  if (plan.user) {
    if (!run_on_every_thread(keep_capabilities_across_setuid, error)) {
      error = "PR_SET_KEEPCAPS: " + error;
      return false;
    }
    // glibc applies these to every thread. Groups first: they need CAP_SETGID, as setresgid
    // does, and setresuid last: it gives up the rest.
    if (::initgroups(plan.user->c_str(), plan.gid) != 0) {
      error = "initgroups(" + *plan.user + "): " + std::strerror(errno);
      return false;
    }
    if (::setresgid(plan.gid, plan.gid, plan.gid) != 0) {
      error = "setresgid(" + std::to_string(plan.gid) + "): " + std::strerror(errno);
      return false;
    }
    if (::setresuid(plan.uid, plan.uid, plan.uid) != 0) {
      error = "setresuid(" + std::to_string(plan.uid) + "): " + std::strerror(errno);
      return false;
    }
  }
  if (!run_on_every_thread(drop_capabilities, error)) {
    error = "dropping capabilities: " + error;
    return false;
  }
  return true;
}

std::string check_every_thread(uid_t uid, std::uint64_t keep) {
  std::string problems;
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return std::string("cannot list /proc/self/task: ") + std::strerror(errno);
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream status(std::string("/proc/self/task/") + entry->d_name + "/status");
    std::string line;
    while (std::getline(status, line)) {
      std::istringstream fields(line);
      std::string name;
      fields >> name;
      std::string problem;
      if (name == "Uid:") {
        uid_t real = 0;
        uid_t effective = 0;
        uid_t saved = 0;
        fields >> real >> effective >> saved;
        if (real != uid || effective != uid || saved != uid) problem = line;
      } else if (name == "CapEff:" || name == "CapPrm:" || name == "CapAmb:") {
        std::string mask;
        fields >> mask;
        if ((std::stoull(mask, nullptr, 16) & ~keep) != 0) problem = line;
      } else if (name == "NoNewPrivs:") {
        int set = 0;
        fields >> set;
        if (set != 1) problem = line;
      }
      if (!problem.empty()) {
        if (!problems.empty()) problems += "; ";
        problems += std::string("thread ") + entry->d_name + ": " + problem;
      }
    }
  }
  ::closedir(dir);
  return problems;
}

bool drop_privileges_after_start(const PrivilegePlan& plan, bool keep_core_dumps, Log& log) {
  std::string error;
  if (!drop_privileges(plan, error)) {
    log.error("cannot drop privileges: " + error);
    return false;
  }
  if (!keep_core_dumps && !disable_core_dumps(error)) {
    log.error(error);
    return false;
  }
  if (const std::string problems = check_every_thread(plan.uid, plan.keep); !problems.empty()) {
    log.error("privileges still held after the drop: " + problems);
    return false;
  }
  const std::string who = plan.user
                              ? "user " + *plan.user + " (uid " + std::to_string(plan.uid) + ")"
                              : std::string("root (no [interface] user)");
  log.info("privileges: " + who + ", capabilities " + capability_names(plan.keep) + " (" +
           plan.why + "), no_new_privs, on every thread");
  if (const std::string failure = crypto::SecretArena::instance().lock_failure();
      !failure.empty()) {
    log.warning("keys are in memory that could not be locked (" + failure +
                "): they may be written to swap; raise LimitMEMLOCK / RLIMIT_MEMLOCK");
  }
  return true;
}

}  // namespace actorwire::apps
