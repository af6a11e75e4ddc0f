// ACTORWIRE_TEST_DELAY_ACTOR (actors/common/test_delay.hpp): the parser's good and bad values,
// and that StageCounters take their delay by name.
#include <gtest/gtest.h>

#include <chrono>

#include "actors/common/stage_counters.hpp"
#include "actors/common/test_delay.hpp"

namespace actorwire::actors {
namespace {

std::vector<TestDelay> parse_ok(std::string_view text) {
  std::string error;
  auto delays = parse_test_delays(text, error);
  EXPECT_TRUE(delays.has_value()) << text << ": " << error;
  return delays.value_or(std::vector<TestDelay>{});
}

std::string parse_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_test_delays(text, error).has_value()) << text;
  return error;
}

TEST(TestDelayParser, EmptyMeansNone) {
  EXPECT_TRUE(parse_ok("").empty());
  EXPECT_TRUE(parse_ok("  ").empty());
}

TEST(TestDelayParser, OneActor) {
  const auto delays = parse_ok("crypto1=2000");
  ASSERT_EQ(delays.size(), 1u);
  EXPECT_EQ(delays[0].actor, "crypto1");
  EXPECT_EQ(delays[0].microseconds, 2000);
}

TEST(TestDelayParser, SeveralWithStuckAndSpaces) {
  const auto delays = parse_ok("worker0=5, single = stuck ,tx=1");
  ASSERT_EQ(delays.size(), 3u);
  EXPECT_EQ(delays[0].actor, "worker0");
  EXPECT_EQ(delays[0].microseconds, 5);
  EXPECT_EQ(delays[1].actor, "single");
  EXPECT_EQ(delays[1].microseconds, kTestDelayStuck);
  EXPECT_EQ(delays[2].actor, "tx");
  EXPECT_EQ(delays[2].microseconds, 1);
}

TEST(TestDelayParser, BadValuesNameTheEntry) {
  EXPECT_NE(parse_error("crypto1").find("'crypto1': no '='"), std::string::npos);
  EXPECT_NE(parse_error("=100").find("no actor name"), std::string::npos);
  EXPECT_NE(parse_error("rx=").find("not a whole number"), std::string::npos);
  EXPECT_NE(parse_error("rx=10ms").find("'rx=10ms'"), std::string::npos);
  EXPECT_NE(parse_error("rx=-5").find("1 to 60000000"), std::string::npos);
  EXPECT_NE(parse_error("rx=0").find("1 to 60000000"), std::string::npos);
  EXPECT_NE(parse_error("rx=60000001").find("1 to 60000000"), std::string::npos);
  EXPECT_NE(parse_error("rx=99999999999999999999").find("not a whole number"), std::string::npos);
  EXPECT_NE(parse_error("rx=Stuck").find("not a whole number"), std::string::npos);
  EXPECT_NE(parse_error("rx=1,,tx=2").find("no '='"), std::string::npos);
  EXPECT_NE(parse_error("rx=1,rx=2").find("named twice"), std::string::npos);
  EXPECT_NE(parse_error("rx=1,").find("no '='"), std::string::npos);
}

TEST(TestDelay, CountersTakeTheirDelayByName) {
  install_test_delays({{"crypto1", 250}, {"typo", 3}});
  const StageCounters delayed("crypto1");
  const StageCounters other("crypto0");
  EXPECT_EQ(delayed.test_delay_us, 250);
  EXPECT_EQ(other.test_delay_us, 0);
  EXPECT_EQ(unclaimed_test_delays(), std::vector<std::string>{"typo"});

  // The hook busy-waits for a handled batch and not for an empty burst.
  auto start = std::chrono::steady_clock::now();
  delayed.test_delay(true);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::microseconds(250));
  install_test_delays({});
  EXPECT_EQ(StageCounters("crypto1").test_delay_us, 0);
  EXPECT_TRUE(unclaimed_test_delays().empty());
}

TEST(TestDelay, EnvironmentErrorNamesTheVariable) {
  ::setenv(kTestDelayVariable, "crypto1=slow", 1);
  std::string error;
  EXPECT_FALSE(load_test_delays_from_environment(error));
  EXPECT_EQ(error.rfind("ACTORWIRE_TEST_DELAY_ACTOR: 'crypto1=slow'", 0), 0u) << error;
  ::unsetenv(kTestDelayVariable);
  EXPECT_TRUE(load_test_delays_from_environment(error)) << error;
}

}  // namespace
}  // namespace actorwire::actors
