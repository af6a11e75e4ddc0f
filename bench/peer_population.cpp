#include "bench/peer_population.hpp"

#include <sodium.h>

#include <bit>
#include <vector>

#include "crypto/keys.hpp"

namespace actorwire::bench {
namespace {

constexpr std::uint32_t kTunnelV4 = 0x64400000u;    // 100.64.0.0
constexpr std::uint32_t kSitesV4 = 0x0A800000u;     // 10.128.0.0
constexpr std::uint32_t kEndpointV4 = 0xC6120000u;  // 198.18.0.0
constexpr std::uint32_t kTunnelPerPeer = 5;
constexpr std::uint32_t kSendIndexBase = 0x10000000u;
constexpr std::uint32_t kReceiveIndexBase = 0x20000000u;

// Any 32 random bytes are a valid X25519 key (public or private) and a valid transport key.
std::string random_key_base64() {
  crypto::PublicKey key;
  randombytes_buf(key.bytes.data(), key.bytes.size());
  return crypto::to_base64(key);
}

config::IpPrefix v4_prefix(std::uint32_t address, std::uint8_t length) {
  return {config::IpAddress::v4(address), length};
}

// fdXX::/16 with `value` in bytes [first, first + 2) (big-endian).
config::IpPrefix v6_prefix(std::uint8_t second_byte, std::size_t first, std::uint32_t value,
                           std::uint8_t length) {
  config::IpPrefix prefix;
  prefix.address.is_v6 = true;
  prefix.address.bytes[0] = 0xfd;
  prefix.address.bytes[1] = second_byte;
  prefix.address.bytes[first] = static_cast<std::uint8_t>(value >> 8);
  prefix.address.bytes[first + 1] = static_cast<std::uint8_t>(value);
  prefix.length = length;
  return prefix;
}

void append_allowed_ips(std::string& out, std::uint32_t i, std::uint32_t peers) {
  std::vector<config::IpPrefix> prefixes;
  if (i == 0) prefixes.push_back(hub_prefix(peers));
  for (std::uint32_t k = 0; k < kTunnelPerPeer; ++k) {
    prefixes.push_back(v4_prefix(kTunnelV4 + 1 + i + k * peers, 32));
  }
  for (std::uint32_t k = 0; k < 2; ++k) {
    prefixes.push_back(v4_prefix(kSitesV4 + ((2 * i + k) << 8), 24));
  }
  for (std::uint32_t k = 0; k < 2; ++k) prefixes.push_back(v6_prefix(0x00, 6, 2 * i + k, 64));
  prefixes.push_back(v6_prefix(0x01, 14, i + 1, 128));
  out += "allowed_ips = [";
  for (std::size_t p = 0; p < prefixes.size(); ++p) {
    out += p == 0 ? "\"" : ", \"";
    out += config::to_string(prefixes[p]);
    out += '"';
  }
  out += "]\n";
}

}  // namespace

config::IpPrefix hub_prefix(std::uint32_t peers) {
  // 2^host_bits - 2 hosts (network and broadcast skipped) <= the peers' tunnel addresses.
  const std::uint32_t tunnel_addresses = kTunnelPerPeer * peers;
  const int host_bits = static_cast<int>(std::bit_width(tunnel_addresses + 2)) - 1;
  return v4_prefix(kTunnelV4, static_cast<std::uint8_t>(32 - host_bits));
}

std::string peer_population_toml(std::uint32_t peers) {
  std::string out;
  out.reserve(512 + std::size_t{peers} * 560);
  out += "# " + std::to_string(peers) +
         " generated peers (bench/peer_population.cpp)\n"
         "[interface]\n"
         "private_key = \"" +
         random_key_base64() +
         "\"\n"
         "listen_port = 51820\n"
         "\n"
         "[[port]]\n"
         "role = \"lan\"\n"
         "device = \"net_ring0\"\n"
         "addresses = [\"10.10.0.1/24\"]\n"
         "\n"
         "[[port]]\n"
         "role = \"wan\"\n"
         "device = \"net_ring1\"\n"
         "addresses = [\"192.0.2.1/24\"]\n"
         "next_hop = \"192.0.2.2\"\n"
         "neighbours = [{ ip = \"192.0.2.2\", mac = \"02:00:00:00:02:02\" }]\n";
  for (std::uint32_t i = 0; i < peers; ++i) {
    out += "\n[[peer]]\npublic_key = \"" + random_key_base64() + "\"\nendpoint = \"";
    out += config::to_string(config::Endpoint{config::IpAddress::v4(kEndpointV4 + 1 + i), 51820});
    out += "\"\n";
    append_allowed_ips(out, i, peers);
    out += "[peer.static_session]\nsend_key = \"" + random_key_base64() + "\"\nreceive_key = \"" +
           random_key_base64() + "\"\nsend_index = " + std::to_string(kSendIndexBase + i) +
           "\nreceive_index = " + std::to_string(kReceiveIndexBase + i) + "\n";
  }
  return out;
}

}  // namespace actorwire::bench
