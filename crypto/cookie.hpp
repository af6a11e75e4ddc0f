// WireGuard's DoS protection (whitepaper section 5.4.7): mac1 proves the sender knows our public
// key; under load, mac2 proves it can receive at its source address, using a cookie we sent it
// in an encrypted cookie reply. Time is always passed in, so tests need no clock.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "crypto/blake2s.hpp"
#include "crypto/keys.hpp"
#include "crypto/messages.hpp"

namespace actorwire::crypto {

using Clock = std::chrono::steady_clock;
using CookieReplyMessage = std::array<std::uint8_t, wg::kCookieReplySize>;

// Offsets of mac1 and mac2 in a handshake message of `length` bytes (initiation or response):
// both macs are the last 32 bytes.
inline std::size_t mac1_offset(std::size_t length) {
  return length - 2 * wg::kMacSize;
}
inline std::size_t mac2_offset(std::size_t length) {
  return length - wg::kMacSize;
}

// The source a cookie is bound to: IP address bytes (4 or 16) and UDP port, as they appear on
// the wire. The caller fills it from the outer headers.
struct CookieSource {
  std::array<std::uint8_t, 16> address{};
  std::uint8_t address_length = 4;
  std::uint16_t port = 0;
};

enum class MacCheck {
  kBadMac1,      // drop: the sender does not know our public key
  kMac1Only,     // mac1 good, mac2 missing or stale
  kMac1AndMac2,  // mac2 proves the source address
};

// Receiving side, one per gateway: checks macs of handshake messages sent to us and makes
// cookie replies. The cookie secret is random and replaced every kCookieSecretLifetime.
class CookieChecker {
 public:
  explicit CookieChecker(const PublicKey& our_public_key);
  MacCheck check(std::span<const std::uint8_t> message, const CookieSource& source,
                 Clock::time_point now);
  // A cookie reply to a handshake message that passed mac1; `receiver_index` is that message's
  // sender index.
  CookieReplyMessage make_reply(std::span<const std::uint8_t> message, std::uint32_t receiver_index,
                                const CookieSource& source, Clock::time_point now);

 private:
  Mac cookie_for(const CookieSource& source, Clock::time_point now);

  Hash mac1_key_;
  Hash cookie_encryption_key_;
  SecretKey secret_;
  std::optional<Clock::time_point> secret_born_;
};

// Sending side, one per peer: writes mac1/mac2 on our handshake messages and accepts the
// peer's cookie replies.
class CookieMaker {
 public:
  explicit CookieMaker(const PublicKey& peer_public_key);
  // Writes mac1 and mac2 (zero without a fresh cookie) into the last 32 bytes of `message`.
  void add_macs(std::span<std::uint8_t> message, Clock::time_point now);
  // Decrypts a cookie reply (AAD: the mac1 we last sent); false if it does not open or answers
  // nothing we sent.
  bool consume_reply(std::span<const std::uint8_t> reply, Clock::time_point now);
  // Whether a message we sent still waits for its cookie reply (one reply per message).
  bool awaits_reply() const { return last_mac1_sent_.has_value(); }
  bool has_fresh_cookie(Clock::time_point now) const;

 private:
  Hash mac1_key_;
  Hash cookie_decryption_key_;
  std::optional<Mac> last_mac1_sent_;
  Mac cookie_{};
  std::optional<Clock::time_point> cookie_received_;
};

}  // namespace actorwire::crypto
