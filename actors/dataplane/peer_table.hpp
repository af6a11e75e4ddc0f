// The peers as the data plane sees them: allowed-IPs lookup (both directions), per peer the
// endpoint, the transport keypairs (current/previous/next), packets waiting for a handshake, and
// the activity to report to the control actor; plus the receiver-index map of inbound packets.
// Owned by exactly one actor in `single` and `pipeline`; the lock-based topologies will wrap it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/common/control_messages.hpp"
#include "actors/common/peer_change.hpp"
#include "actors/common/stage_counters.hpp"
#include "actors/dataplane/peer_sessions.hpp"
#include "actors/dataplane/peer_status.hpp"
#include "config/gateway_config.hpp"
#include "crypto/keys.hpp"
#include "io/allowed_ips.hpp"

struct rte_mbuf;

namespace actorwire::actors {

// Per-peer traffic, readable from other threads (single writer: the data-plane actor). Bytes
// are WireGuard message bytes (UDP payload), as `wg show` counts them. The per-packet counters
// come first: they are what PeerTable::prefetch_peers loads.
struct PeerCounters {
  explicit PeerCounters(std::string public_key_base64) : public_key(std::move(public_key_base64)) {}
  const std::string public_key;
  Counter rx_packets;
  Counter rx_bytes;
  Counter tx_packets;
  Counter tx_bytes;
  Counter keepalives_sent;
  Counter keepalives_received;
  Counter sessions_installed;
  // Endpoint, latest handshake and keypair ages: published by the PeerTable when they change.
  PeerStatus status;
};

// Inner frames waiting for a usable keypair, oldest first (at most wg::kMaxStagedPackets). A
// vector, not a std::deque: an empty libstdc++ deque already holds about 600 bytes, and most
// peers never stage a packet; dropping the oldest when full moves fewer than 128 pointers.
class StagedPackets {
 public:
  bool empty() const { return packets_.empty(); }
  std::size_t size() const { return packets_.size(); }
  rte_mbuf* front() const { return packets_.front(); }
  void push_back(rte_mbuf* mbuf) { packets_.push_back(mbuf); }
  void pop_front() { packets_.erase(packets_.begin()); }
  void clear() { packets_.clear(); }
  auto begin() const { return packets_.begin(); }
  auto end() const { return packets_.end(); }

 private:
  std::vector<rte_mbuf*> packets_;
};

struct Peer {
  std::uint32_t id = 0;
  crypto::PublicKey public_key;
  std::optional<config::Endpoint> endpoint;
  PeerSessions sessions;
  StagedPackets staged;
  // Events since the last report to the control actor.
  PeerActivityEntry activity;
  std::optional<Clock::time_point> last_handshake_request;
  std::shared_ptr<PeerCounters> counters;
  // A reload removed it: the slot stays (ids never shift), without routes, keys or packets.
  bool removed = false;
};

class PeerTable {
 public:
  // `name` must be unique in the process (names the LPM tables). Static sessions from the
  // config are installed as keypairs that never expire.
  PeerTable(const config::GatewayConfig& config, const std::string& name);

  // False when the LPM tables could not be created or a prefix was refused.
  bool valid() const { return allowed_ips_->valid(); }
  Peer* find_by_destination_v4(std::uint32_t address) {
    const std::uint32_t index = allowed_ips_->lookup_v4(address);
    return index == io::AllowedIps::kNoPeer ? nullptr : &peers_[index];
  }
  // Starts loading into the cache what prepare_outbound will read of these peers (AllowedIps
  // peer indices; others are skipped): the Peer, its current keypair's send half and its
  // counters. With thousands of peers those are cache misses; asked for a whole batch at once,
  // they overlap instead of stalling one packet at a time. Changes nothing.
  void prefetch_peers(std::span<const std::uint32_t> indices);
  // The allowed-IPs table. A reload changes it (apply), so whoever shares the table reads it
  // under the same lock as the rest.
  const io::AllowedIps& allowed_ips() const { return *allowed_ips_; }
  // The peer an AllowedIps lookup returned (kNoPeer: none).
  Peer* peer_at_route(std::uint32_t index) {
    return index == io::AllowedIps::kNoPeer ? nullptr : &peers_[index];
  }
  Peer* find_by_destination(const config::IpAddress& address) {
    const std::uint32_t index = allowed_ips_->lookup(address);
    return index == io::AllowedIps::kNoPeer ? nullptr : &peers_[index];
  }
  // Whether `source` (of a decrypted packet) lies in `peer`'s allowed IPs.
  bool source_allowed(const Peer& peer, const config::IpAddress& source) const {
    return allowed_ips_->lookup(source) == peer.id;
  }

  struct IndexMatch {
    Peer* peer = nullptr;
    Keypair* keypair = nullptr;
  };
  // The keypair a transport message's receiver index names.
  IndexMatch find_by_index(std::uint32_t local_index);

  // Keypair rotation, keeping the index map in step and the peer's published status too.
  void install(Peer& peer, std::unique_ptr<Keypair> keypair);
  bool received_with(Peer& peer, const Keypair* keypair);  // true: `next` became current
  void clear_sessions(Peer& peer);
  // Moves the peer's endpoint (roaming, or the control actor's word) and publishes it.
  static void set_endpoint(Peer& peer, const config::Endpoint& endpoint);

  std::vector<Peer>& peers() { return peers_; }
  // The peer with this id, unless there is none or a reload removed it.
  Peer* live_peer(std::uint32_t id) {
    return id < peers_.size() && !peers_[id].removed ? &peers_[id] : nullptr;
  }

  // A reload, all of it at once: removed peers lose their routes, keypairs (wiped) and endpoint
  // and leave their staged packets in `orphaned` (the caller counts and frees them); changed
  // peers get their new allowed IPs and endpoint; added peers are appended (their ids are the
  // next ones). Sessions, counters and timers of every other peer stay. False when the new
  // allowed-IPs table could not be built (the change is applied, but routes are missing).
  bool apply(const PeerChange& change, std::vector<rte_mbuf*>& orphaned);

 private:
  void add_peer(std::uint32_t id, const config::PeerConfig& config,
                std::shared_ptr<PeerCounters> counters);
  bool rebuild_allowed_ips();
  void forget(const std::vector<std::uint32_t>& retired);
  static void publish_keypairs(Peer& peer);

  std::string name_;         // the LPM tables' names start with it
  unsigned generation_ = 0;  // tables rebuilt by reloads, for unique names
  std::unique_ptr<io::AllowedIps> allowed_ips_;
  std::vector<Peer> peers_;
  std::vector<std::vector<config::IpPrefix>> routes_of_peer_;  // by id: a rebuild's input
  std::unordered_map<std::uint32_t, std::uint32_t> peer_by_index_;
  std::vector<std::uint32_t> retired_;  // scratch, kept to avoid allocating
};

}  // namespace actorwire::actors
