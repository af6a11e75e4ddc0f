// The peers a topology sends to: allowed-IPs lookup plus, per peer, the endpoint and the current
// sending session (key, receiver index, next counter). Owned by exactly one actor in `single`
// and `pipeline`; the lock-based topologies will wrap it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/gateway_config.hpp"
#include "crypto/keys.hpp"
#include "io/allowed_ips.hpp"

namespace actorwire::actors {

struct SendSession {
  crypto::SecretKey key;
  std::uint32_t receiver_index = 0;
  std::uint64_t next_counter = 0;
};

struct Peer {
  crypto::PublicKey public_key;
  std::optional<config::Endpoint> endpoint;
  std::optional<SendSession> send;
  std::uint64_t tx_packets = 0;
  std::uint64_t tx_bytes = 0;
};

class PeerTable {
 public:
  // `name` must be unique in the process (names the LPM tables).
  PeerTable(const config::GatewayConfig& config, const std::string& name);

  // False when the LPM tables could not be created or a prefix was refused.
  bool valid() const { return allowed_ips_.valid() && !insert_failed_; }
  Peer* find_by_destination_v4(std::uint32_t address) {
    const std::uint32_t index = allowed_ips_.lookup_v4(address);
    return index == io::AllowedIps::kNoPeer ? nullptr : &peers_[index];
  }
  Peer* find_by_destination(const config::IpAddress& address) {
    const std::uint32_t index = allowed_ips_.lookup(address);
    return index == io::AllowedIps::kNoPeer ? nullptr : &peers_[index];
  }
  std::vector<Peer>& peers() { return peers_; }

 private:
  io::AllowedIps allowed_ips_;
  std::vector<Peer> peers_;
  bool insert_failed_ = false;
};

}  // namespace actorwire::actors
