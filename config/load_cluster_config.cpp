// TOML (toml++) to ClusterConfig, with the gateway loader's machinery: the same positioned
// messages, the same [[peer]] loader and cross checks (duplicate keys, overlapping prefixes),
// the same key hygiene (key text wiped from the document, never quoted back).
#include <toml++/toml.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "config/cluster_config.hpp"
#include "config/cross_checks.hpp"
#include "config/load_entry.hpp"
#include "config/load_sections.hpp"
#include "config/text_formats.hpp"
#include "config/toml_reader.hpp"

namespace actorwire::config {

std::string_view to_string(AssignmentPolicy policy) {
  switch (policy) {
    case AssignmentPolicy::kRendezvous:
      return "rendezvous";
    case AssignmentPolicy::kExplicit:
      return "explicit";
  }
  return "?";
}

namespace {

using namespace loader;

struct KeyOrder {
  bool operator()(const crypto::PublicKey& a, const crypto::PublicKey& b) const {
    return a.bytes < b.bytes;
  }
};
using KeySet = std::set<crypto::PublicKey, KeyOrder>;

void check_cluster_top_level(Context& ctx, const toml::table& root) {
  const std::vector<std::string_view> known = {"interface", "controller", "assignment", "peer"};
  for (const auto& [key, value] : root) {
    const auto name = key.str();
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    ctx.error(key.source(), std::string(name),
              (value.is_table() || value.is_array_of_tables() ? "unknown table " : "unknown key ") +
                  quoted(name) + suggestion(name, known) + " (a cluster file has: " + join(known) +
                  ")");
  }
}

// [interface]: only the identity every node serves. Ports, addresses and the rest are each
// node's own, in its gateway file.
void load_identity(Context& ctx, const toml::table& root, ClusterConfig& out) {
  const auto* table = section(ctx, root, "interface");
  if (table == nullptr) {
    if (root.get("interface") == nullptr) {
      ctx.error("interface",
                "missing required table [interface] with the cluster's private_key (the "
                "WireGuard identity every node serves)");
    }
    return;
  }
  Table t(ctx, *table, "interface", "[interface] of a cluster file",
          {"private_key", "listen_port"});
  if (const auto* node = t.get("private_key", true, "the cluster's base64 private key")) {
    if (auto key = as<SecretKeyText>(ctx, *node, t.path("private_key"))) out.private_key = *key;
  }
  t.integer("listen_port", out.listen_port, 1, 65535);
}

void load_tls(Context& ctx, Table& controller, ControllerConfig& out) {
  const auto* table = controller.subtable("tls");
  if (table == nullptr) return;
  Table t(ctx, *table, controller.path("tls"), "[controller.tls]", {"certificate", "key", "ca"});
  ClusterTls tls;
  bool complete = true;
  for (const auto& [name, target, what] :
       {std::tuple<std::string_view, std::string*, std::string_view>{
            "certificate", &tls.certificate, "the controller's PEM certificate file"},
        {"key", &tls.key, "its PEM private key file"},
        {"ca", &tls.ca, "the PEM CA file node certificates must chain to"}}) {
    const auto* text = t.string(name, true, what);
    if (text == nullptr) {
      complete = false;
    } else if (text->empty()) {
      ctx.error(t.find(name)->source(), t.path(name), "expected a file name, got an empty string");
      complete = false;
    } else {
      *target = *text;
    }
  }
  if (complete) out.tls = std::move(tls);
}

void load_controller(Context& ctx, const toml::table& root, ControllerConfig& out) {
  const auto* table = section(ctx, root, "controller");
  if (table == nullptr) {
    if (root.get("controller") == nullptr) {
      ctx.error("controller", "missing required table [controller] (with at least listen)");
    }
    return;
  }
  Table t(ctx, *table, "controller", "[controller]",
          {"listen", "tls", "plain_tcp_for_tests", "node_timeout_ms", "rejoin_hold_ms"});
  if (const auto* node =
          t.get("listen", true, "the address nodes join, such as \"0.0.0.0:4510\"")) {
    if (auto listen = as<ListenAddressText>(ctx, *node, t.path("listen"))) out.listen = *listen;
  }
  load_tls(ctx, t, out);
  t.boolean("plain_tcp_for_tests", out.plain_tcp_for_tests);
  t.integer("node_timeout_ms", out.node_timeout_ms, 100, 600000);
  t.integer("rejoin_hold_ms", out.rejoin_hold_ms, 0, 3600000);
  const bool tls_written = t.find("tls") != nullptr;
  if (!tls_written && !out.plain_tcp_for_tests) {
    ctx.error(table->source(), "controller",
              "missing [controller.tls] (certificate, key, ca): nodes and controller authenticate "
              "each other with TLS; plain_tcp_for_tests = true turns that off, for tests only");
  }
  if (tls_written && out.plain_tcp_for_tests) {
    ctx.error(t.find("plain_tcp_for_tests")->source(), t.path("plain_tcp_for_tests"),
              "plain_tcp_for_tests and [controller.tls] contradict each other; keep one");
  }
  if (out.plain_tcp_for_tests) {
    ctx.warning(t.find("plain_tcp_for_tests")->source(), t.path("plain_tcp_for_tests"),
                "the cluster's control plane runs without authentication or encryption (tests "
                "only)");
  }
}

void load_assignment(Context& ctx, const toml::table& root, ClusterConfig& out) {
  const auto* table = section(ctx, root, "assignment");
  if (table == nullptr) return;
  Table t(ctx, *table, "assignment", "[assignment]", {"policy", "pin"});
  if (const auto* policy = t.string("policy", false, "\"rendezvous\" or \"explicit\"")) {
    if (*policy == "rendezvous") {
      out.policy = AssignmentPolicy::kRendezvous;
    } else if (*policy == "explicit") {
      out.policy = AssignmentPolicy::kExplicit;
    } else {
      ctx.error(
          t.find("policy")->source(), t.path("policy"),
          "unknown assignment policy " + quoted(*policy) + "; expected 'rendezvous' or 'explicit'");
    }
  }
  KeySet pinned;
  t.each("pin", "tables such as { peer = \"<public key>\", node = \"gw1\" }",
         [&](const toml::node& node, const std::string& path) {
           const auto* entry = node.as_table();
           if (entry == nullptr) {
             ctx.error(node.source(), path,
                       "expected a table such as { peer = \"<public key>\", node = \"gw1\" }, "
                       "got " +
                           type_name(node));
             return;
           }
           Table p(ctx, *entry, path, "a pin", {"peer", "node"});
           PeerPin pin;
           bool ok = true;
           if (const auto* key = p.get("peer", true, "the pinned peer's base64 public key")) {
             auto parsed = as<PublicKeyText>(ctx, *key, p.path("peer"));
             ok = ok && parsed.has_value();
             if (parsed) pin.peer = *parsed;
           } else {
             ok = false;
           }
           if (const auto* name = p.string("node", true, "the node's name")) {
             if (is_valid_instance_name(*name)) {
               pin.node = *name;
             } else {
               ctx.error(p.find("node")->source(), p.path("node"),
                         "expected a node name of 1 to 15 letters, digits, '-', '_' or '.', "
                         "got " +
                             quoted(*name));
               ok = false;
             }
           } else {
             ok = false;
           }
           if (!ok) return;
           if (!pinned.insert(pin.peer).second) {
             ctx.error(entry->source(), path, "this peer is already pinned by an earlier pin");
             return;
           }
           if (std::none_of(out.peers.begin(), out.peers.end(),
                            [&](const PeerConfig& peer) { return peer.public_key == pin.peer; })) {
             ctx.error(entry->source(), path, "pins a peer that no [[peer]] has");
             return;
           }
           out.pins.push_back(std::move(pin));
         });
}

// Static sessions are the paper's benchmark mode for one gateway; a cluster moves peers between
// nodes with handshakes.
void check_no_static_sessions(Context& ctx, const toml::table& root) {
  const auto* peers = root["peer"].as_array();
  if (peers == nullptr) return;
  for (std::size_t i = 0; i < peers->size(); ++i) {
    if (const auto* table = peers->get(i)->as_table()) {
      if (const auto* session = table->get("static_session")) {
        ctx.error(session->source(), element("peer", i) + ".static_session",
                  "not in a cluster file: peers move between nodes with handshakes");
      }
    }
  }
}

// With the explicit policy every peer needs a pin.
void check_pins(Context& ctx, const toml::table& root, const ClusterConfig& config) {
  if (config.policy != AssignmentPolicy::kExplicit) return;
  KeySet pinned;
  for (const auto& pin : config.pins) pinned.insert(pin.peer);
  const auto* peer_tables = root["peer"].as_array();
  for (std::size_t i = 0; i < config.peers.size(); ++i) {
    if (pinned.count(config.peers[i].public_key) != 0) continue;
    const auto path = element("peer", i);
    const auto* entry =
        peer_tables != nullptr && i < peer_tables->size() ? peer_tables->get(i) : nullptr;
    const std::string message =
        "no [[assignment.pin]] for this peer, and the policy is 'explicit' (pin it, or use "
        "policy = \"rendezvous\")";
    if (entry != nullptr) {
      ctx.error(entry->source(), path, message);
    } else {
      ctx.error(path, message);
    }
  }
}

}  // namespace

ClusterLoadResult load_cluster_config_string(std::string_view toml_text,
                                             std::string_view source_name) {
  using namespace loader;
  return load_document<ClusterLoadResult, ClusterConfig>(
      toml_text, source_name, [](Context& ctx, const toml::table& root, ClusterConfig& config) {
        check_cluster_top_level(ctx, root);
        load_identity(ctx, root, config);
        load_controller(ctx, root, config.controller);
        load_peers(ctx, root, config.peers);
        load_assignment(ctx, root, config);  // after the peers: pins must name one
        check_peers(ctx, root);
        check_no_static_sessions(ctx, root);
        check_pins(ctx, root, config);
      });
}

ClusterLoadResult load_cluster_config_file(const std::string& path) {
  return loader::load_secret_file<ClusterLoadResult>(path, load_cluster_config_string);
}

}  // namespace actorwire::config
