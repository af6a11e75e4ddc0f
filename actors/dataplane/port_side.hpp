// One port as a transmitting actor sees it: the port's neighbours (ARP), frames queued for
// transmission, and frames parked until their next hop's MAC is known. Used by every actor that
// transmits on a port.
#pragma once

#include <rte_mbuf.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/common/stage_counters.hpp"
#include "io/neighbours.hpp"
#include "io/port.hpp"

struct rte_mempool;

namespace actorwire::actors {

class PortSide {
 public:
  PortSide(io::Port& port, rte_mempool* pool, StageCounters& counters, std::uint16_t queue = 0);
  ~PortSide();  // frees (and counts) what is still queued
  PortSide(const PortSide&) = delete;
  PortSide& operator=(const PortSide&) = delete;

  io::Port& port() { return port_; }
  const io::PortIdentity& identity() const { return port_.identity(); }
  std::size_t queued() const { return tx_.size(); }

  // Queues a complete frame for transmission.
  void transmit(rte_mbuf* mbuf) { tx_.push_back(mbuf); }
  // Queues a frame whose Ethernet destination is the neighbour leading to `destination`
  // (host-order IPv4): written now if known, else the frame waits for ARP.
  void transmit_to(rte_mbuf* mbuf, std::uint32_t destination,
                   std::chrono::steady_clock::time_point now);
  // An ARP frame received on this port: answers, learns, releases waiting frames.
  void handle_arp(rte_mbuf* mbuf, const io::ParsedFrame& frame,
                  std::chrono::steady_clock::time_point now);
  // A neighbour learned elsewhere (a sibling worker got the ARP reply): releases waiting frames.
  void learn(std::uint32_t ip, const config::MacAddress& mac);
  // Neighbours this side learned from ARP since the last call (for siblings to hear about).
  std::vector<std::pair<std::uint32_t, config::MacAddress>> take_learned();
  // Drops frames that waited too long for ARP.
  void expire_waiting(std::chrono::steady_clock::time_point now);
  // Sends what the port takes; keeps the rest, in order.
  void flush();

 private:
  struct Waiting {
    rte_mbuf* mbuf;
    std::uint32_t neighbour;
    std::chrono::steady_clock::time_point since;
  };
  void request(std::uint32_t neighbour, std::chrono::steady_clock::time_point now);
  void release(std::uint32_t neighbour, const config::MacAddress& mac);
  void drop(rte_mbuf* mbuf, DropReason reason);

  io::Port& port_;
  rte_mempool* pool_;
  std::uint16_t queue_;
  std::vector<std::pair<std::uint32_t, config::MacAddress>> learned_;
  StageCounters& counters_;
  io::NeighbourTable neighbours_;
  std::vector<rte_mbuf*> tx_;
  std::deque<Waiting> waiting_;
  // When each neighbour something waits for was last asked for (ARP request rate limit).
  std::unordered_map<std::uint32_t, std::chrono::steady_clock::time_point> last_request_;
  // The earliest time any of them may be asked again (expire_waiting skips its scan before).
  std::chrono::steady_clock::time_point next_retry_{};
};

}  // namespace actorwire::actors
