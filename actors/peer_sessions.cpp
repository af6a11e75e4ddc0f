#include "actors/peer_sessions.hpp"

namespace actorwire::actors {
namespace {

void retire(std::unique_ptr<Keypair>& slot, std::vector<std::uint32_t>& retired) {
  if (slot) retired.push_back(slot->local_index);
  slot.reset();
}

}  // namespace

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

void PeerSessions::install(std::unique_ptr<Keypair> keypair, std::vector<std::uint32_t>& retired) {
  if (keypair->initiator) {
    if (next_) {
      // A responder keypair never confirmed: it becomes previous (packets under it may still
      // arrive), the current one goes.
      retire(previous_, retired);
      previous_ = std::move(next_);
      retire(current_, retired);
    } else {
      retire(previous_, retired);
      previous_ = std::move(current_);
    }
    current_ = std::move(keypair);
  } else {
    retire(next_, retired);
    next_ = std::move(keypair);
    retire(previous_, retired);
  }
}

bool PeerSessions::received_with(const Keypair* keypair, std::vector<std::uint32_t>& retired) {
  if (keypair == nullptr || keypair != next_.get()) return false;
  retire(previous_, retired);
  previous_ = std::move(current_);
  current_ = std::move(next_);
  return true;
}

void PeerSessions::clear(std::vector<std::uint32_t>& retired) {
  retire(current_, retired);
  retire(previous_, retired);
  retire(next_, retired);
}

Keypair* PeerSessions::find(std::uint32_t local_index) {
  for (auto* slot : {&current_, &previous_, &next_}) {
    if (*slot && (*slot)->local_index == local_index) return slot->get();
  }
  return nullptr;
}

}  // namespace actorwire::actors
