// What the data plane and the handshake/control actor tell each other. Plain values (no CAF
// here): the data plane forwards handshake datagrams and reports per-peer activity; the control
// plane answers with datagrams to send, new keypairs and timer decisions. Keys travel by value
// inside the message and wipe themselves when it is destroyed.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/keypair.hpp"
#include "config/gateway_config.hpp"

namespace actorwire::actors {

// A handshake message (type 1, 2 or 3) that arrived on the WAN port.
struct HandshakeIn {
  std::vector<std::uint8_t> message;
  config::Endpoint source;
  Clock::time_point received{};
};

// What happened to one peer on the data plane since the last report; times are the latest
// occurrence of each event.
struct PeerActivityEntry {
  std::uint32_t peer = 0;  // index into GatewayConfig::peers
  std::optional<Clock::time_point> data_sent;
  std::optional<Clock::time_point> data_received;
  std::optional<Clock::time_point> authenticated_sent;
  std::optional<Clock::time_point> authenticated_received;
  std::optional<Clock::time_point> handshake_confirmed;  // a responder keypair became current
  bool wants_handshake = false;               // packets wait without usable keys, or a rekey is due
  std::optional<config::Endpoint> roamed_to;  // an authenticated packet came from here
  bool empty() const {
    return !data_sent && !data_received && !authenticated_sent && !authenticated_received &&
           !handshake_confirmed && !wants_handshake && !roamed_to;
  }
};

struct PeerActivity {
  std::vector<PeerActivityEntry> entries;
};

struct OutgoingDatagram {
  config::Endpoint destination;
  std::vector<std::uint8_t> message;
};

struct KeypairInstall {
  std::uint32_t peer = 0;
  Keypair keypair;
};

// The control plane's decisions, batched per event.
struct ControlOutput {
  std::vector<OutgoingDatagram> datagrams;
  std::vector<KeypairInstall> keypairs;
  std::vector<std::pair<std::uint32_t, config::Endpoint>> endpoints;  // peer endpoint changes
  std::vector<std::uint32_t> send_keepalive;  // peers to send an empty transport message
  std::vector<std::uint32_t> drop_staged;     // handshake gave up: free the waiting packets
  std::vector<std::uint32_t> zero_keys;       // forget every keypair of these peers
  std::uint32_t handshake_credits = 0;        // HandshakeIn messages processed
  bool empty() const {
    return datagrams.empty() && keypairs.empty() && endpoints.empty() && send_keepalive.empty() &&
           drop_staged.empty() && zero_keys.empty() && handshake_credits == 0;
  }
};

}  // namespace actorwire::actors
