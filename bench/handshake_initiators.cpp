#include "bench/handshake_initiators.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "crypto/blake2s.hpp"
#include "crypto/tai64n.hpp"

namespace actorwire::bench {

Initiator::Initiator(const crypto::SecretKey& private_key, const crypto::PublicKey& responder)
    : identity(private_key), handshake(identity, responder, std::nullopt), macs(responder) {}

std::vector<std::unique_ptr<Initiator>> make_initiators(const crypto::PublicKey& responder,
                                                        std::size_t count,
                                                        std::optional<std::uint64_t> seed) {
  static constexpr std::string_view kLabel = "actorwire handshake initiator";
  std::vector<std::unique_ptr<Initiator>> initiators;
  initiators.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    crypto::SecretKey key = crypto::random_secret_key();
    if (seed) {
      std::uint8_t numbers[16];
      const std::uint64_t index = i;
      std::memcpy(numbers, &*seed, 8);
      std::memcpy(numbers + 8, &index, 8);
      const crypto::Hash hash = crypto::blake2s_hash(
          {crypto::Bytes(reinterpret_cast<const std::uint8_t*>(kLabel.data()), kLabel.size()),
           crypto::Bytes(numbers, sizeof numbers)});
      std::memcpy(key.data(), hash.data(), key.size());  // X25519 clamps when it uses the key
    }
    initiators.push_back(std::make_unique<Initiator>(key, responder));
    if (!initiators.back()->handshake.valid()) {
      std::fprintf(stderr, "initiator %zu: invalid key pair\n", i);
      std::exit(1);
    }
  }
  return initiators;
}

std::vector<Initiation> build_initiations(std::vector<std::unique_ptr<Initiator>>& initiators,
                                          const InitiationPlan& plan) {
  std::vector<Initiation> initiations(plan.count);
  const std::size_t peers = initiators.size();
  for (std::size_t k = 0; k < plan.count; ++k) {
    Initiator& initiator = *initiators[k % peers];
    Initiation& initiation = initiations[k];
    initiation.peer = k % peers;
    initiation.sender_index = plan.first_sender_index + static_cast<std::uint32_t>(k);
    const auto wall = plan.first_timestamp + plan.step * static_cast<std::int64_t>(k / peers);
    if (!crypto::create_initiation(initiator.handshake, initiation.sender_index,
                                   crypto::to_tai64n(wall), initiation.message)) {
      std::fprintf(stderr, "create_initiation failed\n");
      std::exit(1);
    }
    initiator.macs.add_macs(initiation.message, plan.macs_at);
  }
  return initiations;
}

}  // namespace actorwire::bench
