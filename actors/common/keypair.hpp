// One transport keypair (the kernel's noise_keypair): keys, indices, the send counter and the
// replay window, with the age and message limits of the WireGuard paper. It is vocabulary: the
// control plane makes keypairs and sends them to the data plane, which rotates them
// (dataplane/peer_sessions.hpp).
#pragma once

#include <cstdint>

#include "actors/common/clock.hpp"
#include "crypto/keys.hpp"
#include "crypto/replay_window.hpp"

namespace actorwire::actors {

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

}  // namespace actorwire::actors
