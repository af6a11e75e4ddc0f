// One port as a transmitting actor sees it: the port's neighbours (ARP for IPv4, neighbour
// discovery for IPv6), frames queued for transmission, and frames parked until their next hop's
// MAC is known. Used by every actor that transmits on a port.
#pragma once

#include <rte_mbuf.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "actors/common/stage_counters.hpp"
#include "io/neighbours.hpp"
#include "io/port.hpp"

struct rte_mempool;

namespace actorwire::actors {

class PortSide {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

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
  void transmit_to(rte_mbuf* mbuf, std::uint32_t destination, TimePoint now);
  // The same for an IPv6 destination, resolved with neighbour discovery (multicast
  // destinations go to their Ethernet multicast address).
  void transmit_to_v6(rte_mbuf* mbuf, const io::Ipv6Address& destination, TimePoint now);
  // Either family (for frames the gateway originates; the hot paths call the two above).
  void transmit_to(rte_mbuf* mbuf, const config::IpAddress& destination, TimePoint now) {
    if (destination.is_v6) return transmit_to_v6(mbuf, destination.bytes, now);
    transmit_to(mbuf, destination.v4_host_order(), now);
  }
  // An ARP frame, or an IPv6 neighbour-discovery message, received on this port: answers,
  // learns, releases waiting frames.
  void handle_neighbour(rte_mbuf* mbuf, const io::ParsedFrame& frame, TimePoint now);
  // A neighbour learned elsewhere (a sibling worker got the reply): releases waiting frames.
  void learn(const config::IpAddress& ip, const config::MacAddress& mac);
  // Neighbours this side learned since the last call (for siblings to hear about).
  std::vector<std::pair<config::IpAddress, config::MacAddress>> take_learned();
  // Drops frames that waited too long for their neighbour; asks again for the others.
  void expire_waiting(TimePoint now);
  // Sends what the port takes; keeps the rest, in order.
  void flush();

 private:
  struct Waiting {
    rte_mbuf* mbuf;
    config::IpAddress neighbour;
    TimePoint since;
  };
  struct Asked {
    config::IpAddress neighbour;
    TimePoint when;
  };
  void handle_arp(rte_mbuf* mbuf, const io::ParsedFrame& frame);
  void handle_nd(rte_mbuf* mbuf, const io::ParsedFrame& frame);
  void park(rte_mbuf* mbuf, const config::IpAddress& neighbour, TimePoint now);
  bool waiting_for(const config::IpAddress& neighbour) const;
  void request(const config::IpAddress& neighbour, TimePoint now);
  void release(const config::IpAddress& neighbour, const config::MacAddress& mac);
  void learned(const config::IpAddress& neighbour, const config::MacAddress& mac);
  void drop(rte_mbuf* mbuf, DropReason reason);

  io::Port& port_;
  rte_mempool* pool_;
  std::uint16_t queue_;
  std::vector<std::pair<config::IpAddress, config::MacAddress>> learned_;
  StageCounters& counters_;
  io::NeighbourTable neighbours_;
  io::Ipv6NeighbourTable neighbours_v6_;
  std::vector<rte_mbuf*> tx_;
  std::deque<Waiting> waiting_;
  // When each neighbour something waits for was last asked for (ARP/NS rate limit); a port has
  // a handful of next hops, so a flat vector.
  std::vector<Asked> asked_;
  // The earliest time any of them may be asked again (expire_waiting skips its scan before).
  TimePoint next_retry_{};
};

}  // namespace actorwire::actors
