// Converting between wg-quick files and actorwire's gateway TOML: `actorwire import` (a wg-quick
// file becomes a gateway config) and `actorwire export` (a configured peer gets the wg-quick file
// of its side). Pure: values in, text out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "config/gateway_config.hpp"
#include "config/wg_quick.hpp"

namespace actorwire::config {

struct WgQuickImportOptions {
  // [interface] name; empty: the wg-quick file's stem ("wg0" of /etc/wireguard/wg0.conf) when it
  // is a valid instance name, else the default "aw0".
  std::string name;
  // DPDK devices of the ports ("0000:03:00.0", "net_af_packet0,iface=eth1"); a wg-quick file has
  // none, so an empty one is written as a commented placeholder to fill in.
  std::string lan_device;
  std::string wan_device;
};

// The gateway TOML for a parsed wg-quick file; `source` is the file's path, for the header and the
// default name. The text holds the private key: wipe it (sodium_memzero) once written.
std::string gateway_toml_from_wg_quick(const WgQuickFile& file, std::string_view source,
                                       const WgQuickImportOptions& options);

// Finds a configured peer by its base64 public key, a unique start of it (at least 4
// characters), or its position as messages write it ("peer[1]"). Null with `error` set otherwise.
const PeerConfig* find_peer(const GatewayConfig& config, std::string_view which,
                            std::string& error);

// The wg-quick file for `peer`'s side of the tunnel: its [Interface] (no private key: a comment
// says where it comes from; its tunnel address when one of its allowed_ips lies in our [interface]
// addresses) and this gateway as its [Peer]: our public key, our WAN address and listen_port as
// the endpoint, our LAN prefixes and tunnel addresses as AllowedIPs. Never any private or
// preshared key: the preshared key is a comment to fill in from gateway.toml.
std::string peer_wg_quick(const GatewayConfig& config, const PeerConfig& peer);

}  // namespace actorwire::config
