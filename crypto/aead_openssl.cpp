// OpenSSL 3 back-end: EVP ChaCha20-Poly1305 from the default provider.
//
// The cipher is fetched once per process. Each instance owns one EVP_CIPHER_CTX that is bound to
// the cipher in the constructor; every call then re-initialises only key and nonce
// (EVP_CipherInit_ex2 with a null cipher), which reuses the provider context and so allocates
// nothing. Passing the cipher again would reset the context and allocate a new provider context.
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

class OpenSslAead final : public Aead {
 public:
  OpenSslAead() {
    const EVP_CIPHER* cipher = chacha20_poly1305();
    if (cipher == nullptr) {
      ERR_clear_error();
      throw std::runtime_error("OpenSSL: ChaCha20-Poly1305 is not available");
    }
    ctx_ = EVP_CIPHER_CTX_new();
    if (ctx_ == nullptr ||
        EVP_CipherInit_ex2(ctx_, cipher, nullptr, nullptr, /*enc=*/1, nullptr) != 1 ||
        EVP_CIPHER_CTX_get_iv_length(ctx_) != static_cast<int>(wg::kAeadNonceSize) ||
        EVP_CIPHER_CTX_get_key_length(ctx_) != static_cast<int>(wg::kKeySize)) {
      EVP_CIPHER_CTX_free(ctx_);
      ERR_clear_error();
      throw std::runtime_error("OpenSSL: cannot set up a ChaCha20-Poly1305 context");
    }
  }
  ~OpenSslAead() override { EVP_CIPHER_CTX_free(ctx_); }  // cleanses the key schedule
  OpenSslAead(const OpenSslAead&) = delete;
  OpenSslAead& operator=(const OpenSslAead&) = delete;

  AeadKind kind() const override { return AeadKind::kOpenSsl; }

  void seal(const SecretKey& key, const AeadNonce& nonce, std::span<const std::uint8_t> aad,
            std::uint8_t* data, std::size_t length, std::uint8_t* tag) override {
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, wg::kAeadTagSize),
        OSSL_PARAM_construct_end()};
    if (!run(/*enc=*/1, key, nonce, aad, data, length) ||
        EVP_CIPHER_CTX_get_params(ctx_, params) != 1) {
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
    if (!run(/*enc=*/0, key, nonce, aad, data, length, params)) {
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
  bool run(int enc, const SecretKey& key, const AeadNonce& nonce, std::span<const std::uint8_t> aad,
           std::uint8_t* data, std::size_t length,
           const OSSL_PARAM* params_before_final = nullptr) {
    if (EVP_CipherInit_ex2(ctx_, nullptr, key.data(), nonce.data(), enc, nullptr) != 1) {
      return false;
    }
    if (!update(nullptr, aad.data(), aad.size())) return false;
    if (!update(data, data, length)) return false;
    if (params_before_final != nullptr &&
        EVP_CIPHER_CTX_set_params(ctx_, params_before_final) != 1) {
      return false;
    }
    unsigned char scratch[EVP_MAX_BLOCK_LENGTH];  // a stream cipher writes nothing here
    int written = 0;
    return EVP_CipherFinal_ex(ctx_, scratch, &written) == 1;
  }

  bool update(std::uint8_t* out, const std::uint8_t* in, std::size_t length) {
    while (length > 0) {
      const std::size_t chunk = std::min(length, kMaxChunk);
      int written = 0;
      if (EVP_CipherUpdate(ctx_, out, &written, in, static_cast<int>(chunk)) != 1) return false;
      if (out != nullptr) out += chunk;
      in += chunk;
      length -= chunk;
    }
    return true;
  }

  EVP_CIPHER_CTX* ctx_ = nullptr;
};

}  // namespace

std::unique_ptr<Aead> make_openssl_aead() {
  return std::make_unique<OpenSslAead>();
}

}  // namespace actorwire::crypto::detail
