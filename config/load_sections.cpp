// The section loaders. Values written as text (addresses, MACs, endpoints, keys) go through one
// `as<Format>` each (the formats: text_formats.hpp).
#include "config/load_sections.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "config/text_formats.hpp"

namespace actorwire::config::loader {

namespace {

// --- Entries of [[port]] and [[peer]] ------------------------------------------------------------

void load_port(Context& ctx, const toml::table& table, const std::string& path, PortConfig& out) {
  Table t(ctx, table, path, "[[port]]",
          {"role", "device", "mac", "addresses", "next_hop", "neighbours"});
  if (const auto* node = t.get("role", true, "\"lan\" or \"wan\"")) {
    if (const auto* role = as_string(ctx, *node, t.path("role"), "\"lan\" or \"wan\"")) {
      if (*role == "lan") {
        out.role = PortRole::kLan;
      } else if (*role == "wan") {
        out.role = PortRole::kWan;
      } else {
        ctx.error(node->source(), t.path("role"),
                  "unknown port role " + quoted(*role) + "; expected 'lan' or 'wan'");
      }
    }
  }
  if (const auto* node =
          t.get("device", true, "a DPDK device such as \"0000:03:00.0\" or \"net_ring0\"")) {
    if (const auto* device = as_string(ctx, *node, t.path("device"), "a DPDK device")) {
      if (device->empty()) {
        ctx.error(node->source(), t.path("device"),
                  "expected a DPDK device such as \"0000:03:00.0\" or \"net_ring0\", got an "
                  "empty string");
      }
      out.device = *device;
      out.device_at = ctx.position(node->source(), t.path("device"));
    }
  }
  if (const auto* node = t.find("mac")) out.mac = as<MacAddressText>(ctx, *node, t.path("mac"));
  t.each("addresses", "addresses such as \"192.0.2.1/24\"",
         [&](const toml::node& node, const std::string& element_path) {
           if (auto prefix = as<InterfaceAddressText>(ctx, node, element_path)) {
             out.addresses.push_back(*prefix);
           }
         });
  if (const auto* node = t.find("next_hop")) {
    // One address, or a list with at most one per family (a dual-stack port).
    auto take = [&](const toml::node& element, const std::string& path) {
      auto address = as<IpAddressText>(ctx, element, path);
      if (!address) return;
      auto& slot = address->is_v6 ? out.next_hop_v6 : out.next_hop;
      if (slot) {
        ctx.error(element.source(), path,
                  std::string("a second IPv") + (address->is_v6 ? "6" : "4") +
                      " next hop; give at most one per family");
        return;
      }
      slot = address;
    };
    if (const auto* list = node->as_array()) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        take(*list->get(i), element(t.path("next_hop"), i));
      }
    } else {
      take(*node, t.path("next_hop"));
    }
  }
  t.each("neighbours", "tables such as { ip = \"192.0.2.254\", mac = \"02:00:00:00:00:fe\" }",
         [&](const toml::node& node, const std::string& element_path) {
           const auto* entry = node.as_table();
           if (entry == nullptr) {
             ctx.error(node.source(), element_path,
                       "expected a table such as { ip = \"192.0.2.254\", mac = "
                       "\"02:00:00:00:00:fe\" }, got " +
                           type_name(node));
             return;
           }
           Table n(ctx, *entry, element_path, "a neighbours entry", {"ip", "mac"});
           const auto* ip = n.get("ip", true, "the neighbour's IP address");
           const auto* mac = n.get("mac", true, "the neighbour's MAC address");
           auto address = ip ? as<IpAddressText>(ctx, *ip, n.path("ip")) : std::nullopt;
           auto hardware = mac ? as<MacAddressText>(ctx, *mac, n.path("mac")) : std::nullopt;
           if (address && hardware) out.neighbours.push_back(Neighbour{*address, *hardware});
         });
}

void load_static_session(Context& ctx, const toml::table& table, const std::string& path,
                         StaticSession& out) {
  Table t(ctx, table, path, "[peer.static_session]",
          {"send_key", "receive_key", "send_index", "receive_index"});
  for (const auto& [name, key] :
       {std::pair<std::string_view, crypto::SecretKey*>{"send_key", &out.send_key},
        {"receive_key", &out.receive_key}}) {
    if (const auto* node = t.get(name, true, "a base64 32-byte transport key")) {
      if (auto value = as<SecretKeyText>(ctx, *node, t.path(name))) *key = *value;
    }
  }
  constexpr std::int64_t kMaxIndex = std::numeric_limits<std::uint32_t>::max();
  if (t.get("send_index", true, "the receiver index written on packets sent to the peer")) {
    t.integer("send_index", out.send_index, 0, kMaxIndex);
  }
  if (t.get("receive_index", true, "the receiver index the peer writes on its packets")) {
    t.integer("receive_index", out.receive_index, 0, kMaxIndex);
  }
}

void load_peer(Context& ctx, const toml::table& table, const std::string& path, PeerConfig& out) {
  Table t(ctx, table, path, "[[peer]]",
          {"public_key", "preshared_key", "endpoint", "allowed_ips", "persistent_keepalive",
           "static_session"});
  if (const auto* node = t.get("public_key", true, "the peer's base64 public key")) {
    if (auto key = as<PublicKeyText>(ctx, *node, t.path("public_key"))) out.public_key = *key;
  }
  if (const auto* node = t.find("preshared_key")) {
    out.preshared_key = as<PresharedKeyText>(ctx, *node, t.path("preshared_key"));
  }
  if (const auto* node = t.find("endpoint")) {
    out.endpoint = as<EndpointText>(ctx, *node, t.path("endpoint"));
  }
  t.each("allowed_ips", "CIDR prefixes such as \"10.1.0.0/16\"",
         [&](const toml::node& node, const std::string& element_path) {
           if (auto prefix = as<RoutePrefixText>(ctx, node, element_path)) {
             out.allowed_ips.push_back(*prefix);
           }
         });
  t.integer("persistent_keepalive", out.persistent_keepalive, 0, 65535);
  if (const auto* session = t.subtable("static_session")) {
    out.static_session.emplace();
    load_static_session(ctx, *session, t.path("static_session"), *out.static_session);
  }
}

// A [topology] key that the chosen kind does not read would silently have no effect: one warning
// per such key, at the key, naming the kinds that do read it.
void warn_unread_topology_keys(Context& ctx, const Table& t, TopologyKind kind, bool kind_written) {
  for (const auto& [key, value] : t.table()) {
    const auto name = key.str();
    const auto info = std::find_if(kTopologyKeys.begin(), kTopologyKeys.end(),
                                   [&](const auto& candidate) { return candidate.name == name; });
    if (info == kTopologyKeys.end() || topology_kind_reads(kind, info->key)) continue;
    std::string readers;
    for (const auto& reader : kTopologyKinds) {
      if (!contains(reader.reads, info->key)) continue;
      if (!readers.empty()) readers += ", ";
      readers += reader.name;
    }
    ctx.warning(key.source(), t.path(name),
                "ignored by kind \"" + std::string(to_string(kind)) + "\" (" +
                    (kind_written ? "" : "the default; ") + "read only by: " + readers + ")");
  }
}

}  // namespace

// --- Sections ------------------------------------------------------------------------------------

void check_top_level(Context& ctx, const toml::table& root) {
  const std::vector<std::string_view> known_tables = {
      "interface", "port", "peer", "dpdk", "topology", "crypto", "generator", "metrics"};
  for (const auto& [key, value] : root) {
    const auto name = key.str();
    if (std::find(known_tables.begin(), known_tables.end(), name) != known_tables.end()) {
      continue;
    }
    if (value.is_table() || value.is_array_of_tables()) {
      ctx.error(key.source(), std::string(name),
                "unknown table " + quoted(name) + suggestion(name, known_tables) +
                    " (known tables: " + join(known_tables) + ")");
    } else {
      ctx.error(key.source(), std::string(name),
                "unknown key " + quoted(name) +
                    " at the top level; keys belong inside a table such as [interface]");
    }
  }
}

void load_interface(Context& ctx, const toml::table& root, InterfaceConfig& out) {
  const auto* table = section(ctx, root, "interface");
  if (table == nullptr) {
    if (root.get("interface") == nullptr) {
      ctx.error("interface", "missing required table [interface] (with at least private_key)");
    }
    return;
  }
  Table t(ctx, *table, "interface", "[interface]",
          {"name", "private_key", "listen_port", "addresses", "mtu", "mss_clamping",
           "icmp_unreachable", "user"});
  if (const auto* name = t.string("name", false, "the instance name")) {
    const bool valid = is_valid_instance_name(*name);
    if (valid) {
      out.name = *name;
    } else {
      ctx.error(t.find("name")->source(), t.path("name"),
                "expected 1 to 15 letters, digits, '-', '_' or '.', got " + quoted(*name));
    }
  }
  if (const auto* node = t.get("private_key", true, "the gateway's base64 private key")) {
    if (auto key = as<SecretKeyText>(ctx, *node, t.path("private_key"))) out.private_key = *key;
  }
  t.integer("listen_port", out.listen_port, 1, 65535);
  t.each("addresses", "addresses such as \"10.0.0.1/24\"",
         [&](const toml::node& node, const std::string& path) {
           if (auto prefix = as<InterfaceAddressText>(ctx, node, path)) {
             out.addresses.push_back(*prefix);
           }
         });
  t.integer("mtu", out.mtu, 576, 9000);
  t.boolean("mss_clamping", out.mss_clamping);
  t.boolean("icmp_unreachable", out.icmp_unreachable);
  if (const auto* user = t.string("user", false, "the user to run as after start-up")) {
    // Whether the user exists is the host's business: `actorwire run` looks it up (and names
    // this position when it does not). Here only the form, as useradd accepts it.
    if (is_valid_user_name(*user)) {
      out.user = *user;
      out.user_at = ctx.position(t.find("user")->source(), t.path("user"));
    } else {
      ctx.error(t.find("user")->source(), t.path("user"),
                "expected a user name (1 to 32 of a-z, 0-9, '_', '-', starting with a letter "
                "or '_'), got " +
                    quoted(*user));
    }
  }
}

void load_ports(Context& ctx, const toml::table& root, std::vector<PortConfig>& out) {
  sections(ctx, root, "port", [&](const toml::table& table, const std::string& path) {
    load_port(ctx, table, path, out.emplace_back());
  });
}

void load_peers(Context& ctx, const toml::table& root, std::vector<PeerConfig>& out) {
  sections(ctx, root, "peer", [&](const toml::table& table, const std::string& path) {
    load_peer(ctx, table, path, out.emplace_back());
  });
}

void load_dpdk(Context& ctx, const toml::table& root, DpdkConfig& out) {
  const auto* table = section(ctx, root, "dpdk");
  if (table == nullptr) return;
  Table t(ctx, *table, "dpdk", "[dpdk]",
          {"eal_args", "mbuf_count", "rx_descriptors", "tx_descriptors", "idle_backoff_max_us"});
  if (const auto* args = t.array("eal_args", false, "EAL arguments as strings")) {
    out.eal_args.clear();
    for (std::size_t i = 0; i < args->size(); ++i) {
      const auto element_path = element(t.path("eal_args"), i);
      if (const auto* arg = as_string(ctx, *args->get(i), element_path, "an EAL argument")) {
        out.eal_args.push_back(*arg);
      }
    }
  }
  t.integer("mbuf_count", out.mbuf_count, 1024, std::numeric_limits<std::uint32_t>::max());
  t.integer("idle_backoff_max_us", out.idle_backoff_max_us, 0, kMaxIdleBackoffMaxUs);
  for (const auto& [name, target] :
       {std::pair<std::string_view, std::uint16_t*>{"rx_descriptors", &out.rx_descriptors},
        {"tx_descriptors", &out.tx_descriptors}}) {
    const auto* node = t.find(name);
    if (node == nullptr) continue;
    const auto value = node->as_integer();
    const bool ok = value != nullptr && value->get() >= 32 && value->get() <= 32768 &&
                    (value->get() & (value->get() - 1)) == 0;
    if (ok) {
      *target = static_cast<std::uint16_t>(value->get());
    } else {
      ctx.error(node->source(), t.path(name),
                "expected a power of two from 32 to 32768, got " +
                    (value ? std::to_string(value->get()) : type_name(*node)));
    }
  }
}

void load_topology(Context& ctx, const toml::table& root, TopologyConfig& out) {
  const auto* table = section(ctx, root, "topology");
  if (table == nullptr) return;
  std::vector<std::string_view> known{"kind"};
  for (const auto& key : kTopologyKeys) known.push_back(key.name);
  Table t(ctx, *table, "topology", "[topology]", known);
  const bool kind_written = t.find("kind") != nullptr;
  bool kind_valid = !kind_written;  // the default is valid; a written one must parse
  if (const auto* kind = t.string("kind", false, "the actor topology")) {
    if (auto parsed = parse_topology_kind(*kind)) {
      out.kind = *parsed;
      kind_valid = true;
    } else {
      ctx.error(t.find("kind")->source(), t.path("kind"),
                "unknown topology kind " + quoted(*kind) + "; expected one of " +
                    topology_kind_names(", ", "'"));
    }
  }
  t.integer("crypto_workers", out.crypto_workers, 1, 64);
  t.integer("batch_size", out.batch_size, 1, 256);
  t.integer("mailbox_capacity", out.mailbox_capacity, 1, 1024);
  constexpr std::int64_t kMaxMicros = std::numeric_limits<std::uint32_t>::max();
  t.integer("backoff_min_us", out.backoff_min_us, 0, kMaxMicros);
  t.integer("backoff_max_us", out.backoff_max_us, 0, kMaxMicros);
  if (out.backoff_max_us < out.backoff_min_us) {
    const auto* key = t.find("backoff_max_us") ? "backoff_max_us" : "backoff_min_us";
    ctx.error(t.find(key)->source(), t.path(key),
              "backoff_max_us (" + std::to_string(out.backoff_max_us) +
                  ") must be at least backoff_min_us (" + std::to_string(out.backoff_min_us) + ")");
  }
  t.boolean("ordered", out.ordered);
  if (const auto* io = t.string("io", false, "how polling actors are scheduled")) {
    if (auto parsed = parse_io_scheduling(*io)) {
      out.io = *parsed;
    } else {
      ctx.error(t.find("io")->source(), t.path("io"),
                "unknown io scheduling " + quoted(*io) + "; expected one of " +
                    join({"auto", "detached", "scheduled"}));
    }
  }
  // With a wrong kind, which keys it would read is unknown: that error is enough.
  if (kind_valid) warn_unread_topology_keys(ctx, t, out.kind, kind_written);
}

void load_crypto(Context& ctx, const toml::table& root, CryptoConfig& out) {
  const auto* table = section(ctx, root, "crypto");
  if (table == nullptr) return;
  Table t(ctx, *table, "crypto", "[crypto]", {"aead"});
  if (const auto* aead = t.string("aead", false, "the AEAD back-end")) {
    if (auto kind = crypto::parse_aead_kind(*aead)) {
      out.aead = *kind;
    } else {
      ctx.error(t.find("aead")->source(), t.path("aead"),
                "unknown AEAD back-end " + quoted(*aead) + "; expected one of " +
                    join({"auto", "ipsec-mb", "openssl", "libsodium"}));
    }
  }
}

void load_generator(Context& ctx, const toml::table& root, GeneratorConfig& out) {
  const auto* table = section(ctx, root, "generator");
  if (table == nullptr) return;
  Table t(ctx, *table, "generator", "[generator]",
          {"enabled", "flows", "packet_sizes", "rate_pps", "max_packets"});
  t.boolean("enabled", out.enabled);
  t.integer("flows", out.flows, 1, 65536);
  if (const auto* sizes = t.array("packet_sizes", false, "inner IP packet sizes in bytes")) {
    out.packet_sizes.clear();
    for (std::size_t i = 0; i < sizes->size(); ++i) {
      const auto element_path = element(t.path("packet_sizes"), i);
      if (auto size = as_integer(ctx, *sizes->get(i), element_path, 28, 1500)) {
        out.packet_sizes.push_back(static_cast<std::uint16_t>(*size));
      }
    }
    if (sizes->empty()) {
      ctx.error(sizes->source(), t.path("packet_sizes"),
                "expected at least one packet size (28 to 1500 bytes), got an empty array");
    }
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  t.integer("rate_pps", out.rate_pps, 0, kMax);
  t.integer("max_packets", out.max_packets, 0, kMax);
}

void load_metrics(Context& ctx, const toml::table& root, MetricsConfig& out) {
  const auto* table = section(ctx, root, "metrics");
  if (table == nullptr) return;
  Table t(ctx, *table, "metrics", "[metrics]", {"listen"});
  if (const auto* node = t.get("listen", false, "\"ip:port\" to serve /metrics on")) {
    out.listen = as<ListenAddressText>(ctx, *node, t.path("listen"));
  }
}

}  // namespace actorwire::config::loader
