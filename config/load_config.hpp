// Loading and validating a gateway TOML file (toml++). Every error names the file, line and
// column, the key and what was expected; a config with errors never reaches the data plane.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/gateway_config.hpp"

namespace actorwire::config {

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;
  std::string key;                // dotted path such as "peer[1].allowed_ips[0]"
  std::string message;            // what was expected / what is wrong; never contains key material
  std::string to_string() const;  // "file:line:col: key: message"
};

struct LoadResult {
  std::optional<GatewayConfig> config;  // set only when errors is empty
  std::vector<ConfigError> errors;
  std::vector<std::string> warnings;  // e.g. private key file readable by group/others
  bool ok() const { return config.has_value(); }
};

// Parses TOML text; `source_name` is used in messages.
LoadResult load_config_string(std::string_view toml_text, std::string_view source_name);
// Reads a file (and warns, like wg(8), when it is readable by group or others).
LoadResult load_config_file(const std::string& path);

}  // namespace actorwire::config
