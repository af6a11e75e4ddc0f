// ChaCha20-Poly1305 (RFC 8439, IETF 96-bit nonce) behind one small interface with three back-ends:
// intel-ipsec-mb's job API (the fastest where the CPU has AVX2 or better), OpenSSL 3 EVP and
// libsodium (the reference). `auto` picks at start-up (resolve_aead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/keys.hpp"
#include "crypto/messages.hpp"

namespace actorwire::crypto {

// kAuto is a choice, not a back-end: resolve_aead turns it into one of the others.
enum class AeadKind { kAuto, kOpenSsl, kLibsodium, kIpsecMb };

std::string_view to_string(AeadKind kind);
std::optional<AeadKind> parse_aead_kind(std::string_view text);

// The back-ends that exist (every kind but kAuto), fastest first where the CPU allows.
inline constexpr AeadKind kAeadBackEnds[] = {AeadKind::kIpsecMb, AeadKind::kOpenSsl,
                                             AeadKind::kLibsodium};

struct AeadChoice {
  AeadKind kind = AeadKind::kOpenSsl;  // never kAuto
  std::string why;                     // one line for the start-up log
};
// kAuto -> ipsec-mb when this CPU runs its AVX2 or AVX-512 code, OpenSSL otherwise; any other
// kind stays as it is.
AeadChoice resolve_aead(AeadKind requested);

using AeadNonce = std::array<std::uint8_t, wg::kAeadNonceSize>;

// WireGuard's nonce: 4 zero bytes followed by the little-endian 64-bit counter.
AeadNonce counter_nonce(std::uint64_t counter);

// One packet of a batch: sealed or opened in place, without AAD (WireGuard's transport messages
// have none). `key` and `data` must stay valid until the batch call returns.
struct AeadJob {
  const SecretKey* key = nullptr;
  AeadNonce nonce{};
  std::uint8_t* data = nullptr;
  std::size_t length = 0;
  std::uint8_t* tag = nullptr;  // seal: written; open: checked
  bool ok = false;              // open: the tag verified (data is zeroed when it did not)
};

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

  // A burst of packets at once. The defaults call seal/open per job; ipsec-mb submits them all
  // as jobs and flushes once. open_batch sets every job's `ok`: a bad tag fails only its job.
  virtual void seal_batch(std::span<AeadJob> jobs);
  virtual void open_batch(std::span<AeadJob> jobs);
};

// kAuto is resolved first (resolve_aead).
std::unique_ptr<Aead> make_aead(AeadKind kind);

}  // namespace actorwire::crypto
