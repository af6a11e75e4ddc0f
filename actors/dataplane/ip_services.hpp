// What the gateway does for inner packets besides tunnelling them, as the router it is: it
// answers pings to its own addresses (LAN, WAN and tunnel, both families), tells the sender of a
// packet too big for the tunnel (ICMP "fragmentation needed" / "packet too big", rate limited),
// fragments IPv4 packets that allow it, clamps the MSS of TCP SYNs to the tunnel MTU, and (when
// configured) answers packets no peer routes with "destination unreachable". Every topology
// calls it from the frame classifiers and from its inbound delivery. One per data-path actor: it
// keeps that actor's ICMP rate limit. No CAF.
#pragma once

#include <rte_mbuf.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/drop_reason.hpp"
#include "actors/common/stage_counters.hpp"
#include "actors/dataplane/data_plane_env.hpp"
#include "actors/dataplane/icmp_rate_limiter.hpp"
#include "config/gateway_config.hpp"
#include "io/headers.hpp"
#include "io/icmp.hpp"
#include "io/ndp.hpp"

namespace actorwire::actors {

class IpServices {
 public:
  explicit IpServices(const DataPlaneEnv& env);

  bool mss_clamping() const { return mss_clamping_; }
  bool icmp_unreachable() const { return icmp_unreachable_; }

  // Whether the validated IP packet is addressed to one of the gateway's own addresses.
  bool for_gateway(const std::uint8_t* ip, bool is_v6) const;

  // A frame for the gateway, received on the WAN port or not: an echo request becomes its reply
  // in place, back to the neighbour that sent it, counted as icmp_sent. False, frame untouched,
  // for anything else.
  bool answer_echo(rte_mbuf* mbuf, const io::ParsedFrame& frame, bool on_wan,
                   StageCounters& counters);

  // An ICMP error about the frame's IP packet, as a new frame back to the neighbour that sent it
  // through the LAN port. nullptr (counted as icmp_suppressed) when none may go: an error about
  // an error, a fragment or a non-unicast sender, no LAN address of that family to send from,
  // over the rate limit, or no mbuf.
  rte_mbuf* make_error(const rte_mbuf* offending, const io::ParsedFrame& frame, io::IcmpError error,
                       Clock::time_point now, StageCounters& counters);

  // Lowers the MSS of a TCP SYN in the packet to what fits the tunnel MTU (counted).
  void clamp_mss(std::uint8_t* ip, std::size_t length, bool is_v6, StageCounters& counters) const;

  // Splits the frame's IPv4 packet (DF clear, above the MTU) into fragments that fit the
  // tunnel. On success the frame is freed (counted as consumed, the fragments as generated) and
  // the fragments, in order, are in `out`; 0 leaves the frame to the caller.
  std::size_t fragment(rte_mbuf* mbuf, const io::ParsedFrame& frame, rte_mbuf** out,
                       StageCounters& counters);

  // What becomes of an inner packet that came out of the tunnel (`inner`, `length` bytes).
  enum class Inbound {
    kForward,  // to the LAN (MSS clamped)
    kEcho,     // an echo request for us, now the reply (in place): it goes back into the tunnel
    kDrop,     // `reason`
  };
  Inbound inbound(std::uint8_t* inner, std::size_t length, bool is_v6, StageCounters& counters,
                  DropReason& reason) const;

 private:
  // Every address of the gateway (ports, their IPv6 link-local ones, tunnel): IPv4 as the four
  // bytes of the packet read in memory order (one compare per address), IPv6 as bytes.
  std::vector<std::uint32_t> own_v4_;
  std::vector<io::Ipv6Address> own_v6_;
  std::optional<config::IpAddress> lan_v4_;  // where errors come from
  std::optional<config::IpAddress> lan_v6_;
  config::MacAddress lan_mac_;
  config::MacAddress wan_mac_;
  rte_mempool* pool_;
  std::uint16_t mtu_;
  std::uint16_t mss_v4_;
  std::uint16_t mss_v6_;
  bool mss_clamping_;
  bool icmp_unreachable_;
  IcmpRateLimiter limiter_;
  std::uint16_t ip_id_ = 0;
};

}  // namespace actorwire::actors
