// The daemon's log: one line per event on stderr, the systemd way (the process stays in the
// foreground and journald or the terminal takes the lines).
//
// Under journald (JOURNAL_STREAM set) or whenever stderr is not a terminal, each line starts
// with its syslog priority as sd-daemon(3) defines it ("<3>" error ... "<7>" debug), which
// journald turns into the entry's level; on a terminal the level is a word instead
// ("actorwire: error: ..."), and info lines have none.
#pragma once

#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace actorwire::apps {

// The values are the syslog priorities (SD_ERR, SD_WARNING, SD_INFO, SD_DEBUG).
enum class LogLevel { kError = 3, kWarning = 4, kInfo = 6, kDebug = 7 };

// "error", "warning", "info", "debug"; nullopt for anything else.
std::optional<LogLevel> parse_log_level(std::string_view name);

class Log {
 public:
  // Lines at `threshold` and more severe go to `out`, with "<N>" prefixes when `journal`.
  Log(std::ostream& out, bool journal, LogLevel threshold);
  // journal style for stderr: under systemd (JOURNAL_STREAM) or when it is not a terminal.
  static bool stderr_wants_journal_style();

  void write(LogLevel level, std::string_view message);
  void error(std::string_view message) { write(LogLevel::kError, message); }
  void warning(std::string_view message) { write(LogLevel::kWarning, message); }
  void info(std::string_view message) { write(LogLevel::kInfo, message); }
  void debug(std::string_view message) { write(LogLevel::kDebug, message); }
  bool enabled(LogLevel level) const { return level <= threshold_; }

 private:
  std::ostream& out_;
  bool journal_;
  LogLevel threshold_;
  std::mutex mutex_;  // one whole line at a time, whichever thread logs
};

}  // namespace actorwire::apps
