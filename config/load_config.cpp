// TOML (toml++) to GatewayConfig: parse, run every section loader and cross check, collect all
// problems, wipe the key text. The pieces: toml_reader (positions, typed access), load_sections,
// cross_checks, load_entry (parse and collect; read the file with secret_file).
#include "config/load_config.hpp"

#include <toml++/toml.h>

#include <utility>

#include "config/cross_checks.hpp"
#include "config/load_entry.hpp"
#include "config/load_sections.hpp"
#include "config/toml_reader.hpp"

namespace actorwire::config {
namespace {

// Records where every key outside [[peer]] was written (and each peer's static_session): what a
// reload that needs a restart names. Peers are skipped, so 10,000 of them cost nothing here.
void record_positions(const loader::Context& ctx, const toml::node& node, const std::string& path,
                      std::vector<KeyPosition>& out) {
  if (const auto* table = node.as_table()) {
    for (const auto& [key, child] : *table) {
      const std::string child_path = loader::child(path, key.str());
      if (path.empty() && key.str() == "peer") {
        if (const auto* peers = child.as_array()) {
          for (std::size_t i = 0; i < peers->size(); ++i) {
            const auto* peer = (*peers)[i].as_table();
            const auto* session = peer == nullptr ? nullptr : peer->get("static_session");
            if (session == nullptr) continue;
            out.push_back(ctx.position(
                session->source(), loader::child(loader::element("peer", i), "static_session")));
          }
        }
        continue;
      }
      out.push_back(ctx.position(key.source(), child_path));
      record_positions(ctx, child, child_path, out);
    }
  } else if (const auto* array = node.as_array()) {
    for (std::size_t i = 0; i < array->size(); ++i) {
      if ((*array)[i].is_table()) {
        const std::string element_path = loader::element(path, i);
        out.push_back(ctx.position((*array)[i].source(), element_path));
        record_positions(ctx, (*array)[i], element_path, out);
      }
    }
  }
}

}  // namespace

std::string ConfigError::to_string() const {
  // Appended piecewise: GCC 12 at -O3 reports a false -Wrestrict for `":" + std::to_string()`.
  std::string out = file;
  if (line > 0) {
    out.append(":").append(std::to_string(line));
    if (column > 0) out.append(":").append(std::to_string(column));
  }
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

LoadResult load_config_string(std::string_view toml_text, std::string_view source_name) {
  using namespace loader;
  return load_document<LoadResult, GatewayConfig>(
      toml_text, source_name, [](Context& ctx, const toml::table& root, GatewayConfig& config) {
        check_top_level(ctx, root);
        load_interface(ctx, root, config.interface);
        load_ports(ctx, root, config.ports);
        load_peers(ctx, root, config.peers);
        load_dpdk(ctx, root, config.dpdk);
        load_topology(ctx, root, config.topology);
        load_crypto(ctx, root, config.crypto);
        load_generator(ctx, root, config.generator);
        load_metrics(ctx, root, config.metrics);

        check_ports(ctx, root);
        check_peers(ctx, root);
        check_generator(ctx, root, config);
        record_positions(ctx, root, "", config.key_positions);
      });
}

LoadResult load_config_file(const std::string& path) {
  return loader::load_secret_file<LoadResult>(path, load_config_string);
}

}  // namespace actorwire::config
