// One loader per part of the gateway file: each reads its TOML section into the matching part of
// GatewayConfig, reporting unknown keys, wrong types and bad values through the Context and
// leaving defaults where the file says nothing. Internal to the loader.
#pragma once

#include <toml++/toml.h>

#include <vector>

#include "config/gateway_config.hpp"
#include "config/toml_reader.hpp"

namespace actorwire::config::loader {

// Unknown top-level tables (with a suggestion) and keys outside any table.
void check_top_level(Context& ctx, const toml::table& root);

void load_interface(Context& ctx, const toml::table& root, InterfaceConfig& out);
void load_ports(Context& ctx, const toml::table& root, std::vector<PortConfig>& out);
void load_peers(Context& ctx, const toml::table& root, std::vector<PeerConfig>& out);
void load_dpdk(Context& ctx, const toml::table& root, DpdkConfig& out);
// Also warns about every [topology] key the chosen kind does not read.
void load_topology(Context& ctx, const toml::table& root, TopologyConfig& out);
void load_crypto(Context& ctx, const toml::table& root, CryptoConfig& out);
void load_generator(Context& ctx, const toml::table& root, GeneratorConfig& out);
void load_metrics(Context& ctx, const toml::table& root, MetricsConfig& out);

}  // namespace actorwire::config::loader
