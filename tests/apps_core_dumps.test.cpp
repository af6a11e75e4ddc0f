// The daemon makes itself non-dumpable before it reads a key (apps/core_dumps). Checked in a
// forked child, so the test process itself stays dumpable.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "apps/core_dumps.hpp"

namespace actorwire::apps {
namespace {

TEST(CoreDumps, DisabledProcessIsNotDumpableAndHasNoCoreLimit) {
  ASSERT_TRUE(core_dumps_enabled()) << "a test process starts dumpable";
  const pid_t child = fork();
  ASSERT_GE(child, 0) << "fork failed";
  if (child == 0) {
    std::string error;
    const bool disabled = disable_core_dumps(error);
    rlimit core{};
    getrlimit(RLIMIT_CORE, &core);
    // Exit codes say which check failed (gtest assertions do not cross fork).
    _exit(!disabled              ? 1
          : core_dumps_enabled() ? 2
          : core.rlim_cur != 0   ? 3
          : core.rlim_max != 0   ? 4
                                 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "1: disable failed, 2: still dumpable, 3/4: RLIMIT_CORE soft/hard not 0";
  EXPECT_TRUE(core_dumps_enabled()) << "the parent is untouched";
}

}  // namespace
}  // namespace actorwire::apps
