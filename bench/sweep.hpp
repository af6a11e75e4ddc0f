// Sweep files for `actorwire bench --sweep`: TOML, each [[set]] a cartesian product of its
// arrays, tagged with the figure it feeds. For example:
//
//   duration = 2.0          # seconds measured per point (after `warmup`)
//   warmup = 0.5
//   [[set]]
//   figure = "fig14"
//   topology = ["pipeline"]
//   crypto_workers = [1, 2]
//   flows = [1024]
//   peers = [1, 10000]      # generated peers instead of the config's (peer_population.hpp)
//   size = [64, 1420]       # inner IP bytes, or "imix"
//   rate_pps = [0]          # 0 = as fast as the gateway accepts
//   ordered = [false]
#pragma once

#include <string>
#include <vector>

#include "bench/bench_runner.hpp"
#include "bench/peer_population.hpp"

namespace actorwire::bench {

// Points in file order; false and `error` ("file:line:col: message") on a bad file.
bool load_sweep(const std::string& path, std::uint16_t mtu, std::vector<BenchPoint>& points,
                std::string& error);

}  // namespace actorwire::bench
