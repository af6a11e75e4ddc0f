// Waiting for packets instead of sleeping blind: a poller that has backed off blocks on the rx
// interrupts of the queues it polls, with its back-off pause as the timeout, so the first packet
// after a quiet spell wakes it at once and a missed interrupt costs at most one pause. Only where
// every polled queue has an interrupt (Port::rx_interrupts(): net_tap does, and PCI NICs whose
// driver and kernel binding give them one; net_af_packet, net_ring and memif do not in DPDK
// 22.11, and keep the sleeping back-off). Blocks the calling thread: for pollers on a thread of
// their own only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace actorwire::io {

class Port;

class RxInterruptWait {
 public:
  struct Queue {
    Port* port;
    std::uint16_t queue;
  };
  // A waiter on all of `queues` (each port's rx queue), or nullptr with `why_not` set when one
  // of them has no rx interrupt or the epoll set cannot be built.
  static std::unique_ptr<RxInterruptWait> make(const std::vector<Queue>& queues,
                                               std::string& why_not);
  ~RxInterruptWait();
  RxInterruptWait(const RxInterruptWait&) = delete;
  RxInterruptWait& operator=(const RxInterruptWait&) = delete;

  // The shortest wait it can do: the EAL's epoll wait counts whole milliseconds.
  static constexpr std::chrono::microseconds kResolution{1000};

  // Arms the queues' interrupts and blocks until one of them fires or `timeout` (rounded down
  // to whole milliseconds, at least one) has passed, then disarms them. True when an interrupt
  // fired: a packet came (or came while the poller was busy: a spurious wake costs one empty
  // poll). Call it only after a poll found every queue empty.
  bool wait(std::chrono::microseconds timeout);

 private:
  RxInterruptWait(int epoll_fd, std::vector<Queue> queues)
      : epoll_fd_(epoll_fd), queues_(std::move(queues)) {}

  int epoll_fd_;
  std::vector<Queue> queues_;
};

}  // namespace actorwire::io
