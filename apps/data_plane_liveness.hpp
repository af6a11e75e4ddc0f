// Whether the data plane still makes progress: the rule behind the systemd watchdog (the daemon
// sends WATCHDOG=1 only while it holds, so a stuck stage gets the process restarted).
//
// Each actor proves liveness through a heartbeat counter (StageCounters::heartbeat):
// - a polling actor (it polls its ports or rings whether or not traffic comes) bumps it once
//   per poll, so its heartbeat must advance between any two checks;
// - a scheduled stage bumps it per message it takes from its mailbox, and it may sleep as long
//   as nothing waits for it: it is stuck only when batches were queued for it at the previous
//   check and still are now, and it took none in between.
// Pure bookkeeping, no clock: the caller decides how often to check.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace actorwire::apps {

struct StageSample {
  std::string name;
  bool polls = false;
  std::uint64_t heartbeat = 0;
  std::int64_t queued = 0;  // batches sent to it and not yet taken
};

struct StuckStage {
  std::string name;
  std::string why;  // e.g. "polling actor, no poll since the last check"
};

class DataPlaneLiveness {
 public:
  // Compares `now` with the previous call's samples. The first call (and a stage seen for the
  // first time) only records them. Empty: every stage made progress.
  std::vector<StuckStage> check(const std::vector<StageSample>& now);

 private:
  std::map<std::string, StageSample> previous_;
};

// "single (polling actor, no poll since the last check), crypto0 (...)".
std::string describe(const std::vector<StuckStage>& stuck);

}  // namespace actorwire::apps
