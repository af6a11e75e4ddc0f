#include "config/peer_diff.hpp"

#include <sodium.h>

#include <unordered_map>

namespace actorwire::config {
namespace {

bool same(const Endpoint& a, const Endpoint& b) {
  return a.address == b.address && a.port == b.port;
}
bool same(const std::optional<Endpoint>& a, const std::optional<Endpoint>& b) {
  return a.has_value() == b.has_value() && (!a || same(*a, *b));
}
bool same(const crypto::SecretKey& a, const crypto::SecretKey& b) {
  return sodium_memcmp(a.data(), b.data(), wg::kKeySize) == 0;
}
bool same(const std::optional<crypto::SecretKey>& a, const std::optional<crypto::SecretKey>& b) {
  return a.has_value() == b.has_value() && (!a || same(*a, *b));
}
bool same(const Neighbour& a, const Neighbour& b) {
  return a.address == b.address && a.mac == b.mac;
}
bool same(const StaticSession& a, const StaticSession& b) {
  return same(a.send_key, b.send_key) && same(a.receive_key, b.receive_key) &&
         a.send_index == b.send_index && a.receive_index == b.receive_index;
}
bool same(const std::optional<StaticSession>& a, const std::optional<StaticSession>& b) {
  return a.has_value() == b.has_value() && (!a || same(*a, *b));
}
template <class T>
bool same(const T& a, const T& b) {
  return a == b;
}
template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same(a[i], b[i])) return false;
  }
  return true;
}

// Collects the keys whose values differ, each refused with the new file's position of it.
class Refusals {
 public:
  explicit Refusals(const GatewayConfig& next) : next_(next) {}

  template <class T>
  void check(const T& running, const T& next, const std::string& key) {
    if (!same(running, next)) refuse(key);
  }
  void refuse(const std::string& key) {
    ConfigError error;
    error.file = next_.source;
    error.key = key;
    error.message = "changing it needs a restart (the running gateway keeps its value)";
    if (const KeyPosition* at = next_.position_of(key)) {
      error.line = at->line;
      error.column = at->column;
    }
    refused_.push_back(std::move(error));
  }
  std::vector<ConfigError> take() { return std::move(refused_); }

 private:
  const GatewayConfig& next_;
  std::vector<ConfigError> refused_;
};

void check_fixed_sections(const GatewayConfig& a, const GatewayConfig& b, Refusals& out) {
  out.check(a.interface.name, b.interface.name, "interface.name");
  out.check(a.interface.private_key, b.interface.private_key, "interface.private_key");
  out.check(a.interface.listen_port, b.interface.listen_port, "interface.listen_port");
  out.check(a.interface.addresses, b.interface.addresses, "interface.addresses");
  out.check(a.interface.mtu, b.interface.mtu, "interface.mtu");
  out.check(a.interface.mss_clamping, b.interface.mss_clamping, "interface.mss_clamping");
  out.check(a.interface.icmp_unreachable, b.interface.icmp_unreachable,
            "interface.icmp_unreachable");
  if (a.ports.size() != b.ports.size()) out.refuse("port");
  for (std::size_t i = 0; i < std::min(a.ports.size(), b.ports.size()); ++i) {
    const PortConfig& p = a.ports[i];
    const PortConfig& q = b.ports[i];
    const std::string at = "port[" + std::to_string(i) + "].";
    out.check(p.role, q.role, at + "role");
    out.check(p.device, q.device, at + "device");
    out.check(p.mac, q.mac, at + "mac");
    out.check(p.addresses, q.addresses, at + "addresses");
    if (!same(p.next_hop, q.next_hop) || !same(p.next_hop_v6, q.next_hop_v6)) {
      out.refuse(at + "next_hop");
    }
    out.check(p.neighbours, q.neighbours, at + "neighbours");
  }
  out.check(a.dpdk.eal_args, b.dpdk.eal_args, "dpdk.eal_args");
  out.check(a.dpdk.mbuf_count, b.dpdk.mbuf_count, "dpdk.mbuf_count");
  out.check(a.dpdk.rx_descriptors, b.dpdk.rx_descriptors, "dpdk.rx_descriptors");
  out.check(a.dpdk.tx_descriptors, b.dpdk.tx_descriptors, "dpdk.tx_descriptors");
  out.check(a.dpdk.idle_backoff_max_us, b.dpdk.idle_backoff_max_us, "dpdk.idle_backoff_max_us");
  out.check(a.topology.kind, b.topology.kind, "topology.kind");
  out.check(a.topology.crypto_workers, b.topology.crypto_workers, "topology.crypto_workers");
  out.check(a.topology.batch_size, b.topology.batch_size, "topology.batch_size");
  out.check(a.topology.mailbox_capacity, b.topology.mailbox_capacity, "topology.mailbox_capacity");
  out.check(a.topology.backoff_min_us, b.topology.backoff_min_us, "topology.backoff_min_us");
  out.check(a.topology.backoff_max_us, b.topology.backoff_max_us, "topology.backoff_max_us");
  out.check(a.topology.ordered, b.topology.ordered, "topology.ordered");
  out.check(a.topology.io, b.topology.io, "topology.io");
  out.check(a.crypto.aead, b.crypto.aead, "crypto.aead");
  out.check(a.generator.enabled, b.generator.enabled, "generator.enabled");
  out.check(a.generator.flows, b.generator.flows, "generator.flows");
  out.check(a.generator.packet_sizes, b.generator.packet_sizes, "generator.packet_sizes");
  out.check(a.generator.rate_pps, b.generator.rate_pps, "generator.rate_pps");
  out.check(a.generator.max_packets, b.generator.max_packets, "generator.max_packets");
  out.check(a.metrics.listen, b.metrics.listen, "metrics.listen");
}

struct KeyHash {
  std::size_t operator()(const crypto::PublicKey& key) const {
    std::size_t hash = 0;
    for (std::size_t i = 0; i < sizeof hash; ++i) hash = hash << 8 | key.bytes[i];
    return hash;
  }
};

std::vector<std::string> peer_changes(const PeerConfig& a, const PeerConfig& b) {
  std::vector<std::string> what;
  if (!same(a.allowed_ips, b.allowed_ips)) what.emplace_back("allowed_ips");
  if (!same(a.endpoint, b.endpoint)) what.emplace_back("endpoint");
  if (!same(a.preshared_key, b.preshared_key)) what.emplace_back("preshared_key");
  if (a.persistent_keepalive != b.persistent_keepalive) what.emplace_back("persistent_keepalive");
  return what;
}

std::string prefixes(const std::vector<IpPrefix>& list) {
  std::string out;
  for (const auto& prefix : list) out += (out.empty() ? "" : ", ") + to_string(prefix);
  return out.empty() ? "none" : out;
}

}  // namespace

PeerDiff diff_peers(const GatewayConfig& running, const GatewayConfig& next) {
  PeerDiff diff;
  Refusals refusals(next);
  check_fixed_sections(running, next, refusals);

  std::unordered_map<crypto::PublicKey, std::size_t, KeyHash> old_by_key;
  for (std::size_t i = 0; i < running.peers.size(); ++i) {
    old_by_key.emplace(running.peers[i].public_key, i);
  }
  std::vector<bool> kept(running.peers.size(), false);
  for (std::size_t i = 0; i < next.peers.size(); ++i) {
    const PeerConfig& peer = next.peers[i];
    const auto found = old_by_key.find(peer.public_key);
    if (found == old_by_key.end()) {
      diff.added.push_back(i);
      continue;
    }
    kept[found->second] = true;
    const PeerConfig& before = running.peers[found->second];
    if (!same(before.static_session, peer.static_session)) {
      refusals.refuse("peer[" + std::to_string(i) + "].static_session");
    }
    auto what = peer_changes(before, peer);
    if (what.empty()) {
      diff.unchanged.push_back({found->second, i});
    } else {
      PeerDiff::Changed changed;
      changed.old_index = found->second;
      changed.new_index = i;
      changed.what = std::move(what);
      diff.changed.push_back(std::move(changed));
    }
  }
  for (std::size_t i = 0; i < running.peers.size(); ++i) {
    if (!kept[i]) diff.removed.push_back(i);
  }
  diff.refused = refusals.take();
  return diff;
}

std::vector<std::string> describe(const PeerDiff& diff, const GatewayConfig& running,
                                  const GatewayConfig& next) {
  std::vector<std::string> lines;
  for (std::size_t i : diff.removed) {
    lines.push_back("removed peer " + crypto::to_base64(running.peers[i].public_key));
  }
  for (std::size_t i : diff.added) {
    lines.push_back("added peer " + crypto::to_base64(next.peers[i].public_key) + " (allowed_ips " +
                    prefixes(next.peers[i].allowed_ips) + ")");
  }
  for (const auto& changed : diff.changed) {
    std::string what;
    for (const auto& item : changed.what) what += (what.empty() ? "" : ", ") + item;
    lines.push_back("changed peer " + crypto::to_base64(next.peers[changed.new_index].public_key) +
                    ": " + what);
  }
  return lines;
}

}  // namespace actorwire::config
