// What the fuzz targets and the seed generator share: a deterministic random source for libsodium
// (so the gateway makes the same initiation in the generator and in every fuzz run, and a seed
// response stays a valid answer to it), fixed keys, and a gateway control plane with one peer
// whose side of the handshake the world also plays.
#pragma once

#include <sodium.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>

#include "actors/control/control_plane.hpp"
#include "crypto/cookie.hpp"
#include "crypto/noise.hpp"

namespace actorwire::fuzz {

// libsodium's randombytes, replaced by splitmix64 from a fixed seed that every run resets: the
// same input then takes the same path (libFuzzer needs that to reproduce and minimise).
namespace detail {
inline std::uint64_t random_state = 0;
inline std::uint64_t next_random() {
  std::uint64_t z = (random_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
inline const char* random_name() {
  return "actorwire-fuzz-splitmix64";
}
inline std::uint32_t random_u32() {
  return static_cast<std::uint32_t>(next_random());
}
inline void random_stir() {}
inline void random_buf(void* buffer, std::size_t size) {
  auto* bytes = static_cast<std::uint8_t*>(buffer);
  while (size > 0) {
    const std::uint64_t word = next_random();
    const std::size_t n = size < sizeof word ? size : sizeof word;
    std::memcpy(bytes, &word, n);
    bytes += n;
    size -= n;
  }
}
inline randombytes_implementation deterministic_random = {random_name, random_u32, random_stir,
                                                          nullptr,     random_buf, nullptr};
}  // namespace detail

// Call once, before anything else touches libsodium (LLVMFuzzerInitialize, the generator's main).
inline void use_deterministic_random() {
  randombytes_set_implementation(&detail::deterministic_random);
  if (sodium_init() < 0) __builtin_trap();
}
inline void reset_random() {
  detail::random_state = 0;
}

inline crypto::SecretKey fixed_key(std::uint8_t fill) {
  std::uint8_t bytes[wg::kKeySize];
  std::memset(bytes, fill, sizeof bytes);
  bytes[0] &= 248;  // clamped as an X25519 private key
  bytes[31] = static_cast<std::uint8_t>((bytes[31] & 127) | 64);
  return crypto::SecretKey(bytes);
}

inline const actors::Clock::time_point kNow = actors::Clock::time_point() + std::chrono::hours(1);
inline const std::chrono::system_clock::time_point kWallNow =
    std::chrono::system_clock::time_point() + std::chrono::seconds(1'750'000'000);

// The gateway (its ControlPlane, one configured peer with a PSK) and that peer's own handshake
// state. Built fresh for every input after reset_random(), so runs do not influence each other.
struct HandshakeWorld {
  HandshakeWorld() {
    config.interface.private_key = fixed_key(0x11);
    config::PeerConfig peer_config;
    peer_config.public_key = peer.public_key;
    peer_config.preshared_key = fixed_key(0x33);
    peer_config.endpoint = peer_endpoint;
    config.peers = {peer_config};
    actors::ControlPlaneOptions options;
    options.wall_clock = [] { return kWallNow; };
    options.random_seed = 7;
    control = std::make_unique<actors::ControlPlane>(config, counters, options);
    gateway_public = crypto::derive_public_key(config.interface.private_key);
    peer_state = std::make_unique<crypto::Handshake>(peer, gateway_public, fixed_key(0x33));
    peer_macs = std::make_unique<crypto::CookieMaker>(gateway_public);
  }

  // The gateway starts a handshake with its peer: the initiation it sends (for the initiator-side
  // targets, which then feed it a response or cookie reply).
  std::vector<std::uint8_t> gateway_initiates() {
    auto out = control->initiate(0, kNow);
    if (out.datagrams.size() != 1) __builtin_trap();
    return out.datagrams[0].message;
  }

  // Delivers a message from the peer's endpoint; `under_load` sets a backlog that needs mac2.
  actors::ControlOutput deliver(std::span<const std::uint8_t> message, bool under_load,
                                actors::Clock::time_point at = kNow) {
    return control->handle_handshake(message, peer_endpoint, at, under_load ? 100'000 : 0);
  }

  crypto::LocalIdentity peer{fixed_key(0x22)};
  config::Endpoint peer_endpoint = *config::parse_endpoint("192.0.2.2:51820");
  config::GatewayConfig config;
  std::shared_ptr<actors::StageCounters> counters =
      std::make_shared<actors::StageCounters>("handshake");
  std::unique_ptr<actors::ControlPlane> control;
  crypto::PublicKey gateway_public;
  std::unique_ptr<crypto::Handshake> peer_state;   // the peer's view of the handshake
  std::unique_ptr<crypto::CookieMaker> peer_macs;  // mac1/mac2 on what the peer sends us
};

// A completed handshake: the keypair the gateway installed and the peer's session keys.
struct Session {
  actors::Keypair gateway;
  crypto::SessionKeys peer;
};
// The peer initiates (gateway_responds) or the gateway does; each in a fresh world, from a reset
// random source, so the keys are the same in the generator and in the fuzz target.
inline Session establish_session(bool gateway_initiates) {
  reset_random();
  HandshakeWorld world;
  actors::ControlOutput out;
  if (gateway_initiates) {
    const auto initiation = world.gateway_initiates();
    auto decrypted = crypto::open_initiation(world.peer, initiation.data());
    if (!decrypted ||
        crypto::accept_initiation(*world.peer_state, std::move(*decrypted), initiation.data(),
                                  kNow) != crypto::InitiationVerdict::kAccepted) {
      __builtin_trap();
    }
    crypto::ResponseMessage response;
    if (!crypto::create_response(*world.peer_state, 555, response)) __builtin_trap();
    world.peer_macs->add_macs(response, kNow);
    out = world.deliver(response, false);
  } else {
    crypto::InitiationMessage initiation;
    if (!crypto::create_initiation(*world.peer_state, 1234, crypto::to_tai64n(kWallNow),
                                   initiation)) {
      __builtin_trap();
    }
    world.peer_macs->add_macs(initiation, kNow);
    out = world.deliver(initiation, false);
    if (out.datagrams.size() != 1 ||
        !crypto::consume_response(*world.peer_state, out.datagrams[0].message.data())) {
      __builtin_trap();
    }
  }
  if (out.keypairs.size() != 1) __builtin_trap();
  auto peer = crypto::derive_session(*world.peer_state);
  if (!peer) __builtin_trap();
  return Session{std::move(out.keypairs[0].keypair), std::move(*peer)};
}

inline bool same_endpoint(const config::Endpoint& a, const config::Endpoint& b) {
  return a.address == b.address && a.port == b.port;
}

// Writes a valid mac1 (and a zero mac2) on a handshake message sent to the gateway.
inline void recompute_mac1(const crypto::PublicKey& gateway_public,
                           std::span<std::uint8_t> message) {
  crypto::CookieMaker(gateway_public).add_macs(message, kNow);
}

// Every handshake input starts with one byte of options (bit 0: the gateway is under load), then
// the message.
inline constexpr std::size_t kHandshakePrefix = 1;
inline bool under_load_option(const std::uint8_t* data) {
  return (data[0] & 1) != 0;
}

}  // namespace actorwire::fuzz
