#include "bench/message_cost.hpp"

#include <time.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

#include "caf/all.hpp"

namespace actorwire::bench {
namespace {

// About the pointers a full PacketBatch carries; CAF passes it by reference count, not by copy.
struct FakeBatch {
  std::array<std::uint64_t, 32> slots{};
};

}  // namespace
}  // namespace actorwire::bench

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorwire::bench::FakeBatch)

namespace actorwire::bench {
namespace {

using Clock = std::chrono::steady_clock;
using credit_atom = caf::atom_constant<caf::atom("credit")>;
using go_atom = caf::atom_constant<caf::atom("go")>;

struct Shared {
  std::atomic<std::uint64_t> received{0};
  std::atomic<bool> done{false};
  Clock::time_point deadline;
  unsigned window = 8;
};

caf::behavior receiver(caf::event_based_actor* self, const std::shared_ptr<Shared>& shared) {
  return {[self, shared](const FakeBatch&) {
    shared->received.store(shared->received.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
    self->send(caf::actor_cast<caf::actor>(self->current_sender()), credit_atom::value);
  }};
}

struct SenderState {
  unsigned in_flight = 0;
};

caf::behavior sender(caf::stateful_actor<SenderState>* self, const caf::actor& to,
                     const std::shared_ptr<Shared>& shared) {
  return {
      [self, to, shared](go_atom) {
        for (unsigned i = 0; i < shared->window; ++i) self->send(to, FakeBatch{});
        self->state.in_flight = shared->window;
      },
      [self, to, shared](credit_atom) {
        --self->state.in_flight;
        if (Clock::now() < shared->deadline) {
          self->send(to, FakeBatch{});
          ++self->state.in_flight;
        } else if (self->state.in_flight == 0) {
          shared->done = true;
          self->quit();
        }
      },
  };
}

double process_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

}  // namespace

MessageCost measure_message_cost(double seconds, unsigned threads, unsigned window) {
  caf::actor_system_config config;
  config.set("scheduler.max-threads", threads);
  caf::actor_system system(config);
  auto shared = std::make_shared<Shared>();
  shared->window = window;
  auto to = system.spawn(receiver, shared);
  auto from = system.spawn(sender, to, shared);
  const double cpu_start = process_cpu_ns();
  const auto start = Clock::now();
  shared->deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  caf::anon_send(from, go_atom::value);
  // The sender stops at the deadline; the wait's own bound is for a stuck scheduler.
  const auto give_up = shared->deadline + std::chrono::seconds(5);
  while (!shared->done && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const double wall_ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  const double cpu_ns = process_cpu_ns() - cpu_start;
  caf::anon_send_exit(to, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(from, caf::exit_reason::user_shutdown);
  MessageCost cost;
  const auto messages = static_cast<double>(shared->received.load());
  if (messages == 0) return cost;
  cost.messages_per_second = messages / (wall_ns / 1e9);
  cost.wall_ns_per_message = wall_ns / messages;
  cost.cpu_ns_per_message = cpu_ns / messages;
  return cost;
}

}  // namespace actorwire::bench
