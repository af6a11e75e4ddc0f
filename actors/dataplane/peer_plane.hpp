// The data plane's per-packet peer logic, shared by every topology: whoever owns the PeerTable
// (the `single` actor, the pipeline's lookup actor, or a worker holding the lock) calls these.
// Outbound it picks the peer, assigns the counter and clones CryptoArgs (or stages the packet
// while a handshake runs); inbound it finds the keypair for a receiver index and, after the
// packet authenticated, runs the replay window, the allowed-IPs source check, roaming and
// session confirmation. It also applies the control actor's decisions and collects the
// activity reports for it. No CAF, no port access: callers transmit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "actors/common/control_messages.hpp"
#include "actors/common/crypto_args.hpp"
#include "actors/common/stage_counters.hpp"
#include "actors/dataplane/peer_table.hpp"
#include "config/gateway_config.hpp"
#include "crypto/transport.hpp"
#include "io/headers.hpp"
#include "io/ndp.hpp"

struct rte_mbuf;

namespace actorwire::actors {

class PeerPlane {
 public:
  PeerPlane(const config::GatewayConfig& config, const std::string& name);
  ~PeerPlane();  // frees staged packets (the owner counts them first: drop_all_staged)
  PeerPlane(const PeerPlane&) = delete;
  PeerPlane& operator=(const PeerPlane&) = delete;

  bool valid() const { return peers_.valid(); }
  PeerTable& table() { return peers_; }
  // The live peers' counters, by id (removed peers left out).
  std::vector<std::shared_ptr<PeerCounters>> peer_counters();

  // A reload (PeerTable::apply): packets staged for removed peers are freed, counted on
  // `counters` as generated and dropped (peer_removed). False: the allowed-IPs table could not
  // be rebuilt (logged by the gateway).
  bool apply_change(const PeerChange& change, StageCounters& counters);

  // kTooBig: the packet is above the tunnel MTU (the caller fragments it or tells the sender).
  enum class Outbound { kSeal, kStaged, kTooBig, kDrop };
  // An inner IP packet from the LAN (frame parsed): picks the peer by destination, checks the
  // MTU, assigns the next counter and fills `args`. Without usable keys the mbuf is staged
  // (owned here now, counted as consumed by `counters`' actor) and a handshake requested; an
  // older staged packet may be dropped (counted as generated and dropped). Whoever takes
  // staged packets back (take_released, ControlActions::dropped) counts them as generated, so
  // every actor's counters balance even when another actor sends what one staged.
  // `routed`: the peer index route_outbound gave for this frame, when the caller looked it up
  // already (outside its lock); otherwise the lookup happens here.
  Outbound prepare_outbound(rte_mbuf* mbuf, const io::ParsedFrame& frame, Clock::time_point now,
                            CryptoArgs& args, DropReason& reason, StageCounters& counters,
                            std::optional<std::uint32_t> routed = std::nullopt);
  // The allowed-IPs lookup of a LAN frame's destination (an AllowedIps peer index or kNoPeer).
  // Reads only the allowed-IPs table; a reload changes it in place, so only its owner may call
  // this outside the owner's lock (`single` and the pipeline have no lock to share).
  static std::uint32_t route_outbound(const io::AllowedIps& routes, const std::uint8_t* ip,
                                      const io::ParsedFrame& frame);
  const io::AllowedIps& routes() const { return peers_.allowed_ips(); }

  // A LAN frame route_burst did not look up (not plain IPv4 over Ethernet): classify_lan_frame
  // looks it up itself.
  static constexpr std::uint32_t kNotRouted = io::AllowedIps::kNoPeer - 1;
  // The allowed-IPs lookups of a burst of LAN frames, all at once (rte_fib's bulk lookup), before
  // they are classified: routes[i] is mbufs[i]'s route_outbound result, or kNotRouted. Each
  // frame is looked up once: the result serves both the prefetch (prefetch_routed) and
  // prepare_outbound. Reads only the allowed-IPs table, like route_outbound: no lock needed.
  static void route_burst(const io::AllowedIps& routes, std::span<rte_mbuf* const> mbufs,
                          std::span<std::uint32_t> out);
  // The peers a burst routes to (route_burst) are loaded into the cache for the whole burst at
  // once (PeerTable::prefetch_peers), when there are more peers than the caches hold. A hint
  // only: nothing changes.
  void prefetch_routed(std::span<const std::uint32_t> routes);

  enum class Inbound { kOpen, kDrop };
  // A transport message from `source`: finds the keypair and fills `args` with its receive key.
  // `verify_checksum` is set when the source differs from the peer's endpoint: the caller must
  // check the UDP checksum before opening (roaming must not follow a corrupted header).
  Inbound prepare_inbound(const crypto::TransportHeader& header, const config::Endpoint& source,
                          Clock::time_point now, CryptoArgs& args, bool& verify_checksum,
                          DropReason& reason);

  // What to do with an opened transport message.
  struct Delivery {
    enum Kind { kForward, kKeepalive, kDrop } kind = kDrop;
    DropReason reason = DropReason::kUnhandled;
    std::size_t inner_length = 0;  // kForward: the inner IP packet without padding
    bool inner_is_v6 = false;
    std::uint32_t destination_v4 = 0;  // kForward, IPv4: host order
    io::Ipv6Address destination_v6{};  // kForward, IPv6
  };
  // After the message authenticated: replay window, counters, confirmation, roaming, inner
  // packet checks. `plaintext` holds `padded_length` decrypted bytes.
  Delivery accept_inbound(const CryptoArgs& args, std::uint64_t counter,
                          const config::Endpoint& source, std::size_t message_length,
                          const std::uint8_t* plaintext, std::size_t padded_length,
                          Clock::time_point now);

  // Staged packets that may go now (a session was installed or confirmed), oldest first. The
  // caller runs them through prepare_outbound again.
  std::vector<rte_mbuf*> take_released();

  // The control actor's decisions. Keepalives to send come back as CryptoArgs (an empty
  // message each); datagrams are the caller's to transmit.
  struct ControlActions {
    std::vector<OutgoingDatagram> datagrams;
    std::vector<CryptoArgs> keepalives;
    std::vector<rte_mbuf*> dropped;  // staged packets given up (count as handshake_gave_up)
  };
  void apply(ControlOutput& out, Clock::time_point now, ControlActions& actions);

  // Handshake messages may go to the control actor while credits last (bounded flood).
  bool take_handshake_credit();
  // The activity report for the control actor, if one is due.
  std::optional<PeerActivity> take_report(Clock::time_point now);

  // Frees every staged packet, counting them under `reason` (shutdown).
  void drop_all_staged(StageCounters& counters, DropReason reason);

 private:
  PeerActivityEntry& note(Peer& peer);
  void want_handshake(Peer& peer, Clock::time_point now);
  bool prepare_keepalive(Peer& peer, Clock::time_point now, CryptoArgs& args);
  void release_staged(Peer& peer);

  PeerTable peers_;
  std::uint16_t mtu_;
  std::vector<rte_mbuf*> released_;
  std::vector<std::uint32_t> dirty_peers_;
  bool urgent_report_ = false;
  Clock::time_point last_report_{};
  std::uint32_t handshake_credits_;
};

}  // namespace actorwire::actors
