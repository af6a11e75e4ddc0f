// sd_notify(3) for `actorwire run` under systemd (Type=notify): READY=1, STATUS=, STOPPING=1,
// WATCHDOG=1. Does nothing outside systemd (no NOTIFY_SOCKET).
#pragma once

#include <chrono>
#include <string>

#include "apps/log.hpp"

namespace actorwire::apps {

class SystemdNotify {
 public:
  // Loads libsystemd when NOTIFY_SOCKET is set; one warning on `log` when it cannot.
  explicit SystemdNotify(Log& log);
  ~SystemdNotify();
  SystemdNotify(const SystemdNotify&) = delete;
  SystemdNotify& operator=(const SystemdNotify&) = delete;

  // Whether notifications reach systemd (NOTIFY_SOCKET set and libsystemd loaded).
  bool active() const { return notify_ != nullptr; }
  // WATCHDOG_USEC, when systemd expects pings from this process (zero: no watchdog).
  std::chrono::microseconds watchdog_interval() const { return watchdog_interval_; }

  // One or more newline-separated assignments, e.g. "READY=1\nSTATUS=forwarding".
  void notify(const std::string& state);

 private:
  Log& log_;
  void* library_ = nullptr;
  int (*notify_)(int, const char*) = nullptr;
  std::chrono::microseconds watchdog_interval_{0};
  bool failed_once_ = false;
};

}  // namespace actorwire::apps
