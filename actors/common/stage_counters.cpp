#include "actors/common/stage_counters.hpp"

namespace actorwire::actors {

std::uint64_t StageCounters::drops_total() const {
  std::uint64_t total = 0;
  for (const auto& counter : drops) total += counter.get();
  return total;
}

}  // namespace actorwire::actors
