// The control socket's protocol without the socket (README "Control socket"): one request line,
// a JSON object {"version": 1, "command": "..."}, in; one JSON answer out, the handler's result
// or {"version": 1, "error": "..."}. Pure, so tests and the fuzz target drive it directly.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace actorwire::apps {

inline constexpr int kControlProtocolVersion = 1;

// Answers a well-formed request's command: the result, or null for "unknown command".
using ControlHandler = std::function<nlohmann::json(const std::string& command)>;

nlohmann::json control_error_answer(const std::string& message);

// The answer to one request line (without its newline).
nlohmann::json answer_control_request(const std::string& request, const ControlHandler& handler);

}  // namespace actorwire::apps
