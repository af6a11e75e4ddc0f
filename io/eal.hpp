// DPDK EAL start-up (once per process) and mbuf pools.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct rte_mempool;

namespace actorwire::io {

// Starts the EAL with `args` (argv[0] is added). The EAL can start only once per process: a
// second call returns the first call's outcome. Unless the caller chose a --file-prefix, a
// per-process one is added (with --no-shconf under --no-huge) so several gateways and test
// binaries can run side by side.
bool start_eal(const std::vector<std::string>& args, std::string& error);

// A pool of `count` standard mbufs (2048-byte data room + headroom); nullptr and `error` set on
// failure. `name` must be unique in the process.
rte_mempool* make_mbuf_pool(const std::string& name, std::uint32_t count, std::string& error);

// A mempool and how many of its objects are taken (not in the pool nor in a per-lcore cache).
struct MempoolUsage {
  std::string name;
  unsigned size = 0;
  unsigned in_use = 0;
};
// Every mempool of the process (rte_mempool_walk), with rte_mempool_in_use_count: once a
// gateway has stopped and closed its ports, an mbuf pool with mbufs in use has a leak.
std::vector<MempoolUsage> mempool_usage();

// Registers the calling non-EAL thread (e.g. a CAF scheduler thread) as an EAL lcore so that
// mempool per-lcore caches work; safe to call more than once per thread.
void register_current_thread();
void unregister_current_thread();

}  // namespace actorwire::io
