#include "apps/doctor.hpp"

#include <algorithm>
#include <ostream>

#include "config/default_config.hpp"
#include "config/load_config.hpp"
#include "io/host_checks.hpp"

namespace actorwire::apps {

int doctor(const std::string& config_path, const std::string& root, std::ostream& out,
           std::ostream& err) {
  const config::LoadResult loaded =
      config_path.empty()
          ? config::load_config_string(config::default_config_toml(), "<embedded default>")
          : config::load_config_file(config_path);
  for (const auto& warning : loaded.warnings) err << "warning: " << warning << "\n";
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) err << error.to_string() << "\n";
    return 2;
  }
  const io::HostNeeds needs = io::host_needs(*loaded.config);
  const io::CheckLines lines = io::run_host_checks(io::HostTree(root), needs);
  for (const auto& line : lines) out << line.to_string() << "\n";
  const auto problems = std::count_if(lines.begin(), lines.end(), [](const io::CheckLine& line) {
    return line.verdict == io::CheckLine::Verdict::kProblem;
  });
  out << "actorwire doctor: " << loaded.config->source << ": "
      << (problems == 0 ? std::string("no problems")
                        : std::to_string(problems) + (problems == 1 ? " problem" : " problems"))
      << "\n";
  return problems == 0 ? 0 : 1;
}

}  // namespace actorwire::apps
