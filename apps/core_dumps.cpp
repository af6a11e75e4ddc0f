#include "apps/core_dumps.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace actorwire::apps {

bool disable_core_dumps(std::string& error) {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    error =
        std::string("cannot disable core dumps: prctl(PR_SET_DUMPABLE): ") + std::strerror(errno);
    return false;
  }
  // With fs.suid_dumpable = 2 the kernel still dumps a non-dumpable process (readable by root
  // only); RLIMIT_CORE 0 stops the core file it would write.
  const rlimit no_core{0, 0};
  if (setrlimit(RLIMIT_CORE, &no_core) != 0) {
    error =
        std::string("cannot disable core dumps: setrlimit(RLIMIT_CORE): ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool core_dumps_enabled() {
  return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1;
}

}  // namespace actorwire::apps
