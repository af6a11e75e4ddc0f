// libsodium back-end: the reference implementation.
#include <sodium.h>

#include "crypto/internal.hpp"

namespace actorwire::crypto::detail {
namespace {

static_assert(crypto_aead_chacha20poly1305_ietf_KEYBYTES == wg::kKeySize);
static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == wg::kAeadNonceSize);
static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == wg::kAeadTagSize);

class SodiumAead final : public Aead {
 public:
  SodiumAead() { ensure_sodium_initialized(); }

  AeadKind kind() const override { return AeadKind::kLibsodium; }

  void seal(const SecretKey& key, const AeadNonce& nonce, std::span<const std::uint8_t> aad,
            std::uint8_t* data, std::size_t length, std::uint8_t* tag) override {
    // libsodium declares the message pointer nonnull even for an empty message.
    std::uint8_t empty = 0;
    std::uint8_t* buffer = data != nullptr ? data : &empty;
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(buffer, tag, nullptr, buffer, length,
                                                       aad.data(), aad.size(), nullptr,
                                                       nonce.data(), key.data());
  }

  bool open(const SecretKey& key, const AeadNonce& nonce, std::span<const std::uint8_t> aad,
            std::uint8_t* data, std::size_t length, const std::uint8_t* tag) override {
    std::uint8_t empty = 0;
    std::uint8_t* buffer = data != nullptr ? data : &empty;
    return crypto_aead_chacha20poly1305_ietf_decrypt_detached(buffer, nullptr, buffer, length, tag,
                                                              aad.data(), aad.size(), nonce.data(),
                                                              key.data()) == 0;
  }
};

}  // namespace

std::unique_ptr<Aead> make_sodium_aead() {
  return std::make_unique<SodiumAead>();
}

}  // namespace actorwire::crypto::detail
