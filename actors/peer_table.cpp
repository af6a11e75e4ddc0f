#include "actors/peer_table.hpp"

#include <algorithm>

namespace actorwire::actors {

namespace {
std::uint32_t count_prefixes(const config::GatewayConfig& config) {
  std::uint32_t count = 0;
  for (const auto& peer : config.peers)
    count += static_cast<std::uint32_t>(peer.allowed_ips.size());
  return std::max<std::uint32_t>(count, 16);
}
}  // namespace

PeerTable::PeerTable(const config::GatewayConfig& config, const std::string& name)
    : allowed_ips_(name, count_prefixes(config)) {
  peers_.reserve(config.peers.size());
  for (std::uint32_t index = 0; index < config.peers.size(); ++index) {
    const auto& peer_config = config.peers[index];
    Peer peer;
    peer.public_key = peer_config.public_key;
    peer.endpoint = peer_config.endpoint;
    if (peer_config.static_session) {
      peer.send = SendSession{peer_config.static_session->send_key,
                              peer_config.static_session->send_index, 0};
    }
    for (const auto& prefix : peer_config.allowed_ips) {
      if (!allowed_ips_.insert(prefix, index)) insert_failed_ = true;
    }
    peers_.push_back(std::move(peer));
  }
}

}  // namespace actorwire::actors
