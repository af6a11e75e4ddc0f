#include "crypto/peer_timers.hpp"

#include <algorithm>

namespace actorwire::crypto {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kMaxJitter{333};

bool due(const std::optional<PeerTimers::Clock::time_point>& deadline,
         PeerTimers::Clock::time_point now) {
  return deadline && *deadline <= now;
}

}  // namespace

PeerTimers::PeerTimers(std::chrono::seconds persistent_keepalive, std::uint32_t jitter_seed)
    : persistent_keepalive_(persistent_keepalive), random_(jitter_seed) {}

PeerTimers::Duration PeerTimers::jitter() {
  std::uniform_int_distribution<int> distribution(0, static_cast<int>(kMaxJitter.count()));
  return milliseconds(distribution(random_));
}

void PeerTimers::data_sent(Clock::time_point now) {
  // Data sent but nothing authenticated back within KEEPALIVE + REKEY_TIMEOUT: the session is
  // probably dead on the other side; start a new handshake.
  if (!new_handshake_) new_handshake_ = now + wg::kKeepaliveTimeout + wg::kRekeyTimeout + jitter();
}

void PeerTimers::data_received(Clock::time_point now) {
  if (!send_keepalive_) {
    send_keepalive_ = now + wg::kKeepaliveTimeout;
  } else {
    need_another_keepalive_ = true;
  }
}

void PeerTimers::any_authenticated_packet_sent(Clock::time_point) {
  send_keepalive_.reset();
}

void PeerTimers::any_authenticated_packet_received(Clock::time_point) {
  new_handshake_.reset();
}

void PeerTimers::any_authenticated_packet_traversal(Clock::time_point now) {
  if (persistent_keepalive_.count() > 0)
    persistent_keepalive_deadline_ = now + persistent_keepalive_;
}

void PeerTimers::handshake_initiated(Clock::time_point now, bool retry) {
  if (!retry) handshake_attempts_ = 0;
  last_initiation_sent_ = now;
  retransmit_handshake_ = now + wg::kRekeyTimeout + jitter();
}

void PeerTimers::handshake_complete(Clock::time_point now) {
  retransmit_handshake_.reset();
  handshake_attempts_ = 0;
  last_handshake_ = now;
}

void PeerTimers::session_derived(Clock::time_point now) {
  zero_key_material_ = now + wg::kKeyZeroingTime;
}

void PeerTimers::stop() {
  retransmit_handshake_.reset();
  send_keepalive_.reset();
  new_handshake_.reset();
  zero_key_material_.reset();
  persistent_keepalive_deadline_.reset();
  need_another_keepalive_ = false;
  handshake_attempts_ = 0;
}

bool PeerTimers::may_initiate(Clock::time_point now) const {
  return !last_initiation_sent_ || now - *last_initiation_sent_ >= wg::kRekeyTimeout;
}

PeerTimers::Actions PeerTimers::expire(Clock::time_point now) {
  Actions actions;
  if (due(retransmit_handshake_, now)) {
    retransmit_handshake_.reset();
    if (handshake_attempts_ >= wg::kMaxTimerHandshakes) {
      // REKEY_ATTEMPT_TIME (18 x REKEY_TIMEOUT) is over: give up, drop what waited for it.
      actions.give_up_handshake = true;
      send_keepalive_.reset();
      if (!zero_key_material_) zero_key_material_ = now + wg::kKeyZeroingTime;
    } else {
      ++handshake_attempts_;
      actions.retransmit_initiation = true;  // the owner calls handshake_initiated(now, true)
    }
  }
  if (due(send_keepalive_, now)) {
    send_keepalive_.reset();
    actions.send_keepalive = true;
    if (need_another_keepalive_) {
      need_another_keepalive_ = false;
      send_keepalive_ = now + wg::kKeepaliveTimeout;
    }
  }
  if (due(new_handshake_, now)) {
    new_handshake_.reset();
    actions.new_initiation = true;
  }
  if (due(persistent_keepalive_deadline_, now)) {
    persistent_keepalive_deadline_.reset();
    actions.send_keepalive = true;
  }
  if (due(zero_key_material_, now)) {
    zero_key_material_.reset();
    actions.zero_key_material = true;
  }
  return actions;
}

std::optional<PeerTimers::Clock::time_point> PeerTimers::next_deadline() const {
  std::optional<Clock::time_point> next;
  for (const auto& deadline : {retransmit_handshake_, send_keepalive_, new_handshake_,
                               zero_key_material_, persistent_keepalive_deadline_}) {
    if (deadline && (!next || *deadline < *next)) next = deadline;
  }
  return next;
}

}  // namespace actorwire::crypto
