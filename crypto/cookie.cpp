#include "crypto/cookie.hpp"

#include <sodium.h>

#include <cstring>

#include "crypto/internal.hpp"

namespace actorwire::crypto {
namespace {

Hash labelled_key(const char* label, const PublicKey& key) {
  return blake2s_hash({as_bytes(label, 8), as_bytes(key)});
}

Mac mac_over(Bytes key, std::span<const std::uint8_t> message, std::size_t end) {
  return blake2s_mac(key, {message.first(end)});
}

bool equal(const Mac& computed, const std::uint8_t* received) {
  return sodium_memcmp(computed.data(), received, computed.size()) == 0;
}

}  // namespace

CookieChecker::CookieChecker(const PublicKey& our_public_key)
    : mac1_key_(labelled_key(wg::kLabelMac1, our_public_key)),
      cookie_encryption_key_(labelled_key(wg::kLabelCookie, our_public_key)) {
  detail::ensure_sodium_initialized();
}

Mac CookieChecker::cookie_for(const CookieSource& source, Clock::time_point now) {
  if (!secret_born_ || now - *secret_born_ >= wg::kCookieSecretLifetime) {
    secret_ = random_secret_key();
    secret_born_ = now;
  }
  const std::uint8_t port[2] = {static_cast<std::uint8_t>(source.port >> 8),
                                static_cast<std::uint8_t>(source.port)};
  return blake2s_mac(as_bytes(secret_), {Bytes(source.address.data(), source.address_length),
                                         Bytes(port, sizeof(port))});
}

MacCheck CookieChecker::check(std::span<const std::uint8_t> message, const CookieSource& source,
                              Clock::time_point now) {
  const std::size_t length = message.size();
  if (length < 2 * wg::kMacSize) return MacCheck::kBadMac1;
  if (!equal(mac_over(mac1_key_, message, mac1_offset(length)),
             message.data() + mac1_offset(length))) {
    return MacCheck::kBadMac1;
  }
  Mac cookie = cookie_for(source, now);
  const bool mac2_ok =
      equal(mac_over(cookie, message, mac2_offset(length)), message.data() + mac2_offset(length));
  sodium_memzero(cookie.data(), cookie.size());
  return mac2_ok ? MacCheck::kMac1AndMac2 : MacCheck::kMac1Only;
}

CookieReplyMessage CookieChecker::make_reply(std::span<const std::uint8_t> message,
                                             std::uint32_t receiver_index,
                                             const CookieSource& source, Clock::time_point now) {
  CookieReplyMessage reply{};
  reply[0] = static_cast<std::uint8_t>(wg::MessageType::kCookieReply);
  for (int i = 0; i < 4; ++i) {
    reply[wg::kCookieReplyReceiverOffset + i] =
        static_cast<std::uint8_t>(receiver_index >> (8 * i));
  }
  std::uint8_t* nonce = reply.data() + wg::kCookieReplyNonceOffset;
  randombytes_buf(nonce, wg::kCookieNonceSize);
  Mac cookie = cookie_for(source, now);
  const std::uint8_t* mac1 = message.data() + mac1_offset(message.size());
  crypto_aead_xchacha20poly1305_ietf_encrypt(reply.data() + wg::kCookieReplyCookieOffset, nullptr,
                                             cookie.data(), cookie.size(), mac1, wg::kMacSize,
                                             nullptr, nonce, cookie_encryption_key_.data());
  sodium_memzero(cookie.data(), cookie.size());
  return reply;
}

CookieMaker::CookieMaker(const PublicKey& peer_public_key)
    : mac1_key_(labelled_key(wg::kLabelMac1, peer_public_key)),
      cookie_decryption_key_(labelled_key(wg::kLabelCookie, peer_public_key)) {
  detail::ensure_sodium_initialized();
}

bool CookieMaker::has_fresh_cookie(Clock::time_point now) const {
  return cookie_received_ && now - *cookie_received_ < wg::kCookieLifetime;
}

void CookieMaker::add_macs(std::span<std::uint8_t> message, Clock::time_point now) {
  const std::size_t length = message.size();
  const Mac mac1 = mac_over(mac1_key_, message, mac1_offset(length));
  std::memcpy(message.data() + mac1_offset(length), mac1.data(), mac1.size());
  last_mac1_sent_ = mac1;
  Mac mac2{};
  if (has_fresh_cookie(now)) mac2 = mac_over(cookie_, message, mac2_offset(length));
  std::memcpy(message.data() + mac2_offset(length), mac2.data(), mac2.size());
}

bool CookieMaker::consume_reply(std::span<const std::uint8_t> reply, Clock::time_point now) {
  if (reply.size() != wg::kCookieReplySize || !last_mac1_sent_) return false;
  Mac cookie;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          cookie.data(), nullptr, nullptr, reply.data() + wg::kCookieReplyCookieOffset,
          wg::kMacSize + wg::kAeadTagSize, last_mac1_sent_->data(), wg::kMacSize,
          reply.data() + wg::kCookieReplyNonceOffset, cookie_decryption_key_.data()) != 0) {
    return false;
  }
  cookie_ = cookie;
  cookie_received_ = now;
  sodium_memzero(cookie.data(), cookie.size());
  // One reply per message we sent: a replayed reply no longer decrypts.
  last_mac1_sent_.reset();
  return true;
}

}  // namespace actorwire::crypto
