#include "io/rx_interrupt.hpp"

#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "io/port.hpp"

namespace actorwire::io {

std::unique_ptr<RxInterruptWait> RxInterruptWait::make(const std::vector<Queue>& queues,
                                                       std::string& why_not) {
  if (queues.empty()) {
    why_not = "no queues to wait on";
    return nullptr;
  }
  for (const Queue& queue : queues) {
    if (!queue.port->rx_interrupts()) {
      why_not = "port " + queue.port->device() + " has no rx interrupts";
      return nullptr;
    }
  }
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    why_not = std::string("epoll_create1: ") + std::strerror(errno);
    return nullptr;
  }
  // Queues join one at a time, so the destructor takes out exactly those that joined.
  std::unique_ptr<RxInterruptWait> waiter(new RxInterruptWait(epoll_fd, {}));
  for (const Queue& queue : queues) {
    // The EAL adds the queue's event fd (net_tap: the TAP queue's own fd; a NIC: its vfio
    // eventfd) to the epoll set, edge-triggered, and clears it as the driver asks when it fires.
    const int rc = rte_eth_dev_rx_intr_ctl_q(queue.port->id(), queue.queue, epoll_fd,
                                             RTE_INTR_EVENT_ADD, nullptr);
    if (rc != 0) {
      why_not = "port " + queue.port->device() + " queue " + std::to_string(queue.queue) +
                ": cannot wait on its rx interrupt: " + std::strerror(-rc);
      return nullptr;
    }
    waiter->queues_.push_back(queue);
  }
  return waiter;
}

RxInterruptWait::~RxInterruptWait() {
  for (const Queue& queue : queues_) {
    rte_eth_dev_rx_intr_ctl_q(queue.port->id(), queue.queue, epoll_fd_, RTE_INTR_EVENT_DEL,
                              nullptr);
  }
  close(epoll_fd_);
}

bool RxInterruptWait::wait(std::chrono::microseconds timeout) {
  // -ENOTSUP from a driver whose queue fd is always armed (net_tap: the fd is readable while a
  // frame waits) is not an error: make() already knows the queue has an interrupt.
  for (const Queue& queue : queues_) rte_eth_dev_rx_intr_enable(queue.port->id(), queue.queue);
  const int milliseconds =
      static_cast<int>(std::max<std::chrono::microseconds::rep>(1, timeout / kResolution));
  std::array<rte_epoll_event, 8> events{};
  const int fired =
      rte_epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), milliseconds);
  for (const Queue& queue : queues_) rte_eth_dev_rx_intr_disable(queue.port->id(), queue.queue);
  return fired > 0;
}

}  // namespace actorwire::io
