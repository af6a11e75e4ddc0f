// TOML (toml++) to GatewayConfig, with validation. Every problem becomes a ConfigError with the
// source position toml++ recorded, the dotted key and what was expected; all problems are
// collected before giving up. Key material is never copied into a message.
#include "config/load_config.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace actorwire::config {

namespace {

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "; did you mean 'x'?" when one known key is close to the unknown one.
std::string suggestion(std::string_view unknown, std::initializer_list<std::string_view> known) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (const auto candidate : known) {
    const std::size_t distance = edit_distance(unknown, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best.empty() ? std::string() : "; did you mean " + quoted(best) + "?";
}

std::string join(std::initializer_list<std::string_view> items) {
  std::string out;
  for (const auto item : items) {
    if (!out.empty()) out += ", ";
    out += quoted(item);
  }
  return out;
}

// toml++ quotes offending numeric text in a few of its messages; anything quoted and longer
// than a few characters is replaced so a mistyped (unquoted) key can never leak through.
std::string scrub_parse_error(std::string_view description) {
  std::string out;
  std::size_t i = 0;
  while (i < description.size()) {
    const auto open = description.find('\'', i);
    if (open == std::string_view::npos) break;
    const auto close = description.find('\'', open + 1);
    if (close == std::string_view::npos) break;
    out += description.substr(i, open - i);
    if (close - open - 1 > 8) {
      out += "'<value not shown>'";
    } else {
      out += description.substr(open, close - open + 1);
    }
    i = close + 1;
  }
  out += description.substr(std::min(i, description.size()));
  return out;
}

class Context {
 public:
  explicit Context(std::string file) : file_(std::move(file)) {}

  void error(const toml::source_region& where, std::string key, std::string message) {
    errors_.push_back(ConfigError{file_, static_cast<int>(where.begin.line),
                                  static_cast<int>(where.begin.column), std::move(key),
                                  std::move(message)});
  }
  void error(std::string key, std::string message) {
    errors_.push_back(ConfigError{file_, 0, 0, std::move(key), std::move(message)});
  }
  void warning(const toml::source_region& where, std::string key, std::string message) {
    warnings_.push_back(ConfigError{file_, static_cast<int>(where.begin.line),
                                    static_cast<int>(where.begin.column), std::move(key),
                                    std::move(message)});
  }
  void warning(std::string key, std::string message) {
    warnings_.push_back(ConfigError{file_, 0, 0, std::move(key), std::move(message)});
  }

  // Both lists: problems without a position (missing sections) first, then in file order.
  std::vector<ConfigError> take_errors() {
    sort(errors_);
    return std::move(errors_);
  }
  std::vector<std::string> take_warnings() {
    sort(warnings_);
    std::vector<std::string> out;
    for (const auto& warning : warnings_) out.push_back(warning.to_string());
    return out;
  }

 private:
  static void sort(std::vector<ConfigError>& list) {
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
  }

  std::string file_;
  std::vector<ConfigError> errors_;
  std::vector<ConfigError> warnings_;
};

std::string child(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}
std::string element(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

// --- Typed access to single nodes ---------------------------------------------------------------

const std::string* as_string(Context& ctx, const toml::node& node, const std::string& path,
                             std::string_view what) {
  if (const auto* value = node.as_string()) return &value->get();
  ctx.error(node.source(), path,
            "expected a string (" + std::string(what) + "), got " + type_name(node));
  return nullptr;
}

std::optional<std::int64_t> as_integer(Context& ctx, const toml::node& node,
                                       const std::string& path, std::int64_t min,
                                       std::int64_t max) {
  const auto range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  const auto* value = node.as_integer();
  if (value == nullptr) {
    ctx.error(node.source(), path, "expected " + range + ", got " + type_name(node));
    return std::nullopt;
  }
  if (value->get() < min || value->get() > max) {
    ctx.error(node.source(), path,
              "expected " + range + ", got " + std::to_string(value->get()) + " (out of range)");
    return std::nullopt;
  }
  return value->get();
}

// Key material: the text is never quoted back, only its length.
std::string key_problem(std::string_view text, std::string_view tool) {
  std::string message =
      "expected a base64-encoded 32-byte key (44 characters ending in '=', as "
      "printed by `" +
      std::string(tool) + "`)";
  if (text.size() != 44) {
    message += ", got " + std::to_string(text.size()) + " characters";
  } else {
    message += ", got invalid base64";
  }
  return message + " (the value is not shown)";
}

std::optional<crypto::SecretKey> as_secret_key(Context& ctx, const toml::node& node,
                                               const std::string& path, std::string_view tool) {
  const auto* text = as_string(ctx, node, path, "a base64 key");
  if (text == nullptr) return std::nullopt;
  auto key = crypto::parse_secret_key_base64(*text);
  if (!key) ctx.error(node.source(), path, key_problem(*text, tool));
  return key;
}

std::optional<crypto::PublicKey> as_public_key(Context& ctx, const toml::node& node,
                                               const std::string& path) {
  const auto* text = as_string(ctx, node, path, "a base64 public key");
  if (text == nullptr) return std::nullopt;
  auto key = crypto::parse_public_key_base64(*text);
  if (!key) ctx.error(node.source(), path, key_problem(*text, "wg pubkey"));
  return key;
}

std::optional<IpAddress> as_ip_address(Context& ctx, const toml::node& node,
                                       const std::string& path) {
  const auto* text = as_string(ctx, node, path, "an IP address");
  if (text == nullptr) return std::nullopt;
  auto address = parse_ip_address(*text);
  if (!address) {
    ctx.error(node.source(), path,
              quoted(*text) +
                  " is not an IP address (expected e.g. \"192.0.2.1\" or "
                  "\"2001:db8::1\")");
  }
  return address;
}

std::optional<MacAddress> as_mac_address(Context& ctx, const toml::node& node,
                                         const std::string& path) {
  const auto* text = as_string(ctx, node, path, "a MAC address");
  if (text == nullptr) return std::nullopt;
  auto mac = parse_mac_address(*text);
  if (!mac) {
    ctx.error(node.source(), path,
              quoted(*text) +
                  " is not a MAC address (expected six hex pairs such as "
                  "\"02:00:00:00:00:01\")");
  }
  return mac;
}

// A CIDR route (allowed_ips): host bits must be clear.
std::optional<IpPrefix> as_route_prefix(Context& ctx, const toml::node& node,
                                        const std::string& path) {
  const auto* text = as_string(ctx, node, path, "a CIDR prefix");
  if (text == nullptr) return std::nullopt;
  if (auto prefix = parse_ip_prefix(*text)) return prefix;
  if (auto with_host_bits = parse_interface_address(*text)) {
    // Say what the engineer most likely meant.
    IpPrefix network = *with_host_bits;
    const std::size_t bytes = network.address.is_v6 ? 16 : 4;
    for (std::size_t i = 0; i < bytes; ++i) {
      const std::size_t first_bit = i * 8;
      if (first_bit >= network.length) {
        network.address.bytes[i] = 0;
      } else if (first_bit + 8 > network.length) {
        network.address.bytes[i] &=
            static_cast<std::uint8_t>(0xff << (first_bit + 8 - network.length));
      }
    }
    ctx.error(node.source(), path,
              quoted(*text) + " has host bits set beyond /" + std::to_string(network.length) +
                  "; did you mean " + quoted(to_string(network)) + "?");
  } else {
    ctx.error(node.source(), path,
              quoted(*text) +
                  " is not a CIDR prefix (expected e.g. \"10.1.0.0/16\" or "
                  "\"fd00::/64\")");
  }
  return std::nullopt;
}

// An address with its prefix length; host bits are the point.
std::optional<IpPrefix> as_interface_address(Context& ctx, const toml::node& node,
                                             const std::string& path) {
  const auto* text = as_string(ctx, node, path, "an address with prefix length");
  if (text == nullptr) return std::nullopt;
  auto prefix = parse_interface_address(*text);
  if (!prefix) {
    ctx.error(node.source(), path,
              quoted(*text) +
                  " is not an address with prefix length (expected e.g. "
                  "\"192.0.2.1/24\")");
  }
  return prefix;
}

std::optional<Endpoint> as_endpoint(Context& ctx, const toml::node& node, const std::string& path) {
  const auto* text = as_string(ctx, node, path, "an endpoint");
  if (text == nullptr) return std::nullopt;
  auto endpoint = parse_endpoint(*text);
  if (!endpoint) {
    ctx.error(node.source(), path,
              quoted(*text) +
                  " is not an endpoint (expected \"ip:port\" such as "
                  "\"192.0.2.2:51820\" or \"[2001:db8::2]:51820\"; host names "
                  "are not resolved)");
  }
  return endpoint;
}

// --- Tables --------------------------------------------------------------------------------------

// One TOML table with a fixed set of keys: unknown keys are reported on construction, typed
// getters report missing and mistyped values.
class Table {
 public:
  Table(Context& ctx, const toml::table& table, std::string path, std::string display,
        std::initializer_list<std::string_view> known)
      : ctx_(ctx), table_(table), path_(std::move(path)) {
    for (const auto& [key, value] : table) {
      const auto name = key.str();
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      ctx_.error(key.source(), child(path_, name),
                 "unknown key " + quoted(name) + " in " + display + suggestion(name, known) +
                     " (known keys: " + join(known) + ")");
    }
  }

  const toml::table& table() const { return table_; }
  const std::string& path() const { return path_; }
  std::string path(std::string_view key) const { return child(path_, key); }
  const toml::node* find(std::string_view key) const { return table_.get(key); }

  void missing(std::string_view key, std::string_view what) {
    ctx_.error(table_.source(), path(key),
               "missing required key " + quoted(key) + " (" + std::string(what) + ")");
  }

  // Returns the node for `key`, reporting it when required and absent.
  const toml::node* get(std::string_view key, bool required, std::string_view what) {
    const auto* node = find(key);
    if (node == nullptr && required) missing(key, what);
    return node;
  }

  const std::string* string(std::string_view key, bool required, std::string_view what) {
    const auto* node = get(key, required, what);
    return node == nullptr ? nullptr : as_string(ctx_, *node, path(key), what);
  }

  // Assigns `out` when the key is present and valid.
  template <typename T>
  void integer(std::string_view key, T& out, std::int64_t min, std::int64_t max) {
    if (const auto* node = find(key)) {
      if (auto value = as_integer(ctx_, *node, path(key), min, max)) out = static_cast<T>(*value);
    }
  }

  void boolean(std::string_view key, bool& out) {
    const auto* node = find(key);
    if (node == nullptr) return;
    if (const auto* value = node->as_boolean()) {
      out = value->get();
    } else {
      ctx_.error(node->source(), path(key),
                 "expected a boolean (true or false), got " + type_name(*node));
    }
  }

  const toml::array* array(std::string_view key, bool required, std::string_view what) {
    const auto* node = get(key, required, what);
    if (node == nullptr) return nullptr;
    if (const auto* array = node->as_array()) return array;
    ctx_.error(node->source(), path(key),
               "expected an array (" + std::string(what) + "), got " + type_name(*node));
    return nullptr;
  }

  // Calls `each(node, path)` for every element of the array at `key`.
  template <typename F>
  void each(std::string_view key, std::string_view what, F&& each) {
    if (const auto* array = this->array(key, false, what)) {
      for (std::size_t i = 0; i < array->size(); ++i) each(*array->get(i), element(path(key), i));
    }
  }

  const toml::table* subtable(std::string_view key) {
    const auto* node = find(key);
    if (node == nullptr) return nullptr;
    if (const auto* table = node->as_table()) return table;
    ctx_.error(node->source(), path(key), "expected a table, got " + type_name(*node));
    return nullptr;
  }

 private:
  Context& ctx_;
  const toml::table& table_;
  std::string path_;
};

// A top-level section that must be a single table ([interface], [dpdk], ...).
const toml::table* section(Context& ctx, const toml::table& root, std::string_view name) {
  const auto* node = root.get(name);
  if (node == nullptr) return nullptr;
  if (const auto* table = node->as_table()) return table;
  ctx.error(node->source(), std::string(name),
            "expected a table [" + std::string(name) + "], got " + type_name(*node));
  return nullptr;
}

// A top-level array of tables ([[port]], [[peer]]); calls `each(table, path)`.
template <typename F>
void sections(Context& ctx, const toml::table& root, std::string_view name, F&& each) {
  const auto* node = root.get(name);
  if (node == nullptr) return;
  const auto* array = node->as_array();
  if (array == nullptr) {
    ctx.error(node->source(), std::string(name),
              "expected an array of tables written as [[" + std::string(name) + "]], got " +
                  type_name(*node) +
                  (node->is_table() ? " (write [[" + std::string(name) + "]] instead of [" +
                                          std::string(name) + "])"
                                    : ""));
    return;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& entry = *array->get(i);
    const auto path = element(name, i);
    if (const auto* table = entry.as_table()) {
      each(*table, path);
    } else {
      ctx.error(entry.source(), path, "expected a table, got " + type_name(entry));
    }
  }
}

// --- Sections ------------------------------------------------------------------------------------

void load_interface(Context& ctx, const toml::table& root, InterfaceConfig& out) {
  const auto* table = section(ctx, root, "interface");
  if (table == nullptr) {
    if (root.get("interface") == nullptr) {
      ctx.error("interface", "missing required table [interface] (with at least private_key)");
    }
    return;
  }
  Table t(ctx, *table, "interface", "[interface]",
          {"private_key", "listen_port", "addresses", "mtu"});
  if (const auto* node = t.get("private_key", true, "the gateway's base64 private key")) {
    if (auto key = as_secret_key(ctx, *node, t.path("private_key"), "wg genkey")) {
      out.private_key = *key;
    }
  }
  t.integer("listen_port", out.listen_port, 1, 65535);
  t.each("addresses", "addresses such as \"10.0.0.1/24\"",
         [&](const toml::node& node, const std::string& path) {
           if (auto prefix = as_interface_address(ctx, node, path))
             out.addresses.push_back(*prefix);
         });
  t.integer("mtu", out.mtu, 576, 9000);
}

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
    }
  }
  if (const auto* node = t.find("mac")) out.mac = as_mac_address(ctx, *node, t.path("mac"));
  t.each("addresses", "addresses such as \"192.0.2.1/24\"",
         [&](const toml::node& node, const std::string& element_path) {
           if (auto prefix = as_interface_address(ctx, node, element_path)) {
             out.addresses.push_back(*prefix);
           }
         });
  if (const auto* node = t.find("next_hop")) {
    out.next_hop = as_ip_address(ctx, *node, t.path("next_hop"));
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
           auto address = ip ? as_ip_address(ctx, *ip, n.path("ip")) : std::nullopt;
           auto hardware = mac ? as_mac_address(ctx, *mac, n.path("mac")) : std::nullopt;
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
      if (auto value = as_secret_key(ctx, *node, t.path(name), "wg genkey")) *key = *value;
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
    if (auto key = as_public_key(ctx, *node, t.path("public_key"))) out.public_key = *key;
  }
  if (const auto* node = t.find("preshared_key")) {
    out.preshared_key = as_secret_key(ctx, *node, t.path("preshared_key"), "wg genpsk");
  }
  if (const auto* node = t.find("endpoint")) {
    out.endpoint = as_endpoint(ctx, *node, t.path("endpoint"));
  }
  t.each("allowed_ips", "CIDR prefixes such as \"10.1.0.0/16\"",
         [&](const toml::node& node, const std::string& element_path) {
           if (auto prefix = as_route_prefix(ctx, node, element_path)) {
             out.allowed_ips.push_back(*prefix);
           }
         });
  t.integer("persistent_keepalive", out.persistent_keepalive, 0, 65535);
  if (const auto* session = t.subtable("static_session")) {
    out.static_session.emplace();
    load_static_session(ctx, *session, t.path("static_session"), *out.static_session);
  }
}

void load_dpdk(Context& ctx, const toml::table& root, DpdkConfig& out) {
  const auto* table = section(ctx, root, "dpdk");
  if (table == nullptr) return;
  Table t(ctx, *table, "dpdk", "[dpdk]",
          {"eal_args", "mbuf_count", "rx_descriptors", "tx_descriptors"});
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
  Table t(ctx, *table, "topology", "[topology]",
          {"kind", "crypto_workers", "batch_size", "mailbox_capacity", "backoff_min_us",
           "backoff_max_us", "ordered", "io"});
  if (const auto* kind = t.string("kind", false, "the actor topology")) {
    if (auto parsed = parse_topology_kind(*kind)) {
      out.kind = *parsed;
    } else {
      ctx.error(t.find("kind")->source(), t.path("kind"),
                "unknown topology kind " + quoted(*kind) + "; expected one of " +
                    join({"single", "workers-mutex", "workers-spinlock", "pipeline"}));
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
  if (out.kind == TopologyKind::kSingle && out.crypto_workers > 1) {
    ctx.warning(t.find("crypto_workers")->source(), t.path("crypto_workers"),
                "crypto_workers is ignored when kind = \"single\"");
  }
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
                    join({"openssl", "libsodium"}));
    }
  }
}

void load_generator(Context& ctx, const toml::table& root, GeneratorConfig& out) {
  const auto* table = section(ctx, root, "generator");
  if (table == nullptr) return;
  Table t(ctx, *table, "generator", "[generator]",
          {"flows", "packet_sizes", "rate_pps", "max_packets"});
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

// --- Checks across sections ----------------------------------------------------------------------
// These read the TOML nodes again (for positions) and only look at values that parsed cleanly,
// so a value that already has an error is not reported twice.

std::optional<PortRole> valid_role(const toml::node_view<const toml::node> port) {
  const auto role = port["role"].value<std::string_view>();
  if (role == "lan") return PortRole::kLan;
  if (role == "wan") return PortRole::kWan;
  return std::nullopt;
}

std::string_view role_name(PortRole role) {
  return role == PortRole::kLan ? "lan" : "wan";
}

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
  std::vector<std::pair<crypto::PublicKey, std::size_t>> seen_keys;
  std::map<std::string, std::size_t> first_with_prefix;  // canonical prefix -> peer
  std::map<std::uint32_t, std::size_t> first_with_receive_index;
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
        const auto same = std::find_if(seen_keys.begin(), seen_keys.end(),
                                       [&](const auto& seen) { return seen.first == *key; });
        if (same != seen_keys.end()) {
          ctx.error(
              text->source(), path + ".public_key",
              "duplicate peer: the same public key as peer[" + std::to_string(same->second) + "]");
        } else {
          seen_keys.emplace_back(*key, i);
        }
      }
    }

    if (const auto* allowed = peer["allowed_ips"].as_array()) {
      for (std::size_t a = 0; a < allowed->size(); ++a) {
        const auto* text = allowed->get(a)->as_string();
        const auto prefix = text ? parse_ip_prefix(text->get()) : std::nullopt;
        if (!prefix) continue;
        const auto canonical = to_string(*prefix);
        const auto [it, inserted] = first_with_prefix.emplace(canonical, i);
        if (inserted) continue;
        const auto element_path = element(path + ".allowed_ips", a);
        if (it->second == i) {
          ctx.warning(text->source(), element_path, canonical + " is listed twice for this peer");
        } else {
          ctx.error(text->source(), element_path,
                    canonical + " is already an allowed IP of peer[" + std::to_string(it->second) +
                        "]; each prefix routes to one peer only");
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

// The parsed document holds copies of the key text; wipe them before it is freed.
void wipe_secrets(toml::table& root) {
  const auto wipe = [](toml::node_view<toml::node> node) {
    if (auto* text = node.as_string()) sodium_memzero(text->get().data(), text->get().size());
  };
  wipe(root["interface"]["private_key"]);
  if (auto* peers = root["peer"].as_array()) {
    for (auto& peer : *peers) {
      const auto view = toml::node_view<toml::node>(peer);
      wipe(view["preshared_key"]);
      wipe(view["static_session"]["send_key"]);
      wipe(view["static_session"]["receive_key"]);
    }
  }
}

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

LoadResult load_config_string(std::string_view toml_text, std::string_view source_name) {
  LoadResult result;
  Context ctx{std::string(source_name)};

  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    ctx.error(error.source(), "", "TOML syntax error: " + scrub_parse_error(error.description()));
    result.errors = ctx.take_errors();
    return result;
  }

  // Unknown top-level keys and tables.
  const std::initializer_list<std::string_view> known_tables = {
      "interface", "port", "peer", "dpdk", "topology", "crypto", "generator"};
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

  GatewayConfig config;
  config.source = std::string(source_name);
  load_interface(ctx, root, config.interface);
  sections(ctx, root, "port", [&](const toml::table& table, const std::string& path) {
    load_port(ctx, table, path, config.ports.emplace_back());
  });
  sections(ctx, root, "peer", [&](const toml::table& table, const std::string& path) {
    load_peer(ctx, table, path, config.peers.emplace_back());
  });
  load_dpdk(ctx, root, config.dpdk);
  load_topology(ctx, root, config.topology);
  load_crypto(ctx, root, config.crypto);
  load_generator(ctx, root, config.generator);

  check_ports(ctx, root);
  check_peers(ctx, root);
  check_generator(ctx, root, config);
  wipe_secrets(root);

  result.errors = ctx.take_errors();
  result.warnings = ctx.take_warnings();
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

LoadResult load_config_file(const std::string& path) {
  const auto fail = [&](const std::string& why) {
    LoadResult result;
    result.errors.push_back(ConfigError{path, 0, 0, "", "cannot read file: " + why});
    return result;
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
    const int error = S_ISDIR(info.st_mode) ? EISDIR : errno;
    ::close(fd);
    return fail(std::strerror(error));
  }

  // The text holds the private key: grow the buffer by hand so that no stale copy is left in
  // freed memory, and wipe it after parsing.
  std::string text;
  text.reserve(S_ISREG(info.st_mode) ? static_cast<std::size_t>(info.st_size) + 1 : 4096);
  char chunk[4096];
  int read_error = 0;
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) read_error = errno;
    if (n <= 0) break;
    if (text.size() + static_cast<std::size_t>(n) > text.capacity()) {
      std::string bigger;
      bigger.reserve(2 * (text.size() + static_cast<std::size_t>(n)));
      bigger.append(text);
      sodium_memzero(text.data(), text.size());
      text.swap(bigger);
    }
    text.append(chunk, static_cast<std::size_t>(n));
  }
  sodium_memzero(chunk, sizeof(chunk));
  ::close(fd);
  if (read_error != 0) {
    sodium_memzero(text.data(), text.size());
    return fail(std::strerror(read_error));
  }

  LoadResult result = load_config_string(text, path);
  sodium_memzero(text.data(), text.size());

  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(info.st_mode & 07777));
    result.warnings.insert(result.warnings.begin(),
                           path + ": the file is readable by group or others (mode " + mode +
                               ") but holds a private key; run: chmod 600 " + path);
  }
  return result;
}

}  // namespace actorwire::config
