// PacketSocketDrops finds this process's AF_PACKET sockets on an interface and adds up what the
// kernel dropped on them: a packet socket on loopback with a tiny receive buffer that nobody
// reads overflows under a burst of UDP datagrams. Needs CAP_NET_RAW (skipped without it).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/packet_socket_drops.hpp"

using actorwire::io::PacketSocketDrops;

namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

TEST(PacketSocketDrops, CountsTheKernelsDropsOnOurSocketsOfThatInterfaceOnly) {
  Fd packet{socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))};
  if (packet.fd < 0) GTEST_SKIP() << "no CAP_NET_RAW: " << strerror(errno);
  const int small = 1;  // the kernel rounds it up to its minimum (a few KiB)
  ASSERT_EQ(setsockopt(packet.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
  sockaddr_ll bind_to{};
  bind_to.sll_family = AF_PACKET;
  bind_to.sll_protocol = htons(ETH_P_ALL);
  bind_to.sll_ifindex = static_cast<int>(if_nametoindex("lo"));
  ASSERT_GT(bind_to.sll_ifindex, 0);
  ASSERT_EQ(bind(packet.fd, reinterpret_cast<sockaddr*>(&bind_to), sizeof bind_to), 0);
  // A UDP socket is no packet socket: it must not be picked up.
  Fd receiver{socket(AF_INET, SOCK_DGRAM, 0)};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(receiver.fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(receiver.fd, reinterpret_cast<sockaddr*>(&address), &length), 0);

  PacketSocketDrops drops("lo");
  EXPECT_EQ(drops.sockets(), 1u);
  EXPECT_EQ(PacketSocketDrops("no-such-if0").sockets(), 0u);
  // Each datagram passes lo once, and the packet socket sees it; nobody reads it.
  Fd sender{socket(AF_INET, SOCK_DGRAM, 0)};
  const char payload[512] = {};
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(sendto(sender.fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&address),
                     sizeof address),
              static_cast<ssize_t>(sizeof payload));
  }
  const std::uint64_t first = drops.total();
  EXPECT_GT(first, 1000u) << "a few KiB of buffer cannot hold 2000 datagrams";
  // The kernel clears its counter on every read; the total keeps what was read (other
  // processes' traffic on lo may add more meanwhile, never less).
  EXPECT_GE(drops.total(), first);
  drops.forget_sockets();
  const std::uint64_t last = drops.total();
  EXPECT_EQ(drops.total(), last) << "forgotten sockets are not read any more";
}

}  // namespace
