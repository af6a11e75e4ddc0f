#include "crypto/aead.hpp"

#include "crypto/internal.hpp"

namespace actorwire::crypto {

std::string_view to_string(AeadKind kind) {
  switch (kind) {
    case AeadKind::kAuto:
      return "auto";
    case AeadKind::kOpenSsl:
      return "openssl";
    case AeadKind::kLibsodium:
      return "libsodium";
    case AeadKind::kIpsecMb:
      return "ipsec-mb";
  }
  return "unknown";
}

std::optional<AeadKind> parse_aead_kind(std::string_view text) {
  if (text == "auto") return AeadKind::kAuto;
  if (text == "openssl") return AeadKind::kOpenSsl;
  if (text == "libsodium" || text == "sodium") return AeadKind::kLibsodium;
  if (text == "ipsec-mb") return AeadKind::kIpsecMb;
  return std::nullopt;
}

AeadChoice resolve_aead(AeadKind requested) {
  if (requested != AeadKind::kAuto) {
    return {requested, "as configured (not \"auto\")"};
  }
  const detail::IpsecMbSupport support = detail::ipsec_mb_support();
  if (support.fast) {
    return {AeadKind::kIpsecMb, "auto: intel-ipsec-mb runs its " + support.arch + " code here"};
  }
  return {AeadKind::kOpenSsl, "auto: intel-ipsec-mb would run its " + support.arch +
                                  " code here (no AVX2), so OpenSSL"};
}

AeadNonce counter_nonce(std::uint64_t counter) {
  AeadNonce nonce{};  // bytes 0..3 stay zero
  for (std::size_t i = 0; i < 8; ++i) {
    nonce[4 + i] = static_cast<std::uint8_t>(counter >> (8 * i));
  }
  return nonce;
}

void Aead::seal_batch(std::span<AeadJob> jobs) {
  for (AeadJob& job : jobs) {
    seal(*job.key, job.nonce, {}, job.data, job.length, job.tag);
    job.ok = true;
  }
}

void Aead::open_batch(std::span<AeadJob> jobs) {
  for (AeadJob& job : jobs) job.ok = open(*job.key, job.nonce, {}, job.data, job.length, job.tag);
}

std::unique_ptr<Aead> make_aead(AeadKind kind) {
  switch (kind) {
    case AeadKind::kAuto:
      return make_aead(resolve_aead(kind).kind);
    case AeadKind::kOpenSsl:
      return detail::make_openssl_aead();
    case AeadKind::kLibsodium:
      return detail::make_sodium_aead();
    case AeadKind::kIpsecMb:
      return detail::make_ipsec_mb_aead();
  }
  return nullptr;
}

}  // namespace actorwire::crypto
