// Checks across entries and sections, run after the section loaders on the same document.
#include "config/cross_checks.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace actorwire::config::loader {

namespace {

std::optional<PortRole> valid_role(const toml::node_view<const toml::node> port) {
  const auto role = port["role"].value<std::string_view>();
  if (role == "lan") return PortRole::kLan;
  if (role == "wan") return PortRole::kWan;
  return std::nullopt;
}

std::string_view role_name(PortRole role) {
  return role == PortRole::kLan ? "lan" : "wan";
}

std::size_t hash_bytes(const void* data, std::size_t size) {
  return std::hash<std::string_view>{}(std::string_view(static_cast<const char*>(data), size));
}

// Hash maps, not linear scans or maps keyed by text: a config may have 10,000 peers with
// 100,000 prefixes, each checked against all before it.
struct PublicKeyHash {
  std::size_t operator()(const crypto::PublicKey& key) const {
    return hash_bytes(key.bytes.data(), key.bytes.size());
  }
};

struct IpPrefixHash {
  std::size_t operator()(const IpPrefix& prefix) const {
    // One map for both families: 10.0.0.0/8 and ::a00:0/8 share their bytes, not their family.
    return hash_bytes(prefix.address.bytes.data(), prefix.address.bytes.size()) ^
           (std::size_t{prefix.length} << 1) ^ std::size_t{prefix.address.is_v6};
  }
};

// One allowed IP as first written: which peer, and where.
struct RoutedPrefix {
  IpPrefix prefix;
  std::size_t peer = 0;
  toml::source_region source;
  std::string path;
};

std::string line_col(const toml::source_region& where) {
  return "line " + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column);
}

// A prefix of one peer inside another peer's (10.1.0.0/16 in 10.0.0.0/8) is legal, and the data
// plane's longest-prefix match sends it to the more specific peer, but WireGuard users rarely
// mean it: one warning, naming the first such pair with both lines and counting the others.
// Only the lengths a config uses are tried (a few, even with 100,000 prefixes).
void warn_nested_prefixes(
    Context& ctx, const std::vector<RoutedPrefix>& routed,
    const std::unordered_map<IpPrefix, std::size_t, IpPrefixHash>& index_of_prefix) {
  std::array<std::vector<std::uint8_t>, 2> lengths;  // per family, ascending
  for (const RoutedPrefix& entry : routed) {
    auto& used = lengths[entry.prefix.address.is_v6];
    if (std::find(used.begin(), used.end(), entry.prefix.length) == used.end()) {
      used.push_back(entry.prefix.length);
    }
  }
  for (auto& used : lengths) std::sort(used.begin(), used.end());
  const RoutedPrefix* first_inner = nullptr;
  const RoutedPrefix* first_outer = nullptr;
  std::size_t nested = 0;
  for (const RoutedPrefix& inner : routed) {
    for (const std::uint8_t length : lengths[inner.prefix.address.is_v6]) {
      if (length >= inner.prefix.length) break;
      const auto outer = index_of_prefix.find(network_of(IpPrefix{inner.prefix.address, length}));
      if (outer == index_of_prefix.end() || routed[outer->second].peer == inner.peer) continue;
      if (nested++ == 0) {
        first_inner = &inner;
        first_outer = &routed[outer->second];
      }
    }
  }
  if (nested == 0) return;
  std::string message =
      to_string(first_inner->prefix) + " of peer[" + std::to_string(first_inner->peer) +
      "] lies inside " + to_string(first_outer->prefix) + " of peer[" +
      std::to_string(first_outer->peer) + "] (" + first_outer->path + " at " +
      line_col(first_outer->source) + "); the longest prefix wins, so its traffic goes to peer[" +
      std::to_string(first_inner->peer) + "]";
  if (nested > 1) {
    message += " (" + std::to_string(nested - 1) + " more prefix(es) lie inside another peer's)";
  }
  ctx.warning(first_inner->source, first_inner->path, message);
}

}  // namespace

void check_ports(Context& ctx, const toml::table& root) {
  const auto* ports = root["port"].as_array();
  if (root.get("port") == nullptr) {
    ctx.error("port",
              "missing [[port]] tables: one with role = \"lan\" and one with role = \"wan\"");
    return;
  }
  if (ports == nullptr) return;  // already reported: not an array of tables
  std::map<PortRole, std::size_t> first_with_role;
  std::map<std::string, std::size_t> first_with_device;
  bool all_roles_valid = true;
  for (std::size_t i = 0; i < ports->size(); ++i) {
    const auto port = root["port"][i];
    if (const auto role = valid_role(port)) {
      const auto [it, inserted] = first_with_role.emplace(*role, i);
      if (!inserted) {
        ctx.error(port["role"].node()->source(), element("port", i) + ".role",
                  "a second " + std::string(role_name(*role)) + " port (port[" +
                      std::to_string(it->second) +
                      "] has the same role); exactly one lan and one wan port are supported");
      }
    } else {
      all_roles_valid = false;
    }
    if (const auto device = port["device"].value<std::string>(); device && !device->empty()) {
      const auto [it, inserted] = first_with_device.emplace(*device, i);
      if (!inserted) {
        ctx.error(port["device"].node()->source(), element("port", i) + ".device",
                  "device " + quoted(*device) + " is already used by port[" +
                      std::to_string(it->second) + "]");
      }
    }
  }
  // With a missing or invalid role somewhere, that error already explains a missing lan/wan.
  if (!all_roles_valid) return;
  const auto& where = ports->empty() ? ports->source() : ports->get(0)->source();
  for (const auto role : {PortRole::kLan, PortRole::kWan}) {
    if (first_with_role.count(role) != 0) continue;
    ctx.error(where, "port",
              "no [[port]] with role = \"" + std::string(role_name(role)) +
                  "\"; one lan and one wan port are required");
  }
}

void check_peers(Context& ctx, const toml::table& root) {
  const auto* peers = root["peer"].as_array();
  if (peers == nullptr) {
    if (root.get("peer") == nullptr) {
      ctx.warning("peer", "no [[peer]] tables: the gateway has nobody to talk to");
    }
    return;
  }
  std::optional<crypto::PublicKey> own_public;
  if (const auto* text = root["interface"]["private_key"].as_string()) {
    if (const auto private_key = crypto::parse_secret_key_base64(text->get())) {
      own_public = crypto::derive_public_key(*private_key);
    }
  }
  std::unordered_map<crypto::PublicKey, std::size_t, PublicKeyHash> first_with_key;
  std::unordered_map<IpPrefix, std::size_t, IpPrefixHash> first_with_prefix;
  std::vector<RoutedPrefix> routed;  // first occurrence of each prefix, for the nesting check
  std::unordered_map<std::uint32_t, std::size_t> first_with_receive_index;
  for (std::size_t i = 0; i < peers->size(); ++i) {
    const auto peer = root["peer"][i];
    const auto path = element("peer", i);
    if (!peer.is_table()) continue;

    if (const auto* text = peer["public_key"].as_string()) {
      if (const auto key = crypto::parse_public_key_base64(text->get())) {
        if (own_public && *key == *own_public) {
          ctx.error(text->source(), path + ".public_key",
                    "this is the gateway's own public key (derived from "
                    "interface.private_key); a peer must be another gateway");
        }
        const auto [same, inserted] = first_with_key.emplace(*key, i);
        if (!inserted) {
          ctx.error(
              text->source(), path + ".public_key",
              "duplicate peer: the same public key as peer[" + std::to_string(same->second) + "]");
        }
      }
    }

    if (const auto* allowed = peer["allowed_ips"].as_array()) {
      for (std::size_t a = 0; a < allowed->size(); ++a) {
        const auto* text = allowed->get(a)->as_string();
        const auto prefix = text ? parse_ip_prefix(text->get()) : std::nullopt;
        if (!prefix) continue;
        const auto [it, inserted] = first_with_prefix.emplace(*prefix, routed.size());
        const auto element_path = element(path + ".allowed_ips", a);
        if (inserted) {
          routed.push_back({*prefix, i, text->source(), element_path});
          continue;
        }
        const auto canonical = to_string(*prefix);
        const RoutedPrefix& first = routed[it->second];
        if (first.peer == i) {
          ctx.warning(text->source(), element_path, canonical + " is listed twice for this peer");
        } else {
          ctx.error(text->source(), element_path,
                    canonical + " is already an allowed IP of peer[" + std::to_string(first.peer) +
                        "] (" + first.path + " at " + line_col(first.source) +
                        "); each prefix routes to one peer only");
        }
      }
    } else if (peer["allowed_ips"].node() == nullptr) {
      ctx.warning(peer.node()->source(), path,
                  "no allowed_ips: no traffic will be sent to or accepted from this peer");
    }

    const auto* receive_index = peer["static_session"]["receive_index"].as_integer();
    if (receive_index != nullptr && receive_index->get() >= 0 &&
        receive_index->get() <= std::numeric_limits<std::uint32_t>::max()) {
      const auto index = static_cast<std::uint32_t>(receive_index->get());
      const auto [it, inserted] = first_with_receive_index.emplace(index, i);
      if (!inserted) {
        ctx.error(receive_index->source(), path + ".static_session.receive_index",
                  "receive_index " + std::to_string(index) + " is already used by peer[" +
                      std::to_string(it->second) + "]; incoming packets could not be told apart");
      }
    }
  }
  warn_nested_prefixes(ctx, routed, first_with_prefix);
}

void check_generator(Context& ctx, const toml::table& root, const GatewayConfig& config) {
  const auto* sizes = root["generator"]["packet_sizes"].as_array();
  if (sizes == nullptr) return;
  for (std::size_t i = 0; i < sizes->size(); ++i) {
    const auto* size = sizes->get(i)->as_integer();
    if (size != nullptr && size->get() > config.interface.mtu && size->get() <= 1500) {
      ctx.warning(size->source(), element("generator.packet_sizes", i),
                  "packet size " + std::to_string(size->get()) + " exceeds interface.mtu " +
                      std::to_string(config.interface.mtu));
    }
  }
}

}  // namespace actorwire::config::loader
