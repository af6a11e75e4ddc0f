#include "apps/log.hpp"

#include <unistd.h>

#include <cstdlib>
#include <ostream>

namespace actorwire::apps {

std::optional<LogLevel> parse_log_level(std::string_view name) {
  if (name == "error") return LogLevel::kError;
  if (name == "warning") return LogLevel::kWarning;
  if (name == "info") return LogLevel::kInfo;
  if (name == "debug") return LogLevel::kDebug;
  return std::nullopt;
}

Log::Log(std::ostream& out, bool journal, LogLevel threshold)
    : out_(out), journal_(journal), threshold_(threshold) {}

bool Log::stderr_wants_journal_style() {
  return std::getenv("JOURNAL_STREAM") != nullptr || ::isatty(STDERR_FILENO) == 0;
}

void Log::write(LogLevel level, std::string_view message) {
  if (!enabled(level)) return;
  std::string line;
  if (journal_) {
    // Appended piecewise: GCC 12 at -O3 reports a false -Wrestrict for `"<" + std::to_string()`.
    line = "<";
    line += std::to_string(static_cast<int>(level));
    line += ">actorwire: ";
  } else {
    line = "actorwire: ";
    if (level == LogLevel::kError) line += "error: ";
    if (level == LogLevel::kWarning) line += "warning: ";
    if (level == LogLevel::kDebug) line += "debug: ";
  }
  line += message;
  line += '\n';
  const std::lock_guard lock(mutex_);
  out_ << line << std::flush;
}

}  // namespace actorwire::apps
