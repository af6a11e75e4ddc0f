// Sealing and opening a burst of frames with one Aead batch call (Aead::seal_batch /
// open_batch), so a back-end that works on several packets at once (intel-ipsec-mb's job API)
// gets them all, and the others pay their per-call set-up once per burst where they can. Frames
// are queued with what their completion needs: their CryptoArgs, copied (the key the job points
// at must stay valid, and the copy is wiped when overwritten or destroyed), or, where the
// caller's outlive the burst (ArgsLifetime::kOutliveBurst: the pipeline's batch slots), read in
// place, which saves a copy and a wipe per packet. The arrays are allocated once, nothing per
// packet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "actors/common/crypto_args.hpp"
#include "actors/common/drop_reason.hpp"
#include "actors/common/tuning.hpp"
#include "actors/dataplane/data_plane_env.hpp"
#include "crypto/aead.hpp"
#include "crypto/transport.hpp"
#include "io/decapsulation.hpp"
#include "io/headers.hpp"

struct rte_mbuf;

namespace actorwire::actors {

// Whether the CryptoArgs given to SealBurst/OpenBurst::add stay where they are, unchanged, until
// seal_all/open_all returns (then the job reads them there), or must be copied (a verdict the
// caller reuses for the next frame).
enum class ArgsLifetime : std::uint8_t { kCopy, kOutliveBurst };

class SealBurst {
 public:
  static constexpr std::size_t kCapacity = tuning::kMaxBurst;

  // Lays out the LAN frame as a WAN frame and queues its seal. kNone: queued, the burst holds
  // the mbuf until seal_all; else why to drop it (the mbuf stays the caller's).
  DropReason add(rte_mbuf* mbuf, const io::ParsedFrame& frame, const CryptoArgs& args,
                 const OuterSource& source, std::uint16_t mtu, std::uint16_t ip_id,
                 ArgsLifetime lifetime = ArgsLifetime::kCopy);
  bool full() const { return count_ == kCapacity; }

  // Seals every queued frame, writes its outer headers and hands it to sent(mbuf, args), in
  // the order they were added.
  template <class Sent>
  void seal_all(crypto::Aead& aead, Sent&& sent) {
    if (count_ == 0) return;
    aead.seal_batch({jobs_.data(), count_});
    finish_all();
    for (std::size_t i = 0; i < count_; ++i) sent(queued_[i].mbuf, *queued_[i].args);
    count_ = 0;
  }

 private:
  void finish_all();

  struct Queued {
    rte_mbuf* mbuf = nullptr;
    const CryptoArgs* args = nullptr;  // &copy, or the caller's (kOutliveBurst)
    CryptoArgs copy;
    io::OuterUdp outer;
    std::size_t message_length = 0;
    std::uint16_t ip_id = 0;
  };
  std::array<Queued, kCapacity> queued_;
  std::array<crypto::AeadJob, kCapacity> jobs_;
  std::size_t count_ = 0;
};

class OpenBurst {
 public:
  static constexpr std::size_t kCapacity = tuning::kMaxBurst;

  struct Opened {
    rte_mbuf* mbuf = nullptr;
    const CryptoArgs* args = nullptr;  // &copy, or the caller's (kOutliveBurst)
    CryptoArgs copy;
    crypto::TransportHeader header;
    io::InboundUdp udp;
    std::size_t index = 0;          // the caller's, passed to add
    bool ok = false;                // authenticated
    std::size_t padded_length = 0;  // of the plaintext, when ok
  };

  // Queues the transport message of a WAN frame; false (nothing queued) when it is too short to
  // hold a tag, which counts as failing to authenticate.
  bool add(rte_mbuf* mbuf, const io::InboundUdp& udp, const crypto::TransportHeader& header,
           const CryptoArgs& args, std::size_t index = 0,
           ArgsLifetime lifetime = ArgsLifetime::kCopy);
  bool full() const { return count_ == kCapacity; }

  // Opens every queued message and hands each to opened(const Opened&), in the order added.
  template <class OpenedFn>
  void open_all(crypto::Aead& aead, OpenedFn&& opened) {
    if (count_ == 0) return;
    aead.open_batch({jobs_.data(), count_});
    for (std::size_t i = 0; i < count_; ++i) {
      queued_[i].ok = jobs_[i].ok;
      queued_[i].padded_length = jobs_[i].length;
      opened(static_cast<const Opened&>(queued_[i]));
    }
    count_ = 0;
  }

 private:
  std::array<Opened, kCapacity> queued_;
  std::array<crypto::AeadJob, kCapacity> jobs_;
  std::size_t count_ = 0;
};

}  // namespace actorwire::actors
