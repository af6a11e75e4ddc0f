#include "apps/peer_reload.hpp"

#include <cerrno>

#include "apps/stats_snapshot.hpp"
#include "apps/uapi_set.hpp"
#include "config/load_config.hpp"

namespace actorwire::apps {
namespace {

void take_report(actors::PeerChangeReport&& report, ReloadResult& result) {
  for (const auto& refusal : report.refused) result.errors.push_back(refusal.to_string());
  if (!report.error.empty()) result.errors.push_back(report.error);
  result.applied = report.applied;
  if (report.applied) result.changes = std::move(report.changes);
}

}  // namespace

ReloadResult reload_peers(actors::Gateway& gateway, const std::string& path,
                          const ConfigAdjust& adjust) {
  ReloadResult result;
  if (path.empty()) {
    result.errors.emplace_back(
        "the gateway runs the embedded default (no -c file): there is nothing to re-read");
    return result;
  }
  config::LoadResult loaded = config::load_config_file(path);
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) result.errors.push_back(error.to_string());
    return result;
  }
  if (adjust) adjust(*loaded.config);
  take_report(gateway.change_peers(*loaded.config), result);
  return result;
}

nlohmann::json reload_json(const ReloadResult& result) {
  return {{"version", kControlProtocolVersion},
          {"applied", result.applied},
          {"changes", result.changes},
          {"errors", result.errors}};
}

int uapi_set_peers(actors::Gateway& gateway, const std::vector<std::string>& lines,
                   std::string& message, std::vector<std::string>& changes) {
  const auto running = gateway.running_config();
  UapiSetResult set = apply_uapi_set(*running, lines);
  if (set.error != 0) {
    message = set.message;
    return set.error;
  }
  actors::PeerChangeReport report = gateway.change_peers(set.next);
  if (!report.refused.empty()) {
    message = report.refused.front().to_string();
    return EOPNOTSUPP;
  }
  if (!report.applied) {
    message = report.error;
    return EIO;
  }
  changes = std::move(report.changes);
  return 0;
}

}  // namespace actorwire::apps
