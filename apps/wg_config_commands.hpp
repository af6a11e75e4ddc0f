// `actorwire import` (a wg-quick file to a gateway TOML on stdout) and `actorwire export` (a
// configured peer's side as a wg-quick file). The conversion itself is config/wg_quick*.
#pragma once

#include <ostream>
#include <string>

#include "config/wg_quick_convert.hpp"

namespace actorwire::apps {

// Writes the TOML to `out_fd` (raw: it holds the private key, and its buffer is wiped after);
// warnings and errors to `err`. Exit 0, or 2 when the file cannot be read or converted. The
// result is loaded before it is written: what comes out passes `actorwire check` (once the ports'
// devices are filled in, when --lan/--wan were not given).
int import_command(const std::string& path, const config::WgQuickImportOptions& options, int out_fd,
                   std::ostream& err);

// The peer (public key, a unique start of it, or "peer[N]") of the config at `config_path`.
int export_command(const std::string& config_path, const std::string& peer, std::ostream& out,
                   std::ostream& err);

}  // namespace actorwire::apps
