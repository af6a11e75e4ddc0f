// Waiting on rx interrupts (io/rx_interrupt.hpp): a net_tap port has them (every queue gets an
// event fd), an in-process ring port and net_af_packet (DPDK 22.11) do not; a waiter on a TAP
// queue wakes when a frame arrives, leaves the frame for rx_burst, and times out without one.
// The TAP and veth interfaces live in a network namespace of this process's own (IPv6 off, so
// the kernel sends nothing on them); they vanish with it. Needs root and /dev/net/tun, else the
// tests are skipped with the reason.
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <rte_mbuf.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "dpdk_test_config.hpp"
#include "io/eal.hpp"
#include "io/port.hpp"
#include "io/rx_interrupt.hpp"

using namespace actorwire;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kTapIface = "awirq0";

class RxInterrupt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
      skip_reason_ = "needs root and /dev/net/tun (TAP and veth interfaces)";
      return;
    }
    if (unshare(CLONE_NEWNET) != 0) {
      skip_reason_ = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      return;
    }
    for (const char* conf : {"all", "default"}) {
      std::ofstream(std::string("/proc/sys/net/ipv6/conf/") + conf + "/disable_ipv6") << "1";
    }
    std::string error;
    ASSERT_TRUE(io::start_eal(test_support::default_test_config().dpdk.eal_args, error)) << error;
    pool_ = io::make_mbuf_pool(ACTORWIRE_TEST_NAME "_pool", 4096, error);
    ASSERT_NE(pool_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    if (pool_ != nullptr) rte_mempool_free(pool_);
    pool_ = nullptr;
  }
  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  }

  static std::unique_ptr<io::Port> open(const std::string& device) {
    config::PortConfig port_config;
    port_config.device = device;
    std::string error;
    auto port = io::Port::open(port_config, config::DpdkConfig{}, pool_, 1, error);
    EXPECT_TRUE(port) << device << ": " << error;
    return port;
  }

  // Frames on the interface's kernel side: what the TAP's DPDK side then receives.
  static int kernel_side_socket(const char* iface) {
    const int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    EXPECT_GE(fd, 0) << std::strerror(errno);
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(if_nametoindex(iface));
    EXPECT_NE(address.sll_ifindex, 0) << "no interface " << iface;
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0)
        << std::strerror(errno);
    return fd;
  }

  // Whatever the port has received so far, freed; how many frames.
  static unsigned drain(io::Port& port) {
    unsigned total = 0;
    std::array<rte_mbuf*, 32> mbufs;
    for (std::uint16_t n; (n = port.rx_burst(0, mbufs.data(), mbufs.size())) > 0; total += n) {
      for (std::uint16_t i = 0; i < n; ++i) rte_pktmbuf_free(mbufs[i]);
    }
    return total;
  }

  static inline std::string skip_reason_;
  static inline rte_mempool* pool_ = nullptr;
};

TEST_F(RxInterrupt, TapHasThemRingAndAfPacketDoNot) {
  auto tap = open(std::string("net_tap0,iface=") + kTapIface);
  ASSERT_TRUE(tap);
  EXPECT_TRUE(tap->rx_interrupts()) << "net_tap gives each rx queue an event fd";
  std::string why_not;
  EXPECT_TRUE(io::RxInterruptWait::make({{tap.get(), 0}}, why_not)) << why_not;

  auto ring = open("net_ring_irq");
  ASSERT_TRUE(ring);
  EXPECT_FALSE(ring->rx_interrupts());
  why_not.clear();
  EXPECT_FALSE(io::RxInterruptWait::make({{tap.get(), 0}, {ring.get(), 0}}, why_not))
      << "a waiter must not wait on a queue nothing wakes it for";
  EXPECT_NE(why_not.find("net_ring_irq"), std::string::npos) << why_not;

  ASSERT_EQ(std::system("ip link add awirqv0 type veth peer name awirqv1 && "
                        "ip link set awirqv0 up && ip link set awirqv1 up"),
            0);
  auto af_packet = open("net_af_packet0,iface=awirqv0");
  ASSERT_TRUE(af_packet);
  EXPECT_FALSE(af_packet->rx_interrupts()) << "DPDK 22.11's af_packet PMD has no rx interrupts";
  af_packet.reset();
  ring.reset();
  tap.reset();
  EXPECT_EQ(std::system("ip link del awirqv0"), 0);
}

TEST_F(RxInterrupt, TapWaiterWakesOnAFrameAndLeavesItForRxBurst) {
  auto tap = open(std::string("net_tap0,iface=") + kTapIface);
  ASSERT_TRUE(tap);
  std::string why_not;
  auto waiter = io::RxInterruptWait::make({{tap.get(), 0}}, why_not);
  ASSERT_TRUE(waiter) << why_not;
  const int kernel_side = kernel_side_socket(kTapIface);
  ASSERT_GE(kernel_side, 0);
  drain(*tap);
  waiter->wait(std::chrono::microseconds(1000));  // an edge left from before the drain

  // Without a frame: the wait times out (after at least most of its timeout).
  auto start = Clock::now();
  EXPECT_FALSE(waiter->wait(std::chrono::milliseconds(50))) << "woken with no frame sent";
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(40));
  EXPECT_EQ(drain(*tap), 0u);

  // A frame 50 ms into a 5 s wait: the wait ends long before its timeout, and rx_burst gets the
  // frame (the EAL does not read a TAP queue's fd when it fires).
  std::array<std::uint8_t, 60> frame{};
  std::fill(frame.begin(), frame.begin() + 6, 0xff);  // broadcast
  frame[6] = 0x02;                                    // from 02:00:00:00:00:01
  frame[11] = 0x01;
  frame[12] = 0x88;  // local experimental ethertype 0x88b5: nobody parses it
  frame[13] = 0xb5;
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(send(kernel_side, frame.data(), frame.size(), 0), static_cast<ssize_t>(frame.size()))
        << std::strerror(errno);
  });
  start = Clock::now();
  const bool woken = waiter->wait(std::chrono::seconds(5));
  const auto waited = Clock::now() - start;
  sender.join();
  EXPECT_TRUE(woken) << "timed out after 5 s waiting for the TAP queue's rx interrupt";
  EXPECT_LT(waited, std::chrono::seconds(2)) << "the frame sent at 50 ms did not end the wait";
  EXPECT_EQ(drain(*tap), 1u) << "the frame that woke the waiter must still be there to receive";
  close(kernel_side);
  waiter.reset();
  tap.reset();
  EXPECT_EQ(rte_mempool_avail_count(pool_), pool_->size) << "mbufs leaked";
}

}  // namespace
