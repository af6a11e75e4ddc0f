#include "actors/common/test_key_log.hpp"

#ifdef ACTORWIRE_TEST_KEY_LOG_HOOK
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "crypto/keys.hpp"
#endif

namespace actorwire::actors {

#ifdef ACTORWIRE_TEST_KEY_LOG_HOOK

namespace {
std::mutex g_mutex;
int g_fd = -1;
}  // namespace

void open_test_key_log() {
  const std::lock_guard lock(g_mutex);
  const char* path = std::getenv("ACTORWIRE_TEST_KEY_LOG");
  if (g_fd >= 0 || path == nullptr || *path == '\0') return;
  g_fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

void record_test_session_keys(const crypto::SessionKeys& keys) {
  const std::lock_guard lock(g_mutex);
  if (g_fd < 0) return;
  std::string line = std::to_string(keys.local_index) + " ";
  crypto::append_hex(line, keys.send_key);
  line += ' ';
  crypto::append_hex(line, keys.receive_key);
  line += '\n';
  (void)!::write(g_fd, line.data(), line.size());
  sodium_memzero(line.data(), line.size());
}

#else

void open_test_key_log() {}
void record_test_session_keys(const crypto::SessionKeys&) {}

#endif

}  // namespace actorwire::actors
