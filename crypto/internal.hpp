// Internal to aw_crypto: not part of the public API, included only by crypto/*.cpp.
#pragma once

#include <memory>

#include "crypto/aead.hpp"

namespace actorwire::crypto::detail {

// Calls sodium_init() exactly once per process (thread-safe); throws std::runtime_error if
// libsodium cannot be initialised.
void ensure_sodium_initialized();

std::unique_ptr<Aead> make_openssl_aead();
std::unique_ptr<Aead> make_sodium_aead();

}  // namespace actorwire::crypto::detail
