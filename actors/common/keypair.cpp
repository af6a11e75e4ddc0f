#include "actors/common/keypair.hpp"

#include "crypto/messages.hpp"

namespace actorwire::actors {

bool Keypair::usable_for_sending(Clock::time_point now) const {
  if (!expires) return next_send_counter < wg::kRejectAfterMessages;
  return now - created < wg::kRejectAfterTime && next_send_counter < wg::kRejectAfterMessages;
}

bool Keypair::usable_for_receiving(Clock::time_point now) const {
  return !expires || now - created < wg::kRejectAfterTime;
}

bool Keypair::wants_rekey_on_send(Clock::time_point now) const {
  if (!expires) return false;
  return next_send_counter > wg::kRekeyAfterMessages ||
         (initiator && now - created >= wg::kRekeyAfterTime);
}

bool Keypair::wants_rekey_on_receive(Clock::time_point now) const {
  return expires && initiator && !asked_for_last_minute_handshake &&
         now - created >= wg::kRejectAfterTime - wg::kKeepaliveTimeout - wg::kRekeyTimeout;
}

}  // namespace actorwire::actors
