#include "apps/reload_command.hpp"

#include <ostream>

namespace actorwire::apps {

namespace {
// Loading a 10,000-peer file and rebuilding the tables takes well under this on a busy machine.
constexpr int kReloadTimeoutSeconds = 30;
}  // namespace

int reload_command(const ReloadOptions& options, std::ostream& out, std::ostream& err) {
  std::string error;
  const nlohmann::json answer =
      control_request(options.socket_dir, options.name, "reload", error, kReloadTimeoutSeconds);
  if (answer.is_null()) {
    err << "actorwire reload: " << error << "\n";
    return 1;
  }
  for (const auto& line : answer.value("errors", nlohmann::json::array())) {
    err << line.get<std::string>() << "\n";
  }
  if (!answer.value("applied", false)) {
    err << "actorwire reload: nothing changed\n";
    return 2;
  }
  const auto changes = answer.value("changes", nlohmann::json::array());
  for (const auto& line : changes) out << line.get<std::string>() << "\n";
  if (changes.empty()) out << "no peer changed\n";
  return 0;
}

}  // namespace actorwire::apps
