// `actorwire bench --stage-cost`: each pipeline stage's cost per packet in isolation on one
// core, the cost of a message between cores, and from them (bench/scaling_model.hpp) the
// pipeline's predicted rate for 1..16 crypto workers with the stage that caps it, printed next
// to the measured 1- and 2-worker points so the model is checked where this machine can.
//
// "In isolation on one core": the pipeline with one crypto worker runs with every actor on one
// CAF scheduler thread (rx and tx scheduled, not detached) and the process pinned to one CPU, so
// no stage ever runs beside another; a stage's cost per packet is the time its handlers ran
// (StageCounters::busy_ns) over the packets it took in. That includes the stage's own sends;
// what a message costs when it crosses cores is measured apart (bench/message_cost.hpp).
#pragma once

#include <map>
#include <ostream>
#include <string>

#include "bench/bench_runner.hpp"
#include "bench/message_cost.hpp"
#include "bench/scaling_model.hpp"

namespace actorwire::bench {

struct StageCostReport {
  StageCosts costs;
  MessageCost message;
  double one_core_mpps = 0;  // the pipeline's own rate in the one-core run
  int cpu = -1;              // the CPU the one-core run was pinned to
};

// The one-core run of `point` (its topology and workers are replaced) plus the message cost.
bool measure_stage_costs(const config::GatewayConfig& base, const BenchPoint& point,
                         StageCostReport& report, std::string& error);

// The prediction for 1..max_workers, a core per stage and on `cores` cores, with `measured`
// (workers -> Mpps) beside it, as a markdown table.
std::string prediction_table(const StageCostReport& report, unsigned max_workers, unsigned cores,
                             const std::map<unsigned, double>& measured);

// Everything `--stage-cost` prints: the costs, then the pipeline measured with 1 and 2 workers,
// then the table.
bool run_stage_cost(const config::GatewayConfig& base, const BenchPoint& point, Ceiling& ceiling,
                    std::ostream& out, std::string& error);

}  // namespace actorwire::bench
