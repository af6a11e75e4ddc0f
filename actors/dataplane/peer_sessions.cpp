#include "actors/dataplane/peer_sessions.hpp"

namespace actorwire::actors {
namespace {

void retire(std::unique_ptr<Keypair>& slot, std::vector<std::uint32_t>& retired) {
  if (slot) retired.push_back(slot->local_index);
  slot.reset();
}

}  // namespace

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
