// The embedded default configuration, generated with fresh keys on every call.
#include "config/default_config.hpp"

#include <sodium.h>

#include <cstdint>
#include <string>

#include "config/topology_kind.hpp"
#include "crypto/keys.hpp"

namespace actorwire::config {

namespace {

// The kinds from the topology table, as comment lines: name, summary and the keys it reads
// besides `kind`.
void append_topology_kinds(std::string& out) {
  out += "# The actor topology, one of:\n";
  for (const auto& kind : kTopologyKinds) {
    out += "#   \"" + std::string(kind.name) + "\": " + std::string(kind.summary) + "\n";
    std::string reads;
    for (const auto& key : kTopologyKeys) {
      if (!contains(kind.reads, key.key)) continue;
      reads += reads.empty() ? "" : ", ";
      reads += key.name;
    }
    out += "#     also reads: " + reads + "\n";
  }
}

// A receiver index: any non-zero 32-bit value.
std::uint32_t random_index() {
  return randombytes_uniform(0xffffffffU) + 1;
}

}  // namespace

std::string default_config_toml() {
  if (sodium_init() < 0) return {};

  const crypto::SecretKey private_key = crypto::random_secret_key();
  // The demo peer's private key is thrown away; only its public key is needed.
  const crypto::PublicKey peer_public = crypto::derive_public_key(crypto::random_secret_key());
  const crypto::SecretKey send_key = crypto::random_secret_key();
  const crypto::SecretKey receive_key = crypto::random_secret_key();

  std::string text;
  text.reserve(4096);
  text +=
      "# actorwire gateway configuration (the built-in default).\n"
      "#\n"
      "# Two in-process DPDK ring ports (net_ring0 = LAN, net_ring1 = WAN), one peer with a\n"
      "# fixed transport session (no handshake) and the built-in traffic generator: enough to\n"
      "# run `actorwire run` without any NIC. The keys below were generated just now; for a\n"
      "# real deployment replace them (`wg genkey`, `wg pubkey`) and keep this file mode 0600.\n"
      "# config/examples/gateway.toml documents every key.\n"
      "\n"
      "[interface]\n"
      "# This gateway's X25519 private key, base64 as printed by `wg genkey`.\n"
      "private_key = \"";
  crypto::append_base64(text, private_key);
  text +=
      "\"\n"
      "# UDP port on the WAN side for WireGuard traffic.\n"
      "listen_port = 51820\n"
      "# Inner MTU: the largest tunnelled IP packet (576..9000).\n"
      "mtu = 1420\n"
      "\n"
      "# LAN side: cleartext traffic from the local site enters and leaves here.\n"
      "[[port]]\n"
      "role = \"lan\"\n"
      "device = \"net_ring0\"\n"
      "addresses = [\"10.10.0.1/24\"]\n"
      "\n"
      "# WAN side: encrypted WireGuard UDP packets to and from the peers.\n"
      "[[port]]\n"
      "role = \"wan\"\n"
      "device = \"net_ring1\"\n"
      "addresses = [\"192.0.2.1/24\"]\n"
      "next_hop = \"192.0.2.2\"\n"
      "# Static ARP entry: ring ports have nobody to answer ARP.\n"
      "neighbours = [{ ip = \"192.0.2.2\", mac = \"02:00:00:00:02:02\" }]\n"
      "\n"
      "# The remote site. Its private key was not kept; this peer exists so the data path has\n"
      "# somebody to encrypt for.\n"
      "[[peer]]\n"
      "public_key = \"";
  text += crypto::to_base64(peer_public);
  text +=
      "\"\n"
      "endpoint = \"192.0.2.2:51820\"\n"
      "# Destinations routed into the tunnel, and sources accepted from it.\n"
      "allowed_ips = [\"10.20.0.0/16\"]\n"
      "\n"
      "# Benchmark mode: fixed transport keys and receiver indices instead of a handshake.\n"
      "[peer.static_session]\n"
      "send_key = \"";
  crypto::append_base64(text, send_key);
  text +=
      "\"\n"
      "receive_key = \"";
  crypto::append_base64(text, receive_key);
  text += "\"\nsend_index = " + std::to_string(random_index()) +
          "\nreceive_index = " + std::to_string(random_index()) +
          "\n"
          "\n"
          "[topology]\n";
  append_topology_kinds(text);
  text +=
      "kind = \"single\"\n"
      "\n"
      "[crypto]\n"
      "# ChaCha20-Poly1305 back-end: \"auto\", \"ipsec-mb\", \"openssl\" or \"libsodium\".\n"
      "aead = \"auto\"\n"
      "\n"
      "# Synthetic LAN traffic fed into net_ring0.\n"
      "[generator]\n"
      "# Distinct inner flows (destination address and source port vary), 1..65536.\n"
      "flows = 16\n"
      "# Inner IP packet sizes in bytes, used round-robin (28..1500).\n"
      "packet_sizes = [64]\n"
      "# Packets per second, 0 = as fast as the gateway accepts.\n"
      "rate_pps = 0\n"
      "# Stop after this many packets, 0 = run until stopped.\n"
      "max_packets = 0\n"
      "\n"
      "# Prometheus /metrics and /stats.json over HTTP, off unless enabled:\n"
      "# [metrics]\n"
      "# listen = \"127.0.0.1:9586\"\n";
  return text;
}

}  // namespace actorwire::config
