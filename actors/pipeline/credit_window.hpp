// The sending side of one bounded edge between two actors: at most `capacity` batches in
// flight; the receiver returns a credit per batch it is done with. CAF's mailboxes are
// unbounded, so this protocol is what bounds every queue in the pipeline.
#pragma once

#include <cstdint>

namespace actorwire::actors {

class CreditWindow {
 public:
  explicit CreditWindow(std::uint32_t capacity = 0) : capacity_(capacity), available_(capacity) {}

  bool available() const { return available_ > 0; }
  std::uint32_t in_flight() const { return capacity_ - available_; }
  std::uint32_t capacity() const { return capacity_; }
  // Takes a credit for one batch; false (nothing taken) when none is left.
  bool take() {
    if (available_ == 0) return false;
    --available_;
    return true;
  }
  // Credits coming back; false if more came back than were out (a protocol bug: ignored).
  bool give_back(std::uint32_t count) {
    if (count > in_flight()) return false;
    available_ += count;
    return true;
  }

 private:
  std::uint32_t capacity_;
  std::uint32_t available_;
};

}  // namespace actorwire::actors
