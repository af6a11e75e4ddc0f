#include "io/eal.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "io/eal_failure.hpp"

namespace actorwire::io {
namespace {

bool has_prefix(const std::vector<std::string>& args, const std::string& prefix) {
  return std::any_of(args.begin(), args.end(),
                     [&](const std::string& arg) { return arg.rfind(prefix, 0) == 0; });
}

// A stdio stream that writes to stderr and appends to `copy` (glibc's fopencookie).
FILE* tee_to_stderr(std::string& copy) {
  cookie_io_functions_t functions{};
  functions.write = [](void* cookie, const char* data, std::size_t size) -> ssize_t {
    static_cast<std::string*>(cookie)->append(data, size);
    return static_cast<ssize_t>(std::fwrite(data, 1, size, stderr));
  };
  FILE* stream = fopencookie(&copy, "w", functions);
  if (stream != nullptr) setvbuf(stream, nullptr, _IOLBF, 0);
  return stream;
}

// Leaked on purpose: read by an exit handler, after static destructors may have run.
std::string& runtime_dir_to_remove() {
  static auto* path = new std::string;
  return *path;
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
        full.emplace_back("--no-shconf");
      }
    }
    // EAL launches one idle thread per extra lcore; actorwire runs its own (CAF) threads.
    if (!has_prefix(args, "-l") && !has_prefix(args, "-c") && !has_prefix(args, "--lcores")) {
      full.emplace_back("-l");
      full.emplace_back("0");
    }
    std::vector<char*> argv;
    argv.reserve(full.size());
    for (auto& arg : full) argv.push_back(arg.data());
    // rte_eal_init pins the calling thread to the main lcore's CPU, and every thread created
    // afterwards (CAF's scheduler, detached actors) would inherit that single CPU. actorwire
    // schedules its own threads, so give the caller its original CPU set back.
    cpu_set_t original{};
    const bool have_original = sched_getaffinity(0, sizeof original, &original) == 0;
    // The EAL's log during start-up goes to stderr as it comes and is also kept, to explain
    // a failure in one line.
    std::string eal_log;
    FILE* log = tee_to_stderr(eal_log);
    if (log != nullptr) rte_openlog_stream(log);
    // The EAL makes /var/run/dpdk/<file-prefix>/ and never removes it; with a prefix per
    // process (tests, bench points) they pile up by the thousand. Remove ours at exit if it is
    // empty (a secondary process may still use a non-empty one). Registered before
    // rte_eal_init so that it runs after the EAL's own exit handlers (telemetry unlinks its
    // socket in the directory then).
    std::atexit([] {
      if (!runtime_dir_to_remove().empty()) ::rmdir(runtime_dir_to_remove().c_str());
    });
    const int status = rte_eal_init(static_cast<int>(argv.size()), argv.data());
    const int failure = rte_errno;
    if (log != nullptr) {
      rte_openlog_stream(nullptr);  // back to the EAL's default stream
      std::fclose(log);
    }
    if (status < 0) {
      start_error = explain_eal_failure(failure, eal_log);
      return;
    }
    if (have_original) sched_setaffinity(0, sizeof original, &original);
    runtime_dir_to_remove() = rte_eal_get_runtime_dir();
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
