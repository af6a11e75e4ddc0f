// BLAKE2s (libb2) and the constructions the Noise handshake builds on it: plain and keyed hashes,
// HMAC-BLAKE2s, and HKDF with HMAC-BLAKE2s (Noise's KDF1/KDF2/KDF3).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "crypto/keys.hpp"
#include "crypto/messages.hpp"

namespace actorwire::crypto {

using Hash = std::array<std::uint8_t, wg::kHashSize>;
using Mac = std::array<std::uint8_t, wg::kMacSize>;
using Bytes = std::span<const std::uint8_t>;

// BLAKE2s-256 over the concatenation of `parts`.
Hash blake2s_hash(std::initializer_list<Bytes> parts);
// Keyed BLAKE2s-128 (mac1, mac2, cookies): `key` is 1..32 bytes.
Mac blake2s_mac(Bytes key, std::initializer_list<Bytes> parts);
// HMAC (RFC 2104) with BLAKE2s-256, 64-byte block; `key` at most 64 bytes.
Hash hmac_blake2s(Bytes key, std::initializer_list<Bytes> parts);

// HKDF as WireGuard uses it: t0 = HMAC(chaining_key, input), t1 = HMAC(t0, 0x1),
// t(i) = HMAC(t0, t(i-1) || i). Returns the first `count` (1..3) outputs in `out`; secrets are
// kept in SecretKey so they wipe themselves.
void kdf(Bytes chaining_key, Bytes input, std::span<SecretKey> out);

inline Bytes as_bytes(const SecretKey& key) {
  return {key.data(), SecretKey::size()};
}
inline Bytes as_bytes(const PublicKey& key) {
  return key.bytes;
}
template <std::size_t N>
Bytes as_bytes(const std::array<std::uint8_t, N>& bytes) {
  return bytes;
}
inline Bytes as_bytes(const char* text, std::size_t length) {
  return {reinterpret_cast<const std::uint8_t*>(text), length};
}

}  // namespace actorwire::crypto
