// The control socket's request parser (apps/control_request.hpp) on arbitrary request lines:
// every answer is an object of protocol version 1, and a command reaches the handler only from a
// JSON object whose "version" is exactly 1 and whose "command" is a string.
#include <string>

#include "apps/control_request.hpp"

using namespace actorwire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string request(reinterpret_cast<const char*>(data), size);
  bool handled = false;
  const nlohmann::json answer =
      apps::answer_control_request(request, [&](const std::string& command) -> nlohmann::json {
        handled = true;
        if (command != "stats") return nullptr;
        return {{"version", apps::kControlProtocolVersion}, {"stats", true}};
      });
  if (!answer.is_object() || answer.value("version", 0) != apps::kControlProtocolVersion) {
    __builtin_trap();
  }
  if (handled) {
    const auto parsed = nlohmann::json::parse(request, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("version") || !parsed.contains("command")) {
      __builtin_trap();
    }
    if (parsed["version"] != apps::kControlProtocolVersion) __builtin_trap();  // exactly 1
    if (!parsed["command"].is_string()) __builtin_trap();
  }
  (void)answer.dump();
  return 0;
}
