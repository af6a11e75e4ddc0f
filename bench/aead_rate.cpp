#include "bench/aead_rate.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace actorwire::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kRing = 64;
constexpr std::size_t kTag = wg::kAeadTagSize;

}  // namespace

AeadRate measure_aead(crypto::AeadKind kind, std::size_t size, double seconds, bool batched) {
  std::unique_ptr<crypto::Aead> aead_holder = crypto::make_aead(kind);
  crypto::Aead& aead = *aead_holder;
  using crypto::counter_nonce;
  const crypto::SecretKey key = crypto::random_secret_key();
  std::vector<std::uint8_t> ring(kRing * (size + kTag), 0x5a);
  auto data = [&](std::size_t i) { return ring.data() + i * (size + kTag); };
  std::uint64_t counter = 0;
  unsigned failures = 0;
  std::vector<crypto::AeadJob> jobs(kRing);
  for (std::size_t i = 0; i < kRing; ++i) jobs[i] = {&key, {}, data(i), size, data(i) + size};

  // One round: seal kRing messages, then open them; returns the two durations.
  auto round = [&](Clock::duration& seal_time, Clock::duration& open_time) {
    const std::uint64_t first = counter;
    const auto t0 = Clock::now();
    if (batched) {
      for (auto& job : jobs) job.nonce = counter_nonce(counter++);
      aead.seal_batch(jobs);
    } else {
      for (std::size_t i = 0; i < kRing; ++i) {
        aead.seal(key, counter_nonce(counter++), {}, data(i), size, data(i) + size);
      }
    }
    const auto t1 = Clock::now();
    if (batched) {
      aead.open_batch(jobs);
      for (const auto& job : jobs) failures += !job.ok;
    } else {
      for (std::size_t i = 0; i < kRing; ++i) {
        failures += !aead.open(key, counter_nonce(first + i), {}, data(i), size, data(i) + size);
      }
    }
    const auto t2 = Clock::now();
    seal_time += t1 - t0;
    open_time += t2 - t1;
  };

  const auto budget =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Clock::duration seal_time{}, open_time{};
  // Warm-up: a tenth of the budget (at least 50 ms) to settle caches and clocks.
  const auto warm_until =
      Clock::now() + std::max(budget / 10, Clock::duration{std::chrono::milliseconds(50)});
  while (Clock::now() < warm_until) round(seal_time, open_time);

  seal_time = open_time = Clock::duration{};
  std::uint64_t rounds = 0;
  while (seal_time < budget || open_time < budget) {
    round(seal_time, open_time);
    ++rounds;
  }
  if (failures != 0) throw std::runtime_error("aead benchmark: opens failed");
  const double calls = static_cast<double>(rounds * kRing);
  return {calls / std::chrono::duration<double>(seal_time).count(),
          calls / std::chrono::duration<double>(open_time).count()};
}

}  // namespace actorwire::bench
