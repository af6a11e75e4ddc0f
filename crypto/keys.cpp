#include "crypto/keys.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "crypto/internal.hpp"
#include "crypto/secret_arena.hpp"

namespace actorwire::crypto {

static_assert(crypto_scalarmult_BYTES == wg::kKeySize);
static_assert(crypto_scalarmult_SCALARBYTES == wg::kKeySize);

namespace detail {

void ensure_sodium_initialized() {
  // C++11 guarantees a thread-safe, one-time initialisation of a function-local static.
  // sodium_init() returns 0 on first success, 1 if already initialised, -1 on failure.
  static const int result = sodium_init();
  if (result < 0) throw std::runtime_error("libsodium: sodium_init failed");
}

}  // namespace detail

SecretKey::SecretKey(const std::uint8_t (&bytes)[wg::kKeySize]) {
  std::memcpy(data(), bytes, wg::kKeySize);
}

SecretKey::SecretKey(const SecretKey& other) {
  if (other.bytes_ != nullptr) std::memcpy(data(), other.bytes_, wg::kKeySize);
}

std::uint8_t* SecretKey::data() {
  if (bytes_ == nullptr) bytes_ = SecretArena::instance().take();
  return bytes_;
}

SecretKey& SecretKey::operator=(const SecretKey& other) {
  if (this == &other) return *this;
  if (other.bytes_ == nullptr) {
    wipe();
  } else {
    // Overwritten in place: the old key's bytes are gone, and no slot is taken or given back.
    std::memcpy(data(), other.bytes_, wg::kKeySize);
  }
  return *this;
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this == &other) return *this;
  if (bytes_ != nullptr) SecretArena::instance().give_back(bytes_);  // wipes it
  bytes_ = other.bytes_;
  other.bytes_ = nullptr;
  return *this;
}

SecretKey::~SecretKey() {
  if (bytes_ != nullptr) SecretArena::instance().give_back(bytes_);
}

void SecretKey::wipe() {
  if (bytes_ != nullptr) sodium_memzero(bytes_, wg::kKeySize);
}

bool SecretKey::equals(const SecretKey& other) const {
  return sodium_memcmp(data(), other.data(), wg::kKeySize) == 0;
}

namespace {

// Decodes padded standard base64 into exactly wg::kKeySize bytes at `out`. sodium_base642bin
// rejects characters outside the alphabet, missing or wrong padding, non-canonical trailing bits,
// trailing input (b64_end == nullptr) and output longer than the buffer.
bool decode_key(std::string_view text, std::uint8_t* out) {
  std::size_t decoded = 0;
  if (sodium_base642bin(out, wg::kKeySize, text.data(), text.size(), nullptr, &decoded, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return false;
  }
  return decoded == wg::kKeySize;
}

}  // namespace

std::optional<SecretKey> parse_secret_key_base64(std::string_view text) {
  std::optional<SecretKey> key{std::in_place};
  // Decode straight into the key so that no unwiped copy of the secret is left behind; on failure
  // the partially written key is wiped by its destructor.
  if (!decode_key(text, key->data())) return std::nullopt;
  return key;
}

std::optional<PublicKey> parse_public_key_base64(std::string_view text) {
  PublicKey key;
  if (!decode_key(text, key.bytes.data())) return std::nullopt;
  return key;
}

std::string to_base64(const PublicKey& key) {
  char text[sodium_base64_ENCODED_LEN(wg::kKeySize, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(text, sizeof(text), key.bytes.data(), key.bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  return std::string(text);
}

std::string to_hex(const PublicKey& key) {
  char text[wg::kKeySize * 2 + 1];
  sodium_bin2hex(text, sizeof(text), key.bytes.data(), key.bytes.size());
  return std::string(text);
}

void append_base64(std::string& out, const SecretKey& key) {
  char text[sodium_base64_ENCODED_LEN(wg::kKeySize, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(text, sizeof(text), key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
  out += text;
  sodium_memzero(text, sizeof(text));
}

void append_hex(std::string& out, const SecretKey& key) {
  char text[wg::kKeySize * 2 + 1];
  sodium_bin2hex(text, sizeof(text), key.data(), key.size());
  out += text;
  sodium_memzero(text, sizeof(text));
}

PublicKey derive_public_key(const SecretKey& private_key) {
  detail::ensure_sodium_initialized();
  PublicKey public_key;
  // X25519 clamps the scalar itself; the result of the base-point multiplication is never the
  // all-zero point, so the return value carries no information here.
  (void)crypto_scalarmult_base(public_key.bytes.data(), private_key.data());
  return public_key;
}

SecretKey generate_private_key() {
  SecretKey key = random_secret_key();
  // RFC 7748 clamping, as wg(8)'s curve25519_clamp_secret: X25519 would clamp anyway, but
  // `wg genkey` prints the clamped bytes and so must we.
  key.data()[0] &= 248;
  key.data()[31] = static_cast<std::uint8_t>((key.data()[31] & 127) | 64);
  return key;
}

SecretKey random_secret_key() {
  detail::ensure_sodium_initialized();
  SecretKey key;
  randombytes_buf(key.data(), SecretKey::size());
  return key;
}

}  // namespace actorwire::crypto
