// Shared by the test binaries that start DPDK: the embedded default config with EAL arguments
// that let several test processes run side by side, and helpers to drain ring ports.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <string>
#include <vector>

#include "config/default_config.hpp"
#include "config/load_config.hpp"

namespace actorwire::test_support {

inline config::GatewayConfig default_test_config() {
  auto loaded = config::load_config_string(config::default_config_toml(), "<embedded default>");
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) ADD_FAILURE() << error.to_string();
    return {};
  }
  config::GatewayConfig config = *loaded.config;
  config.dpdk.eal_args = {"--no-huge",        "-m",          "512",
                          "--no-pci",         "--no-shconf", "--file-prefix=" ACTORWIRE_TEST_NAME,
                          "--log-level=error"};
  return config;
}

inline std::vector<rte_mbuf*> drain(rte_ring* ring, unsigned max = 256) {
  std::vector<rte_mbuf*> mbufs(max);
  const unsigned count =
      rte_ring_dequeue_burst(ring, reinterpret_cast<void**>(mbufs.data()), max, nullptr);
  mbufs.resize(count);
  return mbufs;
}

}  // namespace actorwire::test_support
