// Checks that span entries or sections (one lan and one wan port, no duplicate peers, prefixes or
// receive indices, generator sizes against the MTU). They read the TOML nodes again, for
// positions, and look only at values that parsed cleanly, so a value that already has an error
// is not reported twice. Internal to the loader.
#pragma once

#include <toml++/toml.h>

#include "config/gateway_config.hpp"
#include "config/toml_reader.hpp"

namespace actorwire::config::loader {

void check_ports(Context& ctx, const toml::table& root);
void check_peers(Context& ctx, const toml::table& root);
void check_generator(Context& ctx, const toml::table& root, const GatewayConfig& config);

}  // namespace actorwire::config::loader
