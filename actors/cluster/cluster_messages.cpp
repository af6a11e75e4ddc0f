#include "actors/cluster/cluster_messages.hpp"

#include <sodium.h>

#include "crypto/keys.hpp"

namespace actorwire::actors::cluster {

void add_cluster_message_types(caf::actor_system_config& config) {
  config.add_message_type<ClusterPeer>("actorwire.ClusterPeer");
  config.add_message_type<std::vector<ClusterPeer>>("actorwire.ClusterPeers");
  config.add_message_type<NodeAssignment>("actorwire.NodeAssignment");
}

ClusterPeer to_wire(const config::PeerConfig& peer) {
  ClusterPeer out;
  out.public_key = crypto::to_base64(peer.public_key);
  if (peer.endpoint) out.endpoint = config::to_string(*peer.endpoint);
  for (const auto& prefix : peer.allowed_ips) out.allowed_ips.push_back(config::to_string(prefix));
  out.persistent_keepalive = peer.persistent_keepalive;
  if (peer.preshared_key) crypto::append_base64(out.preshared_key, *peer.preshared_key);
  return out;
}

std::optional<config::PeerConfig> from_wire(ClusterPeer& peer, std::string& error) {
  config::PeerConfig out;
  struct WipeOnExit {
    std::string& text;
    ~WipeOnExit() { sodium_memzero(text.data(), text.size()); }
  } wipe{peer.preshared_key};
  const auto key = crypto::parse_public_key_base64(peer.public_key);
  if (!key) {
    error = "a peer's public key is not base64 of 32 bytes";
    return std::nullopt;
  }
  out.public_key = *key;
  if (!peer.endpoint.empty()) {
    out.endpoint = config::parse_endpoint(peer.endpoint);
    if (!out.endpoint) {
      error = "peer " + peer.public_key + ": bad endpoint '" + peer.endpoint + "'";
      return std::nullopt;
    }
  }
  for (const auto& text : peer.allowed_ips) {
    const auto prefix = config::parse_ip_prefix(text);
    if (!prefix) {
      error = "peer " + peer.public_key + ": bad allowed IP '" + text + "'";
      return std::nullopt;
    }
    out.allowed_ips.push_back(*prefix);
  }
  out.persistent_keepalive = peer.persistent_keepalive;
  if (!peer.preshared_key.empty()) {
    out.preshared_key = crypto::parse_secret_key_base64(peer.preshared_key);
    if (!out.preshared_key) {
      error = "peer " + peer.public_key + ": the preshared key is not base64 of 32 bytes";
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace actorwire::actors::cluster
