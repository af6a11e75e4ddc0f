// Batches waiting for credit on one bounded edge, sent in order as credits come back. The
// queue itself stays bounded: upstream only hands over a batch when it had credit for it.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>

#include "actors/common/stage_counters.hpp"
#include "actors/pipeline/credit_window.hpp"
#include "actors/pipeline/packet_batch.hpp"

namespace actorwire::actors {

class Outbox {
 public:
  explicit Outbox(std::uint32_t capacity = 0) : credits_(capacity) {}

  void push(PacketBatch batch) { waiting_.push_back(std::move(batch)); }
  void give_back(std::uint32_t count) { credits_.give_back(count); }

  // Sends waiting batches while there is credit (`send(PacketBatch&&)`); a batch that waits
  // for credit counts as a stall of the sending actor.
  template <class Send>
  void flush(StageCounters& sender, Send&& send) {
    while (!waiting_.empty()) {
      if (!credits_.take()) {
        sender.credit_stalls.add(1);
        return;
      }
      PacketBatch batch = std::move(waiting_.front());
      waiting_.pop_front();
      send(std::move(batch));
    }
  }

 private:
  CreditWindow credits_;
  std::deque<PacketBatch> waiting_;
};

}  // namespace actorwire::actors
