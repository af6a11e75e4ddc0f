// A peer's transport keypairs as the data plane holds them: current, previous and next, rotated
// exactly like the kernel's noise_keypairs, so packets still in flight under the previous key
// decrypt, and a responder's new keys are used for sending only once the initiator has proved
// it has them (its first packet under the new key).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/messages.hpp"
#include "crypto/replay_window.hpp"

namespace actorwire::actors {

using Clock = std::chrono::steady_clock;

struct Keypair {
  crypto::SecretKey send_key;
  crypto::SecretKey receive_key;
  std::uint32_t local_index = 0;   // the peer writes it on packets to us
  std::uint32_t remote_index = 0;  // we write it on packets to the peer
  bool initiator = false;
  bool expires = true;  // false for static (benchmark) sessions: no handshake renews them
  Clock::time_point created{};
  std::uint64_t next_send_counter = 0;
  crypto::ReplayWindow replay;
  // The receive path asked for a rekey once, shortly before REJECT_AFTER_TIME.
  bool asked_for_last_minute_handshake = false;

  // May we seal with it now? (age < REJECT_AFTER_TIME, counter below REJECT_AFTER_MESSAGES)
  bool usable_for_sending(Clock::time_point now) const;
  // May a packet that claims it be opened now?
  bool usable_for_receiving(Clock::time_point now) const;
  // Sending should trigger a new handshake (REKEY_AFTER_MESSAGES, or the initiator's
  // REKEY_AFTER_TIME).
  bool wants_rekey_on_send(Clock::time_point now) const;
  // Receiving should trigger one: the initiator's key is near REJECT_AFTER_TIME (165 s).
  bool wants_rekey_on_receive(Clock::time_point now) const;
};

class PeerSessions {
 public:
  enum class Slot { kCurrent, kPrevious, kNext };

  // Adds freshly derived keys (kernel add_new_keypair): an initiator's become current at once;
  // a responder's wait in `next`. Indices of keypairs that fell out are appended to `retired`.
  void install(std::unique_ptr<Keypair> keypair, std::vector<std::uint32_t>& retired);
  // A packet authenticated under `keypair`: if it is `next`, it becomes current (true: the
  // handshake is confirmed and staged packets may go).
  bool received_with(const Keypair* keypair, std::vector<std::uint32_t>& retired);
  void clear(std::vector<std::uint32_t>& retired);

  Keypair* current() { return current_.get(); }
  Keypair* find(std::uint32_t local_index);
  bool empty() const { return !current_ && !previous_ && !next_; }

 private:
  std::unique_ptr<Keypair> current_;
  std::unique_ptr<Keypair> previous_;
  std::unique_ptr<Keypair> next_;
};

}  // namespace actorwire::actors
