#include "io/eal.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>

namespace actorwire::io {
namespace {

bool has_prefix(const std::vector<std::string>& args, const std::string& prefix) {
  return std::any_of(args.begin(), args.end(),
                     [&](const std::string& arg) { return arg.rfind(prefix, 0) == 0; });
}

}  // namespace

bool start_eal(const std::vector<std::string>& args, std::string& error) {
  static std::once_flag once;
  static bool started = false;
  static std::string start_error;
  std::call_once(once, [&] {
    std::vector<std::string> full{"actorwire"};
    full.insert(full.end(), args.begin(), args.end());
    if (!has_prefix(args, "--file-prefix")) {
      full.push_back("--file-prefix=actorwire" + std::to_string(getpid()));
      if (has_prefix(args, "--no-huge") && !has_prefix(args, "--no-shconf")) {
        full.push_back("--no-shconf");
      }
    }
    // EAL launches one idle thread per extra lcore; actorwire runs its own (CAF) threads.
    if (!has_prefix(args, "-l") && !has_prefix(args, "-c") && !has_prefix(args, "--lcores")) {
      full.push_back("-l");
      full.push_back("0");
    }
    std::vector<char*> argv;
    for (auto& arg : full) argv.push_back(arg.data());
    // rte_eal_init pins the calling thread to the main lcore's CPU, and every thread created
    // afterwards (CAF's scheduler, detached actors) would inherit that single CPU. actorwire
    // schedules its own threads, so give the caller its original CPU set back.
    cpu_set_t original{};
    const bool have_original = sched_getaffinity(0, sizeof original, &original) == 0;
    if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
      start_error = std::string("rte_eal_init failed: ") + rte_strerror(rte_errno);
      return;
    }
    if (have_original) sched_setaffinity(0, sizeof original, &original);
    started = true;
  });
  if (!started) error = start_error;
  return started;
}

rte_mempool* make_mbuf_pool(const std::string& name, std::uint32_t count, std::string& error) {
  rte_mempool* pool =
      rte_pktmbuf_pool_create(name.c_str(), count, /*cache_size=*/256,
                              /*priv_size=*/0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  if (pool == nullptr) {
    error = "cannot create mbuf pool '" + name + "' of " + std::to_string(count) +
            " mbufs: " + rte_strerror(rte_errno);
  }
  return pool;
}

std::vector<MempoolUsage> mempool_usage() {
  std::vector<MempoolUsage> out;
  rte_mempool_walk(
      [](rte_mempool* pool, void* arg) {
        static_cast<std::vector<MempoolUsage>*>(arg)->push_back(
            {pool->name, pool->size, rte_mempool_in_use_count(pool)});
      },
      &out);
  return out;
}

void register_current_thread() {
  if (rte_lcore_id() == LCORE_ID_ANY) rte_thread_register();
}

void unregister_current_thread() {
  if (rte_lcore_id() != LCORE_ID_ANY) rte_thread_unregister();
}

}  // namespace actorwire::io
