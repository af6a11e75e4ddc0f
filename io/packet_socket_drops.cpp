#include "io/packet_socket_drops.hpp"

#include <dirent.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>

namespace actorwire::io {
namespace {

// The interface an AF_PACKET socket is bound to, or 0 for anything else.
unsigned packet_socket_interface(int fd) {
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) return 0;
  int domain = 0;
  socklen_t length = sizeof domain;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0 || domain != AF_PACKET) {
    return 0;
  }
  sockaddr_ll address{};
  length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return address.sll_ifindex > 0 ? static_cast<unsigned>(address.sll_ifindex) : 0;
}

}  // namespace

PacketSocketDrops::PacketSocketDrops(const std::string& iface) {
  const unsigned ifindex = iface.empty() ? 0 : if_nametoindex(iface.c_str());
  if (ifindex == 0) return;
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return;
  while (const dirent* entry = readdir(fds)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(fds)) continue;
    if (packet_socket_interface(static_cast<int>(fd)) == ifindex) {
      fds_.push_back(static_cast<int>(fd));
    }
  }
  closedir(fds);
}

std::uint64_t PacketSocketDrops::total() {
  const std::lock_guard lock(mutex_);
  for (const int fd : fds_) {
    tpacket_stats stats{};
    socklen_t length = sizeof stats;
    if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &length) == 0) {
      total_ += stats.tp_drops;
    }
  }
  return total_;
}

void PacketSocketDrops::forget_sockets() {
  const std::lock_guard lock(mutex_);
  fds_.clear();
}

}  // namespace actorwire::io
