// The control socket's request parser without the socket: what reaches the handler and what is
// answered with an error (the fuzz target control_request checks the same on arbitrary input).
#include <gtest/gtest.h>

#include "apps/control_request.hpp"

using namespace actorwire;

namespace {

nlohmann::json answer(const std::string& request, int* handled = nullptr) {
  return apps::answer_control_request(request, [&](const std::string& command) -> nlohmann::json {
    if (handled != nullptr) ++*handled;
    if (command != "stats") return nullptr;
    return {{"version", 1}, {"peers", nlohmann::json::array()}};
  });
}

std::string error_of(const nlohmann::json& answer) {
  return answer.value("error", std::string());
}

}  // namespace

TEST(ControlRequest, AWellFormedRequestReachesTheHandler) {
  int handled = 0;
  const auto reply = answer(R"({"version": 1, "command": "stats"})", &handled);
  EXPECT_EQ(handled, 1);
  EXPECT_TRUE(reply.contains("peers"));
  EXPECT_EQ(error_of(answer(R"({"version": 1, "command": "frob"})")), "unknown command 'frob'");
}

TEST(ControlRequest, OnlyVersionOneExactly) {
  // 4294967297 is 2^32 + 1: read as an int it wrapped to 1 and was accepted (found by fuzzing).
  for (const char* request :
       {R"({"version": 4294967297, "command": "stats"})",
        R"({"version": -4294967295, "command": "stats"})",
        R"({"version": 1.0, "command": "stats"})", R"({"version": "1", "command": "stats"})",
        R"({"version": 2, "command": "stats"})", R"({"command": "stats"})"}) {
    int handled = 0;
    const auto reply = answer(request, &handled);
    EXPECT_EQ(handled, 0) << request;
    EXPECT_NE(error_of(reply).find("unsupported protocol version"), std::string::npos) << request;
    EXPECT_EQ(reply["version"], 1) << request;
  }
}

TEST(ControlRequest, GarbageAndMissingCommandAreErrors) {
  int handled = 0;
  EXPECT_NE(error_of(answer("stats", &handled)).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(answer("[1]", &handled)).find("not a JSON object"), std::string::npos);
  EXPECT_EQ(error_of(answer(R"({"version": 1, "command": 5})", &handled)), "no \"command\" string");
  EXPECT_EQ(handled, 0);
}
