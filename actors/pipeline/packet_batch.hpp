// The unit of work between the pipeline's actors: up to batch_size packets with, per packet,
// what the next stage needs (CryptoArgs, parsed offsets, the inbound verdict). Ownership of the
// mbufs moves with the message; a stage that drops a packet frees it, counts why and leaves a
// hole (mbuf == nullptr), so the batch keeps its place in the per-port order.
//
// Batches come from a BatchPool and go back to it when the message that holds the last handle
// is destroyed: no allocation and no zero-filled slots per batch. A slot taken from the pool
// keeps what its last packet left in it (the classifiers overwrite what they decide, as the
// run-to-completion engine's one reused FrameVerdict shows); only the keys are wiped on return.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/common/stage_counters.hpp"
#include "actors/dataplane/frame_classifier.hpp"
#include "actors/dataplane/peer_plane.hpp"
#include "crypto/transport.hpp"
#include "io/decapsulation.hpp"
#include "io/headers.hpp"

struct rte_mbuf;
struct rte_ring;

namespace actorwire::actors {

// What the next stage does with a packet.
enum class SlotAction : std::uint8_t {
  kSeal,       // outbound: crypto seals with args, tx sends to args.endpoint_ip on the WAN
  kOpen,       // inbound: crypto opens with args, lookup accepts, tx delivers on the LAN
  kDeliver,    // inbound, accepted: tx decapsulates and sends to delivery.destination_v4
  kTransmit,   // a finished WAN frame (keepalive, handshake): tx sends to next_hop
  kNeighbour,  // ARP or neighbour discovery for the tx actor's PortSide (port in `from_wan`)
  kAnswer,     // the gateway's answer (echo reply, ICMP error): tx sends it back out the port
               // the frame came in on (`from_wan`), to the neighbour that sent it
};

struct PacketSlot {
  rte_mbuf* mbuf = nullptr;
  SlotAction action = SlotAction::kSeal;
  bool from_wan = false;
  std::uint32_t route = PeerPlane::kNotRouted;  // outbound: lookup's PeerPlane::route_burst
  // Lookup's verdict: the parsed frame (kSeal, kNeighbour), the WAN UDP offsets (kOpen, kDeliver),
  // the transport header (kOpen) and the CryptoArgs (kSeal, kOpen).
  FrameVerdict verdict;
  std::size_t padded_length = 0;  // kOpen after crypto
  PeerPlane::Delivery delivery;   // kDeliver
  config::IpAddress next_hop;     // kTransmit
};

enum class BatchStream : std::uint8_t {
  kOutbound,   // received on the LAN port, in order
  kInbound,    // received on the WAN port, in order
  kUnordered,  // made by the gateway (released staged packets, keepalives): no order to keep
};

struct BatchData {
  BatchData() = default;
  ~BatchData();  // frees packets still inside (a message dropped at shutdown), counted
  BatchData(const BatchData&) = delete;
  BatchData& operator=(const BatchData&) = delete;
  // Back to the pool: frees packets still inside (as the destructor does), wipes the slots'
  // keys, keeps the slots themselves (and their memory) for the next batch.
  void recycle();
  BatchStream stream = BatchStream::kOutbound;
  std::uint64_t sequence = 0;  // per stream, assigned by rx: tx restores this order
  std::uint32_t worker = 0;    // the crypto worker it went through (credit bookkeeping)
  bool opened = false;         // inbound: crypto has run, lookup's second pass is next
  std::vector<PacketSlot> slots;
  // Whoever holds the batch now; counts what a dropped message still held.
  std::shared_ptr<StageCounters> holder;
};

// Shared ownership only so CAF can copy the message handle; exactly one actor uses it at a time.
struct PacketBatch {
  std::shared_ptr<BatchData> data;
};

// Free BatchData for the pipeline's edges: a lock-free ring (any thread takes, any thread gives
// back), so rx, lookup and tx on different threads share it. Sized for the batches the credits
// allow in flight; when it runs dry a batch is allocated (a miss, counted on the taker's
// `batch_pool_misses`) and it joins the pool on return while there is room.
class BatchPool : public std::enable_shared_from_this<BatchPool> {
 public:
  // nullptr when the ring cannot be made (no EAL memory): make_batch then allocates every batch.
  static std::shared_ptr<BatchPool> make(std::size_t capacity);
  ~BatchPool();
  BatchPool(const BatchPool&) = delete;
  BatchPool& operator=(const BatchPool&) = delete;

  // A batch with exactly `slots` slots, each with what its last packet left (see above).
  PacketBatch take(BatchStream stream, std::uint64_t sequence, std::size_t slots,
                   std::shared_ptr<StageCounters> holder);
  std::size_t free_batches() const;

 private:
  BatchPool() = default;
  void give_back(BatchData* data);

  rte_ring* ring_ = nullptr;
};

// A batch of `slots` slots from `pool` (a fresh one without a pool). The caller sets every slot's
// mbuf, from_wan and action; the stages overwrite the rest before they read it.
PacketBatch make_batch(BatchPool* pool, BatchStream stream, std::uint64_t sequence,
                       std::size_t slots, std::shared_ptr<StageCounters> holder);

}  // namespace actorwire::actors
