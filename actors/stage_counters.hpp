// Per-actor counters. Each StageCounters has exactly one writer (its actor); the stats printer
// reads them from another thread, so fields are relaxed atomics updated with load+store (no
// locked read-modify-write on the hot path).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "io/headers.hpp"

namespace actorwire::actors {

// Why a packet was dropped. The first values mirror io::FrameError one to one.
enum class DropReason : std::uint8_t {
  kNone = 0,  // not a drop: the packet goes on
  kTruncatedEthernet = 1,
  kUnsupportedEtherType,
  kTruncatedArp,
  kMalformedArp,
  kTruncatedIp,
  kMalformedIp,
  kTruncatedUdp,
  kMalformedUdp,
  kNoPeer,        // no allowed_ips prefix matches the destination
  kNoSession,     // the peer has no transport keys yet
  kNoEndpoint,    // the peer has no (IPv4) endpoint to send to
  kNoNeighbour,   // next hop MAC unknown (ARP request sent)
  kInnerTooBig,   // inner packet above the tunnel MTU
  kNoBufferRoom,  // mbuf lacks head/tailroom or is chained
  kTxFull,        // the port did not take the packet
  kUnhandled,     // valid but not for this direction/stage yet
  kNotForUs,      // ARP/IP not addressed to this gateway
  // Inbound WireGuard (transport and handshake messages).
  kBadMessage,         // unknown type or wrong size for its type
  kUnknownIndex,       // receiver index matches no keypair or handshake of ours
  kKeyExpired,         // keypair older than REJECT_AFTER_TIME
  kDecryptFailed,      // transport message does not authenticate
  kReplayed,           // counter seen before or too old (replay window)
  kSourceNotAllowed,   // decrypted packet's source is outside the peer's allowed_ips
  kStagedOverflow,     // more than MAX_STAGED_PACKETS waiting for a handshake (oldest goes)
  kHandshakeGaveUp,    // packets waited for a handshake that never completed
  kHandshakeBusy,      // the control actor has no credit left (handshake flood)
  kBadMac1,            // handshake message without a valid mac1
  kRateLimited,        // under load: source over its initiation rate
  kUnknownPeer,        // initiation from a static key we do not know
  kHandshakeRejected,  // does not decrypt / does not match our handshake state
  kHandshakeReplayed,  // initiation timestamp not newer than the last accepted one
  kHandshakeFlood,     // initiations from one peer faster than 50 per second
  kShutdown,           // still in flight between actors when the gateway stopped
  kCount
};
inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::kCount);
std::string_view to_string(DropReason reason);
inline DropReason drop_reason_for(io::FrameError error) {
  return static_cast<DropReason>(static_cast<std::uint8_t>(error));
}

class Counter {
 public:
  void add(std::uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const { return value_.load(std::memory_order_relaxed); }
  void set(std::uint64_t n) { value_.store(n, std::memory_order_relaxed); }
  void raise_to(std::uint64_t n) {
    if (n > get()) set(n);
  }

 private:
  std::atomic<std::uint64_t> value_{0};
};

struct alignas(64) StageCounters {
  explicit StageCounters(std::string actor_name) : name(std::move(actor_name)) {}

  const std::string name;
  Counter packets_in;
  Counter bytes_in;
  Counter packets_out;
  Counter bytes_out;
  std::array<Counter, kDropReasonCount> drops{};
  // Control packets the actor made itself (ARP requests) or consumed (ARP replies to us), so
  // that packets_in + packets_generated == packets_out + packets_consumed + drops_total().
  Counter packets_generated;
  Counter packets_consumed;
  Counter busy_ns;  // time in loops that moved packets
  Counter idle_ns;  // time in loops that found nothing
  // Back-pressure (pipeline stages): batches waiting for this actor now and at most, times it
  // had work but no credit downstream, and the rx back-off it caused.
  Counter mailbox_depth;
  Counter mailbox_high_water;
  // Batches sent to this actor and not yet handled: the sender adds, the receiver subtracts
  // (the one counter with two writers, hence a real atomic).
  std::atomic<std::int64_t> batches_queued{0};
  Counter credit_stalls;
  Counter backoff_events;
  Counter backoff_ns;
  // workers-*: time spent waiting for the shared peer table's lock.
  Counter lock_wait_ns;

  void drop(DropReason reason, std::uint64_t n = 1) {
    drops[static_cast<std::size_t>(reason)].add(n);
  }
  std::uint64_t drops_total() const;
  std::uint64_t drops_of(DropReason reason) const {
    return drops[static_cast<std::size_t>(reason)].get();
  }
};

}  // namespace actorwire::actors
