#include "crypto/noise.hpp"

#include <sodium.h>

#include <cstring>

#include "crypto/internal.hpp"

namespace actorwire::crypto {
namespace {

using wg::kAeadTagSize;
using wg::kKeySize;

// Ci = HASH(construction), Hi = HASH(Ci || identifier): the same for every handshake, public
// constants (so a Hash, not a SecretKey: no key slot held for the life of the process). A
// handshake's chaining key starts as a SecretKey copy of Ci.
struct InitialState {
  Hash chaining_key{};
  Hash hash{};
  InitialState() {
    chaining_key = blake2s_hash({as_bytes(wg::kConstruction, sizeof(wg::kConstruction) - 1)});
    hash = blake2s_hash({chaining_key, as_bytes(wg::kIdentifier, sizeof(wg::kIdentifier) - 1)});
  }
};

const InitialState& initial_state() {
  static const InitialState state;
  return state;
}

void set_initial_chaining_key(SecretKey& chaining_key) {
  std::memcpy(chaining_key.data(), initial_state().chaining_key.data(), kKeySize);
}

void mix_hash(Hash& hash, Bytes data) {
  hash = blake2s_hash({hash, data});
}

// chaining_key = KDF1(chaining_key, input)
void mix_key(SecretKey& chaining_key, Bytes input) {
  SecretKey out[1];
  kdf(as_bytes(chaining_key), input, out);
  chaining_key = out[0];
}

// (chaining_key, key) = KDF2(chaining_key, input)
void mix_key2(SecretKey& chaining_key, Bytes input, SecretKey& key) {
  SecretKey out[2];
  kdf(as_bytes(chaining_key), input, out);
  chaining_key = out[0];
  key = out[1];
}

// X25519; false for an all-zero result (low-order point), which the protocol must refuse.
bool dh(const SecretKey& private_key, const PublicKey& public_key, SecretKey& out) {
  return crypto_scalarmult(out.data(), private_key.data(), public_key.bytes.data()) == 0;
}

// ChaCha20-Poly1305 with the all-zero nonce: every handshake key encrypts exactly one message.
void seal_field(const SecretKey& key, const Hash& aad, const std::uint8_t* plaintext,
                std::size_t length, std::uint8_t* out) {
  const std::uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES] = {};
  crypto_aead_chacha20poly1305_ietf_encrypt(out, nullptr, plaintext, length, aad.data(), aad.size(),
                                            nullptr, nonce, key.data());
}

bool open_field(const SecretKey& key, const Hash& aad, const std::uint8_t* ciphertext,
                std::size_t plaintext_length, std::uint8_t* out) {
  const std::uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES] = {};
  return crypto_aead_chacha20poly1305_ietf_decrypt(out, nullptr, nullptr, ciphertext,
                                                   plaintext_length + kAeadTagSize, aad.data(),
                                                   aad.size(), nonce, key.data()) == 0;
}

void write_header(std::uint8_t* message, wg::MessageType type) {
  message[0] = static_cast<std::uint8_t>(type);
  message[1] = message[2] = message[3] = 0;
}

PublicKey read_public(const std::uint8_t* field) {
  PublicKey key;
  std::memcpy(key.bytes.data(), field, kKeySize);
  return key;
}

}  // namespace

std::uint32_t read_index(const std::uint8_t* field) {
  return static_cast<std::uint32_t>(field[0]) | static_cast<std::uint32_t>(field[1]) << 8 |
         static_cast<std::uint32_t>(field[2]) << 16 | static_cast<std::uint32_t>(field[3]) << 24;
}

void write_index(std::uint8_t* field, std::uint32_t index) {
  for (int i = 0; i < 4; ++i) field[i] = static_cast<std::uint8_t>(index >> (8 * i));
}

LocalIdentity::LocalIdentity(const SecretKey& key)
    : private_key(key), public_key(derive_public_key(key)) {}

Handshake::Handshake(const LocalIdentity& local, const PublicKey& remote_static,
                     const std::optional<SecretKey>& preshared_key)
    : local_(&local), remote_static_(remote_static) {
  detail::ensure_sodium_initialized();
  if (preshared_key) preshared_key_ = *preshared_key;
  valid_ = dh(local.private_key, remote_static, static_static_);
}

void Handshake::clear() {
  state_ = HandshakeState::kZeroed;
  ephemeral_private_ = SecretKey();
  remote_ephemeral_ = PublicKey();
  chaining_key_ = SecretKey();
  sodium_memzero(hash_.data(), hash_.size());
  local_index_ = 0;
  remote_index_ = 0;
}

bool create_initiation(Handshake& handshake, std::uint32_t local_index, const Tai64n& timestamp,
                       InitiationMessage& out) {
  if (!handshake.valid_) return false;
  const LocalIdentity& local = *handshake.local_;
  out.fill(0);
  write_header(out.data(), wg::MessageType::kInitiation);
  write_index(out.data() + wg::kInitiationSenderOffset, local_index);

  SecretKey chaining_key;
  set_initial_chaining_key(chaining_key);
  Hash hash = initial_state().hash;
  mix_hash(hash, as_bytes(handshake.remote_static_));

  // e
  SecretKey ephemeral = random_secret_key();
  const PublicKey ephemeral_public = derive_public_key(ephemeral);
  std::memcpy(out.data() + wg::kInitiationEphemeralOffset, ephemeral_public.bytes.data(), kKeySize);
  mix_key(chaining_key, as_bytes(ephemeral_public));
  mix_hash(hash, as_bytes(ephemeral_public));

  // es, then s (our static public key, encrypted)
  SecretKey shared;
  SecretKey key;
  if (!dh(ephemeral, handshake.remote_static_, shared)) return false;
  mix_key2(chaining_key, as_bytes(shared), key);
  std::uint8_t* static_field = out.data() + wg::kInitiationStaticOffset;
  seal_field(key, hash, local.public_key.bytes.data(), kKeySize, static_field);
  mix_hash(hash, Bytes(static_field, kKeySize + kAeadTagSize));

  // ss, then the timestamp
  mix_key2(chaining_key, as_bytes(handshake.static_static_), key);
  std::uint8_t* timestamp_field = out.data() + wg::kInitiationTimestampOffset;
  seal_field(key, hash, timestamp.data(), timestamp.size(), timestamp_field);
  mix_hash(hash, Bytes(timestamp_field, wg::kTimestampSize + kAeadTagSize));

  handshake.state_ = HandshakeState::kCreatedInitiation;
  handshake.ephemeral_private_ = ephemeral;
  handshake.chaining_key_ = chaining_key;
  handshake.hash_ = hash;
  handshake.local_index_ = local_index;
  sodium_memzero(hash.data(), hash.size());
  return true;
}

std::optional<DecryptedInitiation> open_initiation(const LocalIdentity& local,
                                                   const std::uint8_t* message) {
  DecryptedInitiation result;
  result.sender_index = read_index(message + wg::kInitiationSenderOffset);
  result.ephemeral = read_public(message + wg::kInitiationEphemeralOffset);
  set_initial_chaining_key(result.chaining_key);
  result.hash = initial_state().hash;
  mix_hash(result.hash, as_bytes(local.public_key));
  mix_key(result.chaining_key, as_bytes(result.ephemeral));
  mix_hash(result.hash, as_bytes(result.ephemeral));

  SecretKey shared;
  SecretKey key;
  if (!dh(local.private_key, result.ephemeral, shared)) return std::nullopt;
  mix_key2(result.chaining_key, as_bytes(shared), key);
  const std::uint8_t* static_field = message + wg::kInitiationStaticOffset;
  if (!open_field(key, result.hash, static_field, kKeySize, result.initiator_static.bytes.data())) {
    return std::nullopt;
  }
  mix_hash(result.hash, Bytes(static_field, kKeySize + kAeadTagSize));
  return result;
}

InitiationVerdict accept_initiation(Handshake& handshake, DecryptedInitiation&& decrypted,
                                    const std::uint8_t* message,
                                    std::chrono::steady_clock::time_point now) {
  SecretKey key;
  mix_key2(decrypted.chaining_key, as_bytes(handshake.static_static_), key);
  const std::uint8_t* timestamp_field = message + wg::kInitiationTimestampOffset;
  Tai64n timestamp;
  if (!open_field(key, decrypted.hash, timestamp_field, timestamp.size(), timestamp.data())) {
    return InitiationVerdict::kBadTimestamp;
  }
  mix_hash(decrypted.hash, Bytes(timestamp_field, wg::kTimestampSize + kAeadTagSize));
  // A replayed initiation carries an old timestamp: the peer's clock only moves forward.
  if (!tai64n_is_after(timestamp, handshake.latest_timestamp_)) {
    return InitiationVerdict::kReplayed;
  }
  if (handshake.last_initiation_accepted_ &&
      now - *handshake.last_initiation_accepted_ <
          std::chrono::nanoseconds(std::chrono::seconds(1)) / wg::kInitiationsPerSecond) {
    return InitiationVerdict::kFlood;
  }
  handshake.clear();
  handshake.state_ = HandshakeState::kConsumedInitiation;
  handshake.remote_ephemeral_ = decrypted.ephemeral;
  handshake.remote_index_ = decrypted.sender_index;
  handshake.chaining_key_ = decrypted.chaining_key;
  handshake.hash_ = decrypted.hash;
  handshake.latest_timestamp_ = timestamp;
  handshake.last_initiation_accepted_ = now;
  return InitiationVerdict::kAccepted;
}

bool create_response(Handshake& handshake, std::uint32_t local_index, ResponseMessage& out) {
  if (handshake.state_ != HandshakeState::kConsumedInitiation) return false;
  out.fill(0);
  write_header(out.data(), wg::MessageType::kResponse);
  write_index(out.data() + wg::kResponseSenderOffset, local_index);
  write_index(out.data() + wg::kResponseReceiverOffset, handshake.remote_index_);

  SecretKey chaining_key = handshake.chaining_key_;
  Hash hash = handshake.hash_;
  // e
  const SecretKey ephemeral = random_secret_key();
  const PublicKey ephemeral_public = derive_public_key(ephemeral);
  std::memcpy(out.data() + wg::kResponseEphemeralOffset, ephemeral_public.bytes.data(), kKeySize);
  mix_key(chaining_key, as_bytes(ephemeral_public));
  mix_hash(hash, as_bytes(ephemeral_public));
  // ee, se
  SecretKey shared;
  if (!dh(ephemeral, handshake.remote_ephemeral_, shared)) return false;
  mix_key(chaining_key, as_bytes(shared));
  if (!dh(ephemeral, handshake.remote_static_, shared)) return false;
  mix_key(chaining_key, as_bytes(shared));
  // psk
  SecretKey psk_out[3];
  kdf(as_bytes(chaining_key), as_bytes(handshake.preshared_key_), psk_out);
  chaining_key = psk_out[0];
  mix_hash(hash, as_bytes(psk_out[1]));
  // empty payload: only the tag
  std::uint8_t* empty_field = out.data() + wg::kResponseEmptyOffset;
  const std::uint8_t nothing[1] = {};
  seal_field(psk_out[2], hash, nothing, 0, empty_field);
  mix_hash(hash, Bytes(empty_field, kAeadTagSize));

  handshake.state_ = HandshakeState::kCreatedResponse;
  handshake.chaining_key_ = chaining_key;
  handshake.hash_ = hash;
  handshake.local_index_ = local_index;
  sodium_memzero(hash.data(), hash.size());
  return true;
}

bool consume_response(Handshake& handshake, const std::uint8_t* message) {
  if (handshake.state_ != HandshakeState::kCreatedInitiation ||
      read_index(message + wg::kResponseReceiverOffset) != handshake.local_index_) {
    return false;
  }
  const LocalIdentity& local = *handshake.local_;
  SecretKey chaining_key = handshake.chaining_key_;
  Hash hash = handshake.hash_;
  const PublicKey ephemeral = read_public(message + wg::kResponseEphemeralOffset);
  mix_key(chaining_key, as_bytes(ephemeral));
  mix_hash(hash, as_bytes(ephemeral));
  SecretKey shared;
  if (!dh(handshake.ephemeral_private_, ephemeral, shared)) return false;
  mix_key(chaining_key, as_bytes(shared));
  if (!dh(local.private_key, ephemeral, shared)) return false;
  mix_key(chaining_key, as_bytes(shared));
  SecretKey psk_out[3];
  kdf(as_bytes(chaining_key), as_bytes(handshake.preshared_key_), psk_out);
  chaining_key = psk_out[0];
  mix_hash(hash, as_bytes(psk_out[1]));
  const std::uint8_t* empty_field = message + wg::kResponseEmptyOffset;
  std::uint8_t nothing[1];
  if (!open_field(psk_out[2], hash, empty_field, 0, nothing)) return false;
  mix_hash(hash, Bytes(empty_field, kAeadTagSize));

  handshake.state_ = HandshakeState::kConsumedResponse;
  handshake.remote_ephemeral_ = ephemeral;
  handshake.remote_index_ = read_index(message + wg::kResponseSenderOffset);
  handshake.chaining_key_ = chaining_key;
  handshake.hash_ = hash;
  sodium_memzero(hash.data(), hash.size());
  return true;
}

std::optional<SessionKeys> derive_session(Handshake& handshake) {
  const bool initiator = handshake.state_ == HandshakeState::kConsumedResponse;
  if (!initiator && handshake.state_ != HandshakeState::kCreatedResponse) return std::nullopt;
  SecretKey keys[2];
  kdf(as_bytes(handshake.chaining_key_), {}, keys);
  SessionKeys session;
  session.send_key = initiator ? keys[0] : keys[1];
  session.receive_key = initiator ? keys[1] : keys[0];
  session.local_index = handshake.local_index_;
  session.remote_index = handshake.remote_index_;
  session.initiator = initiator;
  handshake.clear();
  return session;
}

}  // namespace actorwire::crypto
