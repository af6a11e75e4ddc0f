#include "apps/systemd_notify.hpp"

#include <dlfcn.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>

namespace actorwire::apps {

// libsystemd is opened with dlopen, not linked: the daemon must run where libsystemd.so.0 is
// missing (a container, a minimal image, a non-systemd distribution), and a linked library
// would stop it before main(). Only the prototypes come from Debian's libsystemd-dev
// (decltype below), so a changed signature is still a compile error.
SystemdNotify::SystemdNotify(Log& log) : log_(log) {
  if (std::getenv("NOTIFY_SOCKET") == nullptr) return;  // not under systemd: nothing to tell
  library_ = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (library_ == nullptr) {
    log_.warning(std::string("NOTIFY_SOCKET is set but libsystemd cannot be loaded (") +
                 ::dlerror() + "): running without sd_notify (no READY, no watchdog pings)");
    return;
  }
  auto* notify = reinterpret_cast<decltype(&sd_notify)>(::dlsym(library_, "sd_notify"));
  auto* watchdog_enabled =
      reinterpret_cast<decltype(&sd_watchdog_enabled)>(::dlsym(library_, "sd_watchdog_enabled"));
  if (notify == nullptr || watchdog_enabled == nullptr) {
    log_.warning(
        "libsystemd.so.0 lacks sd_notify or sd_watchdog_enabled: running without "
        "sd_notify");
    return;
  }
  notify_ = notify;
  std::uint64_t usec = 0;
  // > 0: WATCHDOG_USEC is set (and WATCHDOG_PID, if set, is this process).
  if (watchdog_enabled(0, &usec) > 0) watchdog_interval_ = std::chrono::microseconds(usec);
}

SystemdNotify::~SystemdNotify() {
  if (library_ != nullptr) ::dlclose(library_);
}

void SystemdNotify::notify(const std::string& state) {
  if (notify_ == nullptr) return;
  const int result = notify_(0, state.c_str());
  if (result < 0 && !failed_once_) {
    failed_once_ = true;  // once: a broken socket would otherwise log twice a second
    log_.warning(std::string("sd_notify failed: ") + std::strerror(-result));
  }
}

}  // namespace actorwire::apps
