// The WireGuard handshake: Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s (whitepaper section 5.4).
// Pure functions over one peer's `Handshake` state; no clocks, no sockets, no threads. mac1/mac2
// and cookies are added and checked separately (cookie.hpp).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include "crypto/blake2s.hpp"
#include "crypto/keys.hpp"
#include "crypto/messages.hpp"
#include "crypto/tai64n.hpp"

namespace actorwire::crypto {

using InitiationMessage = std::array<std::uint8_t, wg::kInitiationSize>;
using ResponseMessage = std::array<std::uint8_t, wg::kResponseSize>;

// This gateway's static identity.
struct LocalIdentity {
  explicit LocalIdentity(const SecretKey& private_key);
  SecretKey private_key;
  PublicKey public_key;
};

enum class HandshakeState {
  kZeroed,
  kCreatedInitiation,   // initiator, waiting for the response
  kConsumedInitiation,  // responder, initiation accepted, response not yet created
  kCreatedResponse,     // responder, response sent: session keys can be derived
  kConsumedResponse,    // initiator, response accepted: session keys can be derived
};

// Responder, step 1: what can be learned from an initiation with our key alone.
struct DecryptedInitiation {
  PublicKey initiator_static;
  std::uint32_t sender_index = 0;
  PublicKey ephemeral;
  SecretKey chaining_key;
  Hash hash{};
};
// Verdict of accept_initiation.
enum class InitiationVerdict {
  kAccepted,
  kBadTimestamp,  // timestamp field does not decrypt
  kReplayed,      // timestamp not newer than the newest accepted from this peer
  kFlood,         // less than 1/kInitiationsPerSecond after the previous one
};
// Transport keys of a completed handshake.
struct SessionKeys {
  SecretKey send_key;
  SecretKey receive_key;
  std::uint32_t local_index = 0;   // the receiver index the peer writes on packets to us
  std::uint32_t remote_index = 0;  // the receiver index we write on packets to the peer
  bool initiator = false;
};
// One peer's handshake state. The static-static DH is computed once, when the peer is added.
class Handshake {
 public:
  Handshake(const LocalIdentity& local, const PublicKey& remote_static,
            const std::optional<SecretKey>& preshared_key);

  // False when the remote static key is a low-order point (the DH result is all zero): such a
  // peer can never complete a handshake and must be refused at configuration time.
  bool valid() const { return valid_; }
  HandshakeState state() const { return state_; }
  const PublicKey& remote_static() const { return remote_static_; }
  std::uint32_t local_index() const { return local_index_; }
  std::uint32_t remote_index() const { return remote_index_; }
  // Forgets the in-progress handshake (ephemeral key, chaining key, hash); keeps the peer's
  // identity and the newest timestamp seen (replay protection survives).
  void clear();
  // A reload changed the peer's PSK: the next handshake mixes in the new one (as wg set does,
  // sessions already derived keep theirs).
  void set_preshared_key(const std::optional<SecretKey>& preshared_key) {
    preshared_key_ = preshared_key ? *preshared_key : SecretKey{};
  }

 private:
  friend bool create_initiation(Handshake&, std::uint32_t, const Tai64n&, InitiationMessage&);
  friend InitiationVerdict accept_initiation(Handshake&, DecryptedInitiation&&, const std::uint8_t*,
                                             std::chrono::steady_clock::time_point);
  friend bool create_response(Handshake&, std::uint32_t, ResponseMessage&);
  friend bool consume_response(Handshake&, const std::uint8_t*);
  friend std::optional<SessionKeys> derive_session(Handshake&);

  const LocalIdentity* local_;
  PublicKey remote_static_;
  SecretKey preshared_key_;  // all zero without a PSK, as the protocol says
  SecretKey static_static_;  // DH(our static private, their static public)
  bool valid_ = false;

  HandshakeState state_ = HandshakeState::kZeroed;
  SecretKey ephemeral_private_;
  PublicKey remote_ephemeral_;
  SecretKey chaining_key_;
  Hash hash_{};
  std::uint32_t local_index_ = 0;
  std::uint32_t remote_index_ = 0;
  Tai64n latest_timestamp_{};
  std::optional<std::chrono::steady_clock::time_point> last_initiation_accepted_;
};

// Initiator: writes a complete initiation except mac1/mac2 (zero). False only if a DH failed.
bool create_initiation(Handshake& handshake, std::uint32_t local_index, const Tai64n& timestamp,
                       InitiationMessage& out);

// `message` is kInitiationSize bytes whose mac1 has been checked. nullopt when the static field
// does not decrypt (not for us, or corrupted).
std::optional<DecryptedInitiation> open_initiation(const LocalIdentity& local,
                                                   const std::uint8_t* message);

// Responder, step 2, with the peer whose public key open_initiation returned.
InitiationVerdict accept_initiation(Handshake& handshake, DecryptedInitiation&& decrypted,
                                    const std::uint8_t* message,
                                    std::chrono::steady_clock::time_point now);

// Responder: after an accepted initiation, writes the response except mac1/mac2.
bool create_response(Handshake& handshake, std::uint32_t local_index, ResponseMessage& out);

// Initiator: `message` (kResponseSize bytes, mac1 checked) answers our initiation. On failure
// the handshake state is unchanged, so a forged response cannot cancel a real one.
bool consume_response(Handshake& handshake, const std::uint8_t* message);

// From kCreatedResponse or kConsumedResponse: derives the keys and clears the handshake.
std::optional<SessionKeys> derive_session(Handshake& handshake);

// The receiver/sender index fields of handshake messages (little-endian u32).
std::uint32_t read_index(const std::uint8_t* field);
void write_index(std::uint8_t* field, std::uint32_t index);

}  // namespace actorwire::crypto
