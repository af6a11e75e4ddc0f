// OpenSSL 3 back-end: EVP ChaCha20-Poly1305 from the default provider.
//
// The cipher is fetched once per process. Each instance owns two EVP_CIPHER_CTX, one per
// direction, bound to the cipher in the constructor. A context is keyed only when the key
// differs from the one it holds (a data path seals a burst for one peer with one key); every
// other packet sets only the nonce (EVP_CipherInit_ex2 with a null cipher and key), which skips
// the key set-up and reuses the provider context, so nothing is allocated. Passing the cipher
// again would reset the context and allocate a new provider context.
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "crypto/internal.hpp"

namespace actorwire::crypto::detail {
namespace {

struct CipherDeleter {
  void operator()(EVP_CIPHER* cipher) const { EVP_CIPHER_free(cipher); }
};

const EVP_CIPHER* chacha20_poly1305() {
  // Function-local static: fetched once, thread-safe. Destroyed before OpenSSL's own atexit
  // cleanup, which is registered during the first fetch.
  static const std::unique_ptr<EVP_CIPHER, CipherDeleter> cipher{
      EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr)};
  return cipher.get();
}

// EVP lengths are int; packets are far below INT_MAX, but stay correct for any size_t.
constexpr std::size_t kMaxChunk = static_cast<std::size_t>(INT_MAX) & ~std::size_t{63};

// Equality of two keys without an early exit (what the comparison takes does not depend on
// where they differ).
bool same_key(const SecretKey& a, const SecretKey& b) {
  std::uint64_t difference = 0;
  for (std::size_t i = 0; i < wg::kKeySize; i += sizeof(std::uint64_t)) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, a.data() + i, sizeof x);
    std::memcpy(&y, b.data() + i, sizeof y);
    difference |= x ^ y;
  }
  return difference == 0;
}

// One direction's context and the key it holds.
class KeyedContext {
 public:
  explicit KeyedContext(int enc) : enc_(enc) {
    const EVP_CIPHER* cipher = chacha20_poly1305();
    if (cipher == nullptr) {
      ERR_clear_error();
      throw std::runtime_error("OpenSSL: ChaCha20-Poly1305 is not available");
    }
    ctx_ = EVP_CIPHER_CTX_new();
    if (ctx_ == nullptr || EVP_CipherInit_ex2(ctx_, cipher, nullptr, nullptr, enc, nullptr) != 1 ||
        EVP_CIPHER_CTX_get_iv_length(ctx_) != static_cast<int>(wg::kAeadNonceSize) ||
        EVP_CIPHER_CTX_get_key_length(ctx_) != static_cast<int>(wg::kKeySize)) {
      EVP_CIPHER_CTX_free(ctx_);
      ERR_clear_error();
      throw std::runtime_error("OpenSSL: cannot set up a ChaCha20-Poly1305 context");
    }
  }
  ~KeyedContext() { EVP_CIPHER_CTX_free(ctx_); }  // cleanses the key schedule; key_ wipes itself
  KeyedContext(const KeyedContext&) = delete;
  KeyedContext& operator=(const KeyedContext&) = delete;

  EVP_CIPHER_CTX* get() const { return ctx_; }

  // Starts a message: the key only when it changed, else the nonce alone.
  bool start(const SecretKey& key, const AeadNonce& nonce) {
    const bool rekey = !keyed_ || !same_key(key, key_);
    if (EVP_CipherInit_ex2(ctx_, nullptr, rekey ? key.data() : nullptr, nonce.data(), enc_,
                           nullptr) != 1) {
      keyed_ = false;
      return false;
    }
    if (rekey) {
      key_ = key;
      keyed_ = true;
    }
    return true;
  }

 private:
  EVP_CIPHER_CTX* ctx_ = nullptr;
  int enc_;
  SecretKey key_;
  bool keyed_ = false;
};

class OpenSslAead final : public Aead {
 public:
  OpenSslAead() = default;
  OpenSslAead(const OpenSslAead&) = delete;
  OpenSslAead& operator=(const OpenSslAead&) = delete;

  AeadKind kind() const override { return AeadKind::kOpenSsl; }

  void seal(const SecretKey& key, const AeadNonce& nonce, std::span<const std::uint8_t> aad,
            std::uint8_t* data, std::size_t length, std::uint8_t* tag) override {
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, wg::kAeadTagSize),
        OSSL_PARAM_construct_end()};
    if (!run(sealer_, key, nonce, aad, data, length) ||
        EVP_CIPHER_CTX_get_params(sealer_.get(), params) != 1) {
      ERR_clear_error();
      // Only reachable if OpenSSL itself is broken; never leave an unauthenticated message.
      throw std::runtime_error("OpenSSL: ChaCha20-Poly1305 seal failed");
    }
  }

  bool open(const SecretKey& key, const AeadNonce& nonce, std::span<const std::uint8_t> aad,
            std::uint8_t* data, std::size_t length, const std::uint8_t* tag) override {
    // The tag is set after the (re-)initialisation inside run(), before the final check.
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                          const_cast<std::uint8_t*>(tag), wg::kAeadTagSize),
        OSSL_PARAM_construct_end()};
    if (!run(opener_, key, nonce, aad, data, length, params)) {
      ERR_clear_error();
      // OpenSSL decrypts before it checks the tag; like libsodium, leave no unauthenticated
      // plaintext behind.
      if (length > 0) std::memset(data, 0, length);
      return false;
    }
    return true;
  }

 private:
  // Init with key and nonce, absorb AAD, transform data in place, [set params], finalise.
  static bool run(KeyedContext& context, const SecretKey& key, const AeadNonce& nonce,
                  std::span<const std::uint8_t> aad, std::uint8_t* data, std::size_t length,
                  const OSSL_PARAM* params_before_final = nullptr) {
    EVP_CIPHER_CTX* ctx = context.get();
    if (!context.start(key, nonce)) return false;
    if (!aad.empty() && !update(ctx, nullptr, aad.data(), aad.size())) return false;
    if (!update(ctx, data, data, length)) return false;
    if (params_before_final != nullptr &&
        EVP_CIPHER_CTX_set_params(ctx, params_before_final) != 1) {
      return false;
    }
    unsigned char scratch[EVP_MAX_BLOCK_LENGTH];  // a stream cipher writes nothing here
    int written = 0;
    return EVP_CipherFinal_ex(ctx, scratch, &written) == 1;
  }

  static bool update(EVP_CIPHER_CTX* ctx, std::uint8_t* out, const std::uint8_t* in,
                     std::size_t length) {
    while (length > 0) {
      const std::size_t chunk = std::min(length, kMaxChunk);
      int written = 0;
      if (EVP_CipherUpdate(ctx, out, &written, in, static_cast<int>(chunk)) != 1) return false;
      if (out != nullptr) out += chunk;
      in += chunk;
      length -= chunk;
    }
    return true;
  }

  KeyedContext sealer_{/*enc=*/1};
  KeyedContext opener_{/*enc=*/0};
};

}  // namespace

std::unique_ptr<Aead> make_openssl_aead() {
  return std::make_unique<OpenSslAead>();
}

}  // namespace actorwire::crypto::detail
