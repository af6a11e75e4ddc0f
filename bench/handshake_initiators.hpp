// Remote WireGuard peers as initiators, for the handshake benchmarks (handshake_rate in process,
// handshake_flood over UDP): each has its own static key, a Noise handshake state towards one
// responder and a CookieMaker for mac1/mac2. Initiations are built beforehand with crypto/noise,
// exactly as remote initiators build them, so that timing covers the responder only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "crypto/cookie.hpp"
#include "crypto/keys.hpp"
#include "crypto/noise.hpp"

namespace actorwire::bench {

// One remote peer as an initiator.
struct Initiator {
  Initiator(const crypto::SecretKey& private_key, const crypto::PublicKey& responder);
  crypto::LocalIdentity identity;
  crypto::Handshake handshake;
  crypto::CookieMaker macs;
};

struct Initiation {
  crypto::InitiationMessage message;
  std::size_t peer = 0;
  std::uint32_t sender_index = 0;
};

// `count` initiators of `responder`. With a seed, initiator i's private key is
// BLAKE2s("actorwire handshake initiator" || seed || i), so that a second run (another process)
// has the same peers; without one the keys are random.
std::vector<std::unique_ptr<Initiator>> make_initiators(const crypto::PublicKey& responder,
                                                        std::size_t count,
                                                        std::optional<std::uint64_t> seed);

// How build_initiations numbers and dates the messages.
struct InitiationPlan {
  std::size_t count = 0;  // round robin over the initiators: message k is peer k % peers
  // Peer p's r-th initiation (r = k / peers) carries the timestamp first_timestamp + r * step:
  // strictly increasing per peer as long as step is at least the TAI64N granularity (2^24 ns).
  std::chrono::system_clock::time_point first_timestamp;
  std::chrono::nanoseconds step = std::chrono::seconds(1);
  std::uint32_t first_sender_index = 1;  // message k's sender index: first_sender_index + k
  crypto::Clock::time_point macs_at;     // "now" for add_macs (mac2 only with a fresh cookie)
};

// Builds the plan's initiations with valid mac1 (each initiator's handshake state ends as the
// initiator of its last message). Exits the program if crypto/noise refuses.
std::vector<Initiation> build_initiations(std::vector<std::unique_ptr<Initiator>>& initiators,
                                          const InitiationPlan& plan);

}  // namespace actorwire::bench
