// The daemon's log lines: journald's <N> priority prefixes off a terminal, words on one, and
// --log-level's threshold.
#include "apps/log.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace actorwire::apps {
namespace {

TEST(Log, JournalStyleCarriesTheSyslogPriority) {
  std::ostringstream out;
  Log log(out, true, LogLevel::kDebug);
  log.error("e");
  log.warning("w");
  log.info("topology single");
  log.debug("d");
  EXPECT_EQ(out.str(),
            "<3>actorwire: e\n<4>actorwire: w\n<6>actorwire: topology single\n<7>actorwire: d\n");
}

TEST(Log, TerminalStyleNamesTheLevelExceptForInfo) {
  std::ostringstream out;
  Log log(out, false, LogLevel::kDebug);
  log.error("e");
  log.warning("w");
  log.info("topology single");
  EXPECT_EQ(out.str(), "actorwire: error: e\nactorwire: warning: w\nactorwire: topology single\n");
}

TEST(Log, TheThresholdDropsLessSevereLines) {
  std::ostringstream out;
  Log log(out, true, LogLevel::kWarning);
  log.info("not shown");
  log.debug("not shown");
  log.warning("shown");
  EXPECT_EQ(out.str(), "<4>actorwire: shown\n");
}

TEST(Log, ParsesTheFourLevelNamesOnly) {
  EXPECT_EQ(parse_log_level("error"), LogLevel::kError);
  EXPECT_EQ(parse_log_level("warning"), LogLevel::kWarning);
  EXPECT_EQ(parse_log_level("info"), LogLevel::kInfo);
  EXPECT_EQ(parse_log_level("debug"), LogLevel::kDebug);
  EXPECT_FALSE(parse_log_level("warn"));
  EXPECT_FALSE(parse_log_level(""));
}

}  // namespace
}  // namespace actorwire::apps
