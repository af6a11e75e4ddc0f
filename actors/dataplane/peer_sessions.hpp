// A peer's transport keypairs as the data plane holds them: current, previous and next, rotated
// exactly like the kernel's noise_keypairs, so packets still in flight under the previous key
// decrypt, and a responder's new keys are used for sending only once the initiator has proved
// it has them (its first packet under the new key).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/common/keypair.hpp"

namespace actorwire::actors {

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
  const Keypair* previous() const { return previous_.get(); }
  Keypair* find(std::uint32_t local_index);
  bool empty() const { return !current_ && !previous_ && !next_; }

 private:
  std::unique_ptr<Keypair> current_;
  std::unique_ptr<Keypair> previous_;
  std::unique_ptr<Keypair> next_;
};

}  // namespace actorwire::actors
