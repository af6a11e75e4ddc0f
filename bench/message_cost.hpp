// What one batch message between two actors on different scheduler threads costs, as the
// pipeline's stages send them: a sender keeps `window` messages in flight to a receiver that
// returns a credit for each (the pipeline's credit protocol), on a CAF scheduler of its own with
// `threads` threads. CPU time per message is the model's per-batch overhead of a stage
// (bench/scaling_model.hpp); wall time per message is the hop's throughput limit.
#pragma once

namespace actorwire::bench {

struct MessageCost {
  double messages_per_second = 0;
  double wall_ns_per_message = 0;
  double cpu_ns_per_message = 0;  // the whole process's CPU time (both threads) per message
};

MessageCost measure_message_cost(double seconds, unsigned threads = 2, unsigned window = 8);

}  // namespace actorwire::bench
