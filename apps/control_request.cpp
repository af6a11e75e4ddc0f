#include "apps/control_request.hpp"

namespace actorwire::apps {

nlohmann::json control_error_answer(const std::string& message) {
  return {{"version", kControlProtocolVersion}, {"error", message}};
}

nlohmann::json answer_control_request(const std::string& request, const ControlHandler& handler) {
  const nlohmann::json parsed = nlohmann::json::parse(request, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return control_error_answer("not a JSON object; send {\"version\": 1, \"command\": \"stats\"}");
  }
  const auto version = parsed.find("version");
  // Compared as JSON numbers: get<int>() would wrap 4294967297 to 1 and accept it.
  if (version == parsed.end() || !version->is_number_integer() ||
      *version != kControlProtocolVersion) {
    return control_error_answer("unsupported protocol version; this daemon speaks version " +
                                std::to_string(kControlProtocolVersion));
  }
  const auto command = parsed.find("command");
  if (command == parsed.end() || !command->is_string()) {
    return control_error_answer("no \"command\" string");
  }
  nlohmann::json result = handler(command->get<std::string>());
  if (result.is_null()) {
    return control_error_answer("unknown command '" + command->get<std::string>() + "'");
  }
  return result;
}

}  // namespace actorwire::apps
