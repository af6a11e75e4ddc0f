#include "config/wg_quick_convert.hpp"

#include <charconv>

namespace actorwire::config {
namespace {

std::string quoted_list(const std::vector<IpPrefix>& prefixes) {
  std::string text = "[";
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    text += (i == 0 ? "\"" : ", \"") + to_string(prefixes[i]) + "\"";
  }
  return text + "]";
}

// "/etc/wireguard/wg0.conf" -> "wg0.conf".
std::string_view file_name(std::string_view path) {
  if (const auto slash = path.rfind('/'); slash != std::string_view::npos) {
    path.remove_prefix(slash + 1);
  }
  return path;
}

// "/etc/wireguard/wg0.conf" -> "wg0".
std::string_view file_stem(std::string_view path) {
  path = file_name(path);
  if (const auto dot = path.rfind('.'); dot != std::string_view::npos && dot != 0) {
    path = path.substr(0, dot);
  }
  return path;
}

void append_port(std::string& out, std::string_view role, const std::string& device,
                 std::string_view example, std::string_view address_example) {
  // Without a device the whole table is a comment: a half-filled table would not load.
  const std::string lead = device.empty() ? "# " : "";
  out += lead + "[[port]]\n";
  out += lead + "role = \"" + std::string(role) + "\"\n";
  if (device.empty()) {
    out += "# device = \"" + std::string(example) + "\"  # this gateway's " +
           std::string(role == "lan" ? "LAN" : "WAN") + " NIC or a DPDK vdev: fill in\n";
  } else {
    out += "device = \"" + device + "\"\n";
  }
  out += "# addresses = [\"" + std::string(address_example) + "\"]  # its address there: fill in\n";
  if (role == "wan") out += "# next_hop = \"192.0.2.254\"  # the router towards the peers\n";
  out += "\n";
}

void append_peer(std::string& out, const WgQuickPeer& peer) {
  out += "[[peer]]\n";
  out += "public_key = \"" + crypto::to_base64(*peer.public_key) + "\"\n";
  if (peer.preshared_key) {
    out += "preshared_key = \"";
    crypto::append_base64(out, *peer.preshared_key);
    out += "\"\n";
  }
  if (peer.endpoint) {
    out += "endpoint = \"" + to_string(*peer.endpoint) + "\"\n";
  } else if (!peer.unresolved_endpoint.empty()) {
    out += "# endpoint = \"" + peer.unresolved_endpoint +
           "\"  # a host name: actorwire resolves none; write its address\n";
  }
  out += "allowed_ips = " + quoted_list(peer.allowed_ips) + "\n";
  if (peer.persistent_keepalive != 0) {
    out += "persistent_keepalive = " + std::to_string(peer.persistent_keepalive) + "\n";
  }
  out += "\n";
}

bool is_host_prefix(const IpPrefix& prefix) {
  return prefix.length == (prefix.address.is_v6 ? 128 : 32);
}

IpPrefix host_prefix(const IpAddress& address) {
  return IpPrefix{address, static_cast<std::uint8_t>(address.is_v6 ? 128 : 32)};
}

// The peer's own tunnel address: one of its host prefixes inside one of our interface subnets,
// with that subnet's length (wg-quick's Address is address/length).
std::optional<IpPrefix> peer_tunnel_address(const GatewayConfig& config, const PeerConfig& peer) {
  for (const auto& allowed : peer.allowed_ips) {
    if (!is_host_prefix(allowed)) continue;
    for (const auto& ours : config.interface.addresses) {
      if (prefix_contains(ours, allowed.address)) return IpPrefix{allowed.address, ours.length};
    }
  }
  return std::nullopt;
}

// Our WAN address for the peer to send to: of its endpoint's family when we know it.
std::optional<IpAddress> our_endpoint_address(const GatewayConfig& config, const PeerConfig& peer) {
  const PortConfig* wan = config.port(PortRole::kWan);
  if (wan == nullptr || wan->addresses.empty()) return std::nullopt;
  for (const auto& address : wan->addresses) {
    if (peer.endpoint && address.address.is_v6 == peer.endpoint->address.is_v6) {
      return address.address;
    }
  }
  return wan->addresses.front().address;
}

}  // namespace

std::string gateway_toml_from_wg_quick(const WgQuickFile& file, std::string_view source,
                                       const WgQuickImportOptions& options) {
  std::string name = options.name;
  if (name.empty()) {
    name = is_valid_instance_name(file_stem(source)) ? std::string(file_stem(source)) : "aw0";
  }
  std::string out;
  out.reserve(2048 + 512 * file.peers.size());
  out += "# actorwire gateway config, converted from " + std::string(file_name(source)) +
         " by `actorwire import`.\n"
         "# Check it with `actorwire check -c FILE`. Keep it private (chmod 600): it holds the\n"
         "# private key.\n\n";
  out += "[interface]\n";
  out += "name = \"" + name + "\"\n";
  out += "private_key = \"";
  crypto::append_base64(out, *file.interface.private_key);
  out += "\"\n";
  if (file.interface.listen_port) {
    out += "listen_port = " + std::to_string(*file.interface.listen_port) + "\n";
  } else {
    out +=
        "# no ListenPort in the wg-quick file (wg picks a random one): the default\n"
        "listen_port = 51820\n";
  }
  if (!file.interface.addresses.empty()) {
    out += "addresses = " + quoted_list(file.interface.addresses) + "\n";
  }
  if (file.interface.mtu) out += "mtu = " + std::to_string(*file.interface.mtu) + "\n";
  out +=
      "\n# The ports: a wg-quick file has none (`actorwire import --lan DEVICE --wan DEVICE`).\n";
  append_port(out, "lan", options.lan_device, "0000:03:00.0", "10.1.0.1/16");
  append_port(out, "wan", options.wan_device, "0000:03:00.1", "192.0.2.1/24");
  for (const auto& peer : file.peers) append_peer(out, peer);
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') {
    out.pop_back();
  }
  return out;
}

const PeerConfig* find_peer(const GatewayConfig& config, std::string_view which,
                            std::string& error) {
  if (which.starts_with("peer[") && which.ends_with("]")) {
    const auto digits = which.substr(5, which.size() - 6);
    std::size_t index = 0;
    const auto [end, failure] =
        std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (failure == std::errc{} && end == digits.data() + digits.size() && !digits.empty() &&
        index < config.peers.size()) {
      return &config.peers[index];
    }
    error = std::string(which) + ": the config has " + std::to_string(config.peers.size()) +
            " peer(s), peer[0] to peer[" + std::to_string(config.peers.size()) + "-1]";
    return nullptr;
  }
  if (which.size() < 4) {
    error = "'" + std::string(which) + "': give a public key (or its first 4+ characters)";
    return nullptr;
  }
  const PeerConfig* found = nullptr;
  for (const auto& peer : config.peers) {
    const std::string key = crypto::to_base64(peer.public_key);
    if (key == which) return &peer;
    if (!key.starts_with(which)) continue;
    if (found != nullptr) {
      error = "'" + std::string(which) + "' starts more than one peer's public key";
      return nullptr;
    }
    found = &peer;
  }
  if (found == nullptr) error = "no peer with the public key '" + std::string(which) + "'";
  return found;
}

std::string peer_wg_quick(const GatewayConfig& config, const PeerConfig& peer) {
  const std::string our_key =
      crypto::to_base64(crypto::derive_public_key(config.interface.private_key));
  std::string out;
  out += "# wg-quick file for the peer " + crypto::to_base64(peer.public_key) +
         "\n# of the actorwire gateway \"" + config.interface.name + "\" (" + config.source +
         "), written by `actorwire export`.\n\n";
  out += "[Interface]\n";
  out +=
      "# PrivateKey = the private key of this peer's public key above; it never leaves the\n"
      "# peer (wg genkey made it)\n";
  if (const auto address = peer_tunnel_address(config, peer)) {
    out += "Address = " + to_string(*address) + "\n";
  } else {
    out += "# Address = this peer's tunnel address, if it has one\n";
  }
  if (peer.endpoint) out += "ListenPort = " + std::to_string(peer.endpoint->port) + "\n";
  out += "MTU = " + std::to_string(config.interface.mtu) + "\n\n";
  out += "[Peer]\n";
  out += "PublicKey = " + our_key + "\n";
  if (peer.preshared_key) {
    out += "# PresharedKey = the peer's preshared_key in " + config.source +
           " (not printed: copy it over a safe channel)\n";
  }
  if (const auto address = our_endpoint_address(config, peer)) {
    out += "Endpoint = " + to_string(Endpoint{*address, config.interface.listen_port}) + "\n";
  } else {
    out +=
        "# Endpoint = this gateway's WAN address:" + std::to_string(config.interface.listen_port) +
        "\n";
  }
  std::vector<IpPrefix> ours;
  if (const PortConfig* lan = config.port(PortRole::kLan)) {
    for (const auto& address : lan->addresses) ours.push_back(network_of(address));
  }
  for (const auto& address : config.interface.addresses)
    ours.push_back(host_prefix(address.address));
  std::string allowed;
  for (const auto& prefix : ours) allowed += (allowed.empty() ? "" : ", ") + to_string(prefix);
  out += allowed.empty() ? "# AllowedIPs = the prefixes behind this gateway\n"
                         : "AllowedIPs = " + allowed + "\n";
  if (peer.persistent_keepalive != 0) {
    out += "PersistentKeepalive = " + std::to_string(peer.persistent_keepalive) + "\n";
  }
  return out;
}

}  // namespace actorwire::config
