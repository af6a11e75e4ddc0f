// apps/privileges: which capabilities the ports keep, an unknown user as a config error, and
// the drop itself on every thread of a forked child that has threads of its own (as the
// daemon has DPDK's, CAF's and the socket servers' by the time it drops).
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "apps/every_thread.hpp"
#include "apps/privileges.hpp"

namespace actorwire::apps {
namespace {

config::GatewayConfig config_with_ports(const std::string& lan, const std::string& wan) {
  config::GatewayConfig config;
  config.ports.resize(2);
  config.ports[0].device = lan;
  config.ports[1].device = wan;
  return config;
}

TEST(Privileges, RingPortsKeepNoCapability) {
  std::string why;
  EXPECT_EQ(capabilities_ports_need(config_with_ports("net_ring0", "net_ring1"), why), 0U);
  EXPECT_EQ(why, "net_ring0: none, net_ring1: none");
}

TEST(Privileges, AfPacketPortsKeepNoCapabilityAndTapPortsNetAdmin) {
  std::string why;
  EXPECT_EQ(capabilities_ports_need(
                config_with_ports("net_af_packet0,iface=lan", "net_af_packet1,iface=wan"), why),
            0U);
  const auto keep =
      capabilities_ports_need(config_with_ports("net_af_packet0,iface=lan", "net_tap0"), why);
  EXPECT_EQ(capability_names(keep), "CAP_NET_ADMIN");
  EXPECT_EQ(why, "net_af_packet0: none, net_tap0: CAP_NET_ADMIN");
}

TEST(Privileges, PciPortsKeepIpcLockAndRawIo) {
  std::string why;
  const auto keep = capabilities_ports_need(config_with_ports("0000:03:00.0", "net_ring0"), why);
  EXPECT_EQ(capability_names(keep), "CAP_IPC_LOCK CAP_SYS_RAWIO");
}

TEST(Privileges, UnknownUserIsAConfigErrorAtItsKey) {
  config::GatewayConfig config = config_with_ports("net_ring0", "net_ring1");
  config.interface.user = "no-such-user-aw";
  config.interface.user_at = {"gw.toml", 7, 8, "interface.user"};
  PrivilegePlan plan;
  const auto error = plan_privileges(config, plan);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->to_string().rfind("gw.toml:7:8: interface.user: no user 'no-such-user-aw'", 0),
            0U)
      << error->to_string();
}

TEST(Privileges, KnownUserIsResolved) {
  config::GatewayConfig config = config_with_ports("net_ring0", "net_ring1");
  config.interface.user = "nobody";
  PrivilegePlan plan;
  ASSERT_FALSE(plan_privileges(config, plan).has_value());
  EXPECT_EQ(plan.uid, getpwnam("nobody")->pw_uid);
}

std::atomic<int> g_calls_seen{0};
int record_call() {
  g_calls_seen.fetch_add(1);
  return 0;
}

TEST(EveryThread, RunsTheStepOnEachThreadOnce) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&stop] {
      while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  g_calls_seen = 0;
  std::string error;
  EXPECT_TRUE(run_on_every_thread(record_call, error)) << error;
  stop = true;
  for (auto& thread : threads) thread.join();
  EXPECT_GE(g_calls_seen.load(), 5) << "the caller and the four threads";
}

// Exit codes of the child, each a check (gtest assertions do not cross fork).
enum ChildResult { kOk = 0, kPlanFailed, kDropFailed, kCheckFailed, kStillRoot };

int drop_in_child_with_threads(const char* user) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&stop] {
      while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  config::GatewayConfig config = config_with_ports("net_ring0", "net_tap0");
  if (user != nullptr) config.interface.user = user;
  PrivilegePlan plan;
  int result = kOk;
  std::string error;
  if (plan_privileges(config, plan).has_value()) {
    result = kPlanFailed;
  } else if (!drop_privileges(plan, error)) {
    result = kDropFailed;
  } else if (!check_every_thread(plan.uid, plan.keep).empty()) {
    result = kCheckFailed;
  } else if (user != nullptr && (getuid() == 0 || geteuid() == 0)) {
    result = kStillRoot;
  }
  stop = true;
  for (auto& thread : threads) thread.join();
  return result;
}

void expect_child_ok(const char* user) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(drop_in_child_with_threads(user));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kOk)
      << "1: plan failed, 2: drop failed, 3: a thread kept more, 4: still root";
}

TEST(Privileges, DropsToUserOnEveryThreadKeepingOnlyWhatPortsNeed) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  expect_child_ok("nobody");
}

TEST(Privileges, StaysRootButDropsCapabilitiesOnEveryThread) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  expect_child_ok(nullptr);
}

}  // namespace
}  // namespace actorwire::apps
