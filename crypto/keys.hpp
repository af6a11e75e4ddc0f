// Key material: fixed-size secrets that wipe themselves (sodium_memzero) and never print.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/messages.hpp"

namespace actorwire::crypto {

// A 32-byte secret (private key, preshared key, session key). Its bytes live in a slot of the
// locked arena (crypto/secret_arena.hpp: never swapped, never in a core file) and are wiped when
// the key is destroyed, moved from or overwritten; there is deliberately no operator<< and no
// to-string. A default-constructed or moved-from key holds no slot and reads as 32 zero bytes;
// it takes one when first written. Copy-assigning into a key that has a slot takes no new one
// (the data path copies keys that way, into long-lived CryptoArgs).
class SecretKey {
 public:
  SecretKey() = default;
  explicit SecretKey(const std::uint8_t (&bytes)[wg::kKeySize]);
  SecretKey(const SecretKey& other);
  SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_) { other.bytes_ = nullptr; }
  SecretKey& operator=(const SecretKey& other);
  SecretKey& operator=(SecretKey&& other) noexcept;
  ~SecretKey();

  const std::uint8_t* data() const { return bytes_ != nullptr ? bytes_ : kZeros; }
  std::uint8_t* data();
  static constexpr std::size_t size() { return wg::kKeySize; }
  // Constant-time comparison (sodium_memcmp).
  bool equals(const SecretKey& other) const;
  // Zeroes the key in place (its slot stays: the next write takes none).
  void wipe();

 private:
  static constexpr std::uint8_t kZeros[wg::kKeySize] = {};
  std::uint8_t* bytes_ = nullptr;  // a SecretArena slot, or none
};

// A 32-byte public key. Not secret, may be printed as base64.
struct PublicKey {
  std::array<std::uint8_t, wg::kKeySize> bytes{};
  bool operator==(const PublicKey&) const = default;
};

// Decodes standard base64 (with padding, as `wg genkey` prints) into exactly 32 bytes.
// Returns nullopt for bad characters or a wrong decoded length; never echoes the input.
std::optional<SecretKey> parse_secret_key_base64(std::string_view text);
std::optional<PublicKey> parse_public_key_base64(std::string_view text);
std::string to_base64(const PublicKey& key);
// Lower-case hex, as WireGuard's cross-platform userspace API (UAPI) writes keys.
std::string to_hex(const PublicKey& key);
// Appends the secret as base64 (`wg genkey`'s format) or lower-case hex (the UAPI's) to `out`;
// the scratch buffer is wiped. `out` then holds key text: the caller wipes it when done.
void append_base64(std::string& out, const SecretKey& key);
void append_hex(std::string& out, const SecretKey& key);

// X25519: the public key belonging to a private key (crypto_scalarmult_base).
PublicKey derive_public_key(const SecretKey& private_key);

// A fresh X25519 private key exactly as `wg genkey` makes it: 32 random bytes, clamped (the low 3
// bits cleared, bit 255 cleared, bit 254 set).
SecretKey generate_private_key();

// Fills a fresh random secret (randombytes_buf); used for generated demo peers and tests.
SecretKey random_secret_key();

}  // namespace actorwire::crypto
