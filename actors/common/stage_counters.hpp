// Per-actor counters. Each StageCounters has exactly one writer (its actor); the stats printer
// reads them from another thread, so fields are relaxed atomics updated with load+store (no
// locked read-modify-write on the hot path).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "actors/common/drop_reason.hpp"
#include "actors/common/test_delay.hpp"

namespace actorwire::actors {

class Counter {
 public:
  void add(std::uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const { return value_.load(std::memory_order_relaxed); }
  void set(std::uint64_t n) { value_.store(n, std::memory_order_relaxed); }
  void raise_to(std::uint64_t n) {
    if (n > get()) set(n);
  }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// StageCounters' second argument for the actors that poll (ports, rings) all the time.
inline constexpr bool kPollingActor = true;

struct alignas(64) StageCounters {
  explicit StageCounters(std::string actor_name, bool polling_actor = false)
      : name(std::move(actor_name)), polls(polling_actor), test_delay_us(test_delay_for(name)) {}

  const std::string name;
  // Liveness, for the systemd watchdog (apps/data_plane_liveness.hpp): a polling actor (it
  // polls whether or not traffic comes) bumps `heartbeat` once per poll, a scheduled stage
  // once per message it takes from its mailbox.
  const bool polls;
  Counter heartbeat;
  // ACTORWIRE_TEST_DELAY_ACTOR's delay for this actor (test_delay.hpp): 0, microseconds per
  // batch, or kTestDelayStuck. Fixed before the actor runs.
  const std::int64_t test_delay_us;
  Counter packets_in;
  Counter bytes_in;
  Counter packets_out;
  Counter bytes_out;
  std::array<Counter, kDropReasonCount> drops{};
  // Control packets the actor made itself (ARP requests) or consumed (ARP replies to us), so
  // that packets_in + packets_generated == packets_out + packets_consumed + drops_total().
  Counter packets_generated;
  Counter packets_consumed;
  Counter busy_ns;  // time in loops that moved packets
  Counter idle_ns;  // time in loops that found nothing
  // Back-pressure (pipeline stages): batches waiting for this actor now and at most, times it
  // had work but no credit downstream, and the rx back-off it caused.
  Counter mailbox_depth;
  Counter mailbox_high_water;
  // Batches sent to this actor and not yet handled: the sender adds, the receiver subtracts
  // (the one counter with two writers, hence a real atomic).
  std::atomic<std::int64_t> batches_queued{0};
  Counter credit_stalls;
  Counter backoff_events;
  Counter backoff_ns;
  // Pipeline batches this actor made while the batch pool was empty (allocated instead).
  Counter batch_pool_misses;
  // workers-*: time spent waiting for the shared peer table's lock.
  Counter lock_wait_ns;
  // What the gateway did for inner packets as a router (dataplane/ip_services.hpp): ICMP it
  // sent (errors and echo replies), ICMP errors it did not send (rate limit, or not allowed
  // about that packet), SYNs whose MSS it lowered, packets it split into fragments.
  Counter icmp_sent;
  Counter icmp_suppressed;
  Counter mss_clamped;
  Counter packets_fragmented;
  // The handshake actor under a flood: cookie replies it sent (under load, to messages without
  // a valid mac2) and handshake messages that reached the Noise code (its Diffie-Hellman work).
  // Messages refused at mac1 or answered with a cookie never count in noise_messages.
  Counter cookie_replies_sent;
  Counter noise_messages;

  // The fault-injection hook, called once per batch or burst (`handled`: it moved packets);
  // one predictable branch when no delay is set.
  void test_delay(bool handled = true) const {
    if (test_delay_us != 0) [[unlikely]] {
      run_test_delay(test_delay_us, handled);
    }
  }

  void drop(DropReason reason, std::uint64_t n = 1) {
    drops[static_cast<std::size_t>(reason)].add(n);
  }
  std::uint64_t drops_total() const;
  std::uint64_t drops_of(DropReason reason) const {
    return drops[static_cast<std::size_t>(reason)].get();
  }
};

// Mailbox depth in the messages the receiver counts (batches for pipeline stages, handshake
// messages for the control actor): the sender notes each one sent, the receiver each one taken.
// (CAF's own mailbox().size() counts every message type and trips UBSan inside CAF 0.17's
// queue, so the actors count for themselves.) Returns the depth before this one was taken.
inline void note_sent(StageCounters& receiver) {
  receiver.batches_queued.fetch_add(1, std::memory_order_relaxed);
}
inline std::int64_t note_received(StageCounters& receiver) {
  receiver.heartbeat.add();
  const std::int64_t depth = receiver.batches_queued.fetch_sub(1, std::memory_order_relaxed);
  receiver.mailbox_depth.set(static_cast<std::uint64_t>(std::max<std::int64_t>(depth - 1, 0)));
  receiver.mailbox_high_water.raise_to(
      static_cast<std::uint64_t>(std::max<std::int64_t>(depth, 0)));
  return depth;
}

}  // namespace actorwire::actors
