// Internal to aw_crypto: not part of the public API, included only by crypto/*.cpp.
#pragma once

#include <memory>
#include <string>

#include "crypto/aead.hpp"

namespace actorwire::crypto::detail {

// Calls sodium_init() exactly once per process (thread-safe); throws std::runtime_error if
// libsodium cannot be initialised.
void ensure_sodium_initialized();

std::unique_ptr<Aead> make_openssl_aead();
std::unique_ptr<Aead> make_sodium_aead();
std::unique_ptr<Aead> make_ipsec_mb_aead();

// What init_mb_mgr_auto picks on this CPU (once per process), and whether that is fast enough
// to be the default: its AVX2 or AVX-512 code, on a CPU that reports AVX2.
struct IpsecMbSupport {
  std::string arch;  // "SSE", "AVX", "AVX2", "AVX512", "none"
  bool fast = false;
};
IpsecMbSupport ipsec_mb_support();

}  // namespace actorwire::crypto::detail
