// The WireGuard control plane as a pure state machine (no CAF, no DPDK, time passed in): owns
// the static private key, every peer's handshake state, cookies, the rate limiter, index
// allocation and the timers. The handshake actor (handshake_actor.hpp) is a thin shell around
// it, so all of this is testable with made-up times.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <unordered_map>
#include <vector>

#include "actors/common/control_messages.hpp"
#include "actors/common/peer_change.hpp"
#include "actors/common/stage_counters.hpp"
#include "config/gateway_config.hpp"
#include "crypto/cookie.hpp"
#include "crypto/handshake_rate_limiter.hpp"
#include "crypto/noise.hpp"
#include "crypto/peer_timers.hpp"

namespace actorwire::actors {

struct ControlPlaneOptions {
  // Handshake messages waiting in the actor's mailbox at which we count as under load (mac2
  // then required, cookie replies sent). 0: always under load (tests). wireguard-go's value
  // (1/8 of its 1,024-message queue; the kernel's is 512): at 32, any burst of 33 initiations
  // sent every peer through a 5 s cookie round trip. Below the data plane's 256 credits.
  std::size_t under_load_backlog = 128;
  // Wall clock for TAI64N timestamps (injectable for tests).
  std::function<std::chrono::system_clock::time_point()> wall_clock = [] {
    return std::chrono::system_clock::now();
  };
  std::uint32_t random_seed = std::random_device{}();
};

// What the control plane knows about a peer, for stats and tests.
struct ControlPeerStatus {
  std::optional<config::Endpoint> endpoint;
  std::optional<Clock::time_point> last_handshake;
  std::optional<std::chrono::system_clock::time_point> last_handshake_wall;
  unsigned handshake_attempts = 0;
  bool handshake_in_progress = false;
};

class ControlPlane {
 public:
  ControlPlane(const config::GatewayConfig& config, std::shared_ptr<StageCounters> counters,
               ControlPlaneOptions options = {});
  ~ControlPlane();
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // A handshake message from the WAN. `backlog`: how many more wait behind it.
  ControlOutput handle_handshake(std::span<const std::uint8_t> message,
                                 const config::Endpoint& source, Clock::time_point now,
                                 std::size_t backlog = 0);
  ControlOutput handle_activity(const PeerActivity& activity, Clock::time_point now);
  // A reload: removed peers forget their handshake and indices (keys wiped), changed peers take
  // their new PSK (next handshake), keepalive and endpoint, added peers start (with a handshake
  // when they have a persistent keepalive). The others keep everything.
  ControlOutput apply_change(const PeerChange& change, Clock::time_point now);
  // Fires due timers.
  ControlOutput tick(Clock::time_point now);
  // Starts a handshake with `peer` now if allowed (used by tests and for "connect at start").
  ControlOutput initiate(std::uint32_t peer, Clock::time_point now);

  std::optional<Clock::time_point> next_deadline() const;
  ControlPeerStatus status(std::uint32_t peer) const;
  std::size_t peer_count() const { return peers_.size(); }  // removed ones included
  bool under_load(Clock::time_point now) const;

 private:
  struct Peer;

  void handle_initiation(std::span<const std::uint8_t> message, const config::Endpoint& source,
                         Clock::time_point now, ControlOutput& out);
  void handle_response(std::span<const std::uint8_t> message, const config::Endpoint& source,
                       Clock::time_point now, ControlOutput& out);
  void handle_cookie_reply(std::span<const std::uint8_t> message, Clock::time_point now);
  // mac1/mac2/under-load/rate-limit gate shared by initiations and responses; false: stop here
  // (dropped or answered with a cookie reply).
  bool pass_dos_checks(std::span<const std::uint8_t> message, std::uint32_t sender_index,
                       const config::Endpoint& source, Clock::time_point now, std::size_t backlog,
                       ControlOutput& out);
  void send_initiation(std::uint32_t peer, Clock::time_point now, bool retry, ControlOutput& out);
  void install_session(std::uint32_t peer, Clock::time_point now, ControlOutput& out);
  void set_endpoint(std::uint32_t peer, const config::Endpoint& endpoint, ControlOutput& out);
  void authenticated_received(Peer& peer, Clock::time_point now);
  std::uint32_t allocate_index(std::uint32_t peer);
  void free_index(std::uint32_t index);
  std::optional<std::uint32_t> peer_by_key(const crypto::PublicKey& key) const;
  void drop(DropReason reason);

  std::shared_ptr<StageCounters> counters_;
  ControlPlaneOptions options_;
  std::unique_ptr<crypto::LocalIdentity> identity_;
  crypto::CookieChecker cookie_checker_;
  crypto::HandshakeRateLimiter rate_limiter_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::unordered_map<std::uint32_t, std::uint32_t> peer_by_index_;
  // Peers that handshake, by public key: an initiation names its sender only by key, and a
  // scan of 10,000 peers cost a quarter of a response. The keys come from the config (an
  // attacker can look up but never insert), so the first 8 bytes of a key are a fine hash.
  struct PublicKeyHash {
    std::size_t operator()(const crypto::PublicKey& key) const {
      std::size_t hash;
      std::memcpy(&hash, key.bytes.data(), sizeof hash);
      return hash;
    }
  };
  std::unordered_map<crypto::PublicKey, std::uint32_t, PublicKeyHash> peer_by_key_;
  std::mt19937 random_;
  std::optional<Clock::time_point> under_load_until_;
};

}  // namespace actorwire::actors
