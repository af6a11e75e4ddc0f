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
      });
}

LoadResult load_config_file(const std::string& path) {
  return loader::load_secret_file<LoadResult>(path, load_config_string);
}

}  // namespace actorwire::config
