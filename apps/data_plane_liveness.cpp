#include "apps/data_plane_liveness.hpp"

namespace actorwire::apps {

std::vector<StuckStage> DataPlaneLiveness::check(const std::vector<StageSample>& now) {
  std::vector<StuckStage> stuck;
  std::map<std::string, StageSample> current;
  for (const StageSample& sample : now) {
    current[sample.name] = sample;
    const auto before = previous_.find(sample.name);
    if (before == previous_.end()) continue;
    const bool moved = sample.heartbeat != before->second.heartbeat;
    if (moved) continue;
    if (sample.polls) {
      stuck.push_back({sample.name, "polling actor, no poll since the last check"});
    } else if (before->second.queued > 0 && sample.queued > 0) {
      stuck.push_back({sample.name, std::to_string(sample.queued) +
                                        " batch(es) queued, none taken since the last check"});
    }
  }
  previous_ = std::move(current);
  return stuck;
}

std::string describe(const std::vector<StuckStage>& stuck) {
  std::string text;
  for (const StuckStage& stage : stuck) {
    if (!text.empty()) text += ", ";
    text += stage.name + " (" + stage.why + ")";
  }
  return text;
}

}  // namespace actorwire::apps
