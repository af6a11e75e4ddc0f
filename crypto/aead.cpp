#include "crypto/aead.hpp"

#include "crypto/internal.hpp"

namespace actorwire::crypto {

std::string_view to_string(AeadKind kind) {
  switch (kind) {
    case AeadKind::kOpenSsl:
      return "openssl";
    case AeadKind::kLibsodium:
      return "libsodium";
  }
  return "unknown";
}

std::optional<AeadKind> parse_aead_kind(std::string_view text) {
  if (text == "openssl") return AeadKind::kOpenSsl;
  if (text == "libsodium" || text == "sodium") return AeadKind::kLibsodium;
  return std::nullopt;
}

AeadNonce counter_nonce(std::uint64_t counter) {
  AeadNonce nonce{};  // bytes 0..3 stay zero
  for (std::size_t i = 0; i < 8; ++i) {
    nonce[4 + i] = static_cast<std::uint8_t>(counter >> (8 * i));
  }
  return nonce;
}

std::unique_ptr<Aead> make_aead(AeadKind kind) {
  switch (kind) {
    case AeadKind::kOpenSsl:
      return detail::make_openssl_aead();
    case AeadKind::kLibsodium:
      return detail::make_sodium_aead();
  }
  return nullptr;
}

}  // namespace actorwire::crypto
