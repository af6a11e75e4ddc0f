// A peer's WireGuard timers (whitepaper section 6, the kernel's timers.c) as deadlines over
// injected time: events arm or cancel deadlines, expire(now) fires the due ones. No threads, no
// clock reads, so every timer rule is testable with made-up times.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

#include "crypto/messages.hpp"

namespace actorwire::crypto {

class PeerTimers {
 public:
  using Clock = std::chrono::steady_clock;
  using Duration = Clock::duration;

  // What expire() asks the owner to do; several may fire at once.
  struct Actions {
    bool retransmit_initiation = false;  // no response to our initiation yet: send another
    bool new_initiation = false;         // sent data got no answer: start a new handshake
    bool give_up_handshake = false;      // kMaxTimerHandshakes retries failed: drop staged packets
    bool send_keepalive = false;         // passive keepalive or persistent keepalive
    bool zero_key_material = false;      // no new session for 3 x REJECT_AFTER_TIME
    bool any() const {
      return retransmit_initiation || new_initiation || give_up_handshake || send_keepalive ||
             zero_key_material;
    }
  };

  // `persistent_keepalive` 0 = off. `jitter_seed` makes REKEY_TIMEOUT's random jitter
  // reproducible in tests.
  explicit PeerTimers(std::chrono::seconds persistent_keepalive = std::chrono::seconds(0),
                      std::uint32_t jitter_seed = std::random_device{}());

  // --- events, named as in the kernel -----------------------------------------------------------
  void data_sent(Clock::time_point now);      // arms "new handshake" unless armed
  void data_received(Clock::time_point now);  // arms "send keepalive" (or asks for another one)
  void any_authenticated_packet_sent(Clock::time_point now);       // cancels "send keepalive"
  void any_authenticated_packet_received(Clock::time_point now);   // cancels "new handshake"
  void any_authenticated_packet_traversal(Clock::time_point now);  // re-arms persistent keepalive
  // An initiation went out. `retry` is false for a fresh handshake (resets the attempt count).
  void handshake_initiated(Clock::time_point now, bool retry);
  void handshake_complete(Clock::time_point now);
  void session_derived(Clock::time_point now);  // arms key zeroing
  void stop();                                  // cancels everything (peer removed / zeroed)
  // A reload changed the interval (0: off); it takes effect from the next authenticated
  // packet, or at once when turned off.
  void set_persistent_keepalive(std::chrono::seconds interval) {
    persistent_keepalive_ = interval;
    if (interval.count() == 0) persistent_keepalive_deadline_.reset();
  }

  // Fires every deadline at or before `now`.
  Actions expire(Clock::time_point now);
  std::optional<Clock::time_point> next_deadline() const;

  // May an initiation be sent now? At most one per REKEY_TIMEOUT, as the kernel does.
  bool may_initiate(Clock::time_point now) const;
  unsigned handshake_attempts() const { return handshake_attempts_; }
  std::optional<Clock::time_point> last_handshake_completed() const { return last_handshake_; }

 private:
  Duration jitter();

  std::chrono::seconds persistent_keepalive_;
  std::minstd_rand random_;
  std::optional<Clock::time_point> retransmit_handshake_;
  std::optional<Clock::time_point> send_keepalive_;
  std::optional<Clock::time_point> new_handshake_;
  std::optional<Clock::time_point> zero_key_material_;
  std::optional<Clock::time_point> persistent_keepalive_deadline_;
  std::optional<Clock::time_point> last_initiation_sent_;
  std::optional<Clock::time_point> last_handshake_;
  bool need_another_keepalive_ = false;
  unsigned handshake_attempts_ = 0;
};

}  // namespace actorwire::crypto
