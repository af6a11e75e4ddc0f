// ChaCha20-Poly1305 (RFC 8439, IETF 96-bit nonce) behind one small interface with two back-ends:
// OpenSSL 3 EVP (the default: about 2x faster on this CPU) and libsodium (the reference).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "crypto/keys.hpp"
#include "crypto/messages.hpp"

namespace actorwire::crypto {

enum class AeadKind { kOpenSsl, kLibsodium };

std::string_view to_string(AeadKind kind);
std::optional<AeadKind> parse_aead_kind(std::string_view text);

using AeadNonce = std::array<std::uint8_t, wg::kAeadNonceSize>;

// WireGuard's nonce: 4 zero bytes followed by the little-endian 64-bit counter.
AeadNonce counter_nonce(std::uint64_t counter);

// One instance is used by one thread at a time (the OpenSSL back-end keeps a cipher context);
// give every worker its own.
class Aead {
 public:
  virtual ~Aead() = default;
  virtual AeadKind kind() const = 0;

  // Encrypts `length` bytes at `data` in place and writes the 16-byte tag to `tag`.
  virtual void seal(const SecretKey& key, const AeadNonce& nonce, std::span<const std::uint8_t> aad,
                    std::uint8_t* data, std::size_t length, std::uint8_t* tag) = 0;
  // Verifies `tag` and decrypts in place. Returns false (data unspecified) on a bad tag.
  [[nodiscard]] virtual bool open(const SecretKey& key, const AeadNonce& nonce,
                                  std::span<const std::uint8_t> aad, std::uint8_t* data,
                                  std::size_t length, const std::uint8_t* tag) = 0;
};

std::unique_ptr<Aead> make_aead(AeadKind kind);

}  // namespace actorwire::crypto
