// What the data plane does with one received frame, decided in one place for every topology:
// the run-to-completion engine (`single`, `workers-*`) and the pipeline's lookup stage call the
// same classifiers and act on the verdict in their own way (inline, or by tagging a batch slot).
//
// A classifier touches the peer state only through `with_plane(f)`, which runs `f(PeerPlane&)`:
// directly for an owner that needs no lock, under the lock for the workers. What the gateway
// does as a router (answers, ICMP errors, fragmentation, MSS clamping) goes through the actor's
// IpServices. Everything else is a pure function of the frame and the DataPlaneEnv.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <optional>

#include "actors/common/clock.hpp"
#include "actors/common/control_messages.hpp"
#include "actors/common/crypto_args.hpp"
#include "actors/common/drop_reason.hpp"
#include "actors/common/stage_counters.hpp"
#include "actors/dataplane/data_plane_env.hpp"
#include "actors/dataplane/ip_services.hpp"
#include "actors/dataplane/peer_plane.hpp"
#include "crypto/transport.hpp"
#include "io/decapsulation.hpp"
#include "io/headers.hpp"
#include "io/icmp.hpp"
#include "io/ipv4_fragmentation.hpp"

namespace actorwire::actors {

struct FrameVerdict {
  enum class Kind : std::uint8_t {
    kDrop,       // free it, counted under `reason`
    kNeighbour,  // ARP or IPv6 neighbour discovery, for the receiving port's PortSide
    kHandshake,  // WAN: a handshake message for the control actor (credit taken, checksum ok)
    kSeal,       // LAN: seal with `args`, send to its endpoint (either family) on the WAN
    kOpen,       // WAN: a transport message to open with `args`
    kStaged,     // LAN: the peer plane holds the packet until a handshake completes
    kAnswer,     // the gateway answers: send `answer` back out the port the frame came in on
                 // (an echo reply made in place, answer == the frame; or an ICMP error that
                 // replaced it, the frame already freed and counted as dropped)
    kFragment,   // LAN: IPv4 without DF above the MTU: fragment it (IpServices::fragment) and
                 // classify each fragment
  };
  Kind kind = Kind::kDrop;
  DropReason reason = DropReason::kNone;  // kDrop
  io::ParsedFrame frame;                  // every kind but a drop for a malformed frame
  io::InboundUdp udp;                     // WAN: kHandshake, kOpen
  crypto::TransportHeader header;         // kOpen
  CryptoArgs args;                        // kSeal, kOpen (the key is wiped with the verdict)
  rte_mbuf* answer = nullptr;             // kAnswer
};

// --- the pure steps (frame_classifier.cpp) ----------------------------------------------------

// Parses a LAN frame: kNeighbour, kDrop (malformed), or kSeal as a candidate the peer plane
// decides.
void parse_lan_frame(const rte_mbuf* mbuf, FrameVerdict& out);
// Parses a WAN frame: kNeighbour, kDrop (malformed, not ours, not WireGuard), kHandshake (UDP
// checksum verified: the control actor answers to the source address, so it must be the real one)
// or kOpen as a candidate with its transport header parsed.
void parse_wan_frame(const rte_mbuf* mbuf, const DataPlaneEnv& env, FrameVerdict& out);
// A roaming source: the UDP checksum is checked before the payload is decrypted in place, so a
// corrupted header cannot redirect the tunnel. False: drop as malformed_udp.
bool roaming_checksum_ok(const rte_mbuf* mbuf, const FrameVerdict& verdict);
// The message for the control actor, copied out of a kHandshake frame.
HandshakeIn make_handshake_in(const rte_mbuf* mbuf, const FrameVerdict& verdict,
                              Clock::time_point now);

inline void set_drop(FrameVerdict& out, DropReason reason) {
  out.kind = FrameVerdict::Kind::kDrop;
  out.reason = reason;
}

// A frame addressed to the gateway itself: kAnswer for an echo request, else kDrop (for_gateway
// on the LAN; on the WAN the drop reason parse_wan_frame gave stays).
void answer_for_gateway(rte_mbuf* mbuf, bool on_wan, IpServices& services, StageCounters& counters,
                        FrameVerdict& out);
// A LAN frame that cannot be forwarded (`reason`): its sender gets `error` when one may go
// (kAnswer, the frame freed and counted as a drop), else the verdict is kDrop.
void refuse_lan_frame(rte_mbuf* mbuf, DropReason reason, io::IcmpError error, Clock::time_point now,
                      IpServices& services, StageCounters& counters, FrameVerdict& out);

// --- with the peer state ----------------------------------------------------------------------

// A frame received on the LAN port. On kStaged the mbuf belongs to the peer plane now (counted
// as consumed on `counters`, see PeerPlane::prepare_outbound). With `routes`, the allowed-IPs
// lookup happens before `with_plane` (which may take a lock), not inside it; `route` is its
// result when the caller looked the burst up already (PeerPlane::route_burst).
template <class WithPlane>
void classify_lan_frame(rte_mbuf* mbuf, Clock::time_point now, StageCounters& counters,
                        IpServices& services, WithPlane&& with_plane, FrameVerdict& out,
                        const io::AllowedIps* routes = nullptr,
                        std::uint32_t route = PeerPlane::kNotRouted) {
  parse_lan_frame(mbuf, out);
  if (out.kind != FrameVerdict::Kind::kSeal) return;
  std::uint8_t* ip = rte_pktmbuf_mtod(mbuf, std::uint8_t*) + out.frame.l3_offset;
  const bool is_v6 = out.frame.kind == io::FrameKind::kIpv6;
  if (services.for_gateway(ip, is_v6))
    return answer_for_gateway(mbuf, false, services, counters, out);
  if (services.mss_clamping()) services.clamp_mss(ip, out.frame.l3_length, is_v6, counters);
  std::optional<std::uint32_t> routed;
  if (route != PeerPlane::kNotRouted && out.frame.kind == io::FrameKind::kIpv4) {
    routed = route;  // route_burst read the same destination: an IPv4 frame has no VLAN tag
  } else if (routes != nullptr) {
    routed = PeerPlane::route_outbound(*routes, ip, out.frame);
  }
  PeerPlane::Outbound outbound = PeerPlane::Outbound::kDrop;
  with_plane([&](PeerPlane& plane) {
    outbound = plane.prepare_outbound(mbuf, out.frame, now, out.args, out.reason, counters, routed);
  });
  switch (outbound) {
    case PeerPlane::Outbound::kSeal:
      return;
    case PeerPlane::Outbound::kStaged:
      out.kind = FrameVerdict::Kind::kStaged;
      return;
    case PeerPlane::Outbound::kTooBig:
      // What a router does: fragment what allows it, tell the sender about the rest.
      if (!is_v6 && io::ipv4_may_fragment(ip)) {
        out.kind = FrameVerdict::Kind::kFragment;
        return;
      }
      return refuse_lan_frame(mbuf, DropReason::kInnerTooBig, io::IcmpError::kTooBig, now, services,
                              counters, out);
    case PeerPlane::Outbound::kDrop:
      if (out.reason == DropReason::kNoPeer && services.icmp_unreachable()) {
        return refuse_lan_frame(mbuf, DropReason::kNoPeer, io::IcmpError::kNoRoute, now, services,
                                counters, out);
      }
      out.kind = FrameVerdict::Kind::kDrop;
      return;
  }
}

// A frame received on the WAN port.
template <class WithPlane>
void classify_wan_frame(rte_mbuf* mbuf, const DataPlaneEnv& env, Clock::time_point now,
                        StageCounters& counters, IpServices& services, WithPlane&& with_plane,
                        FrameVerdict& out) {
  parse_wan_frame(mbuf, env, out);
  if (out.kind == FrameVerdict::Kind::kDrop &&
      (out.reason == DropReason::kNotForUs || out.reason == DropReason::kUnhandled)) {
    // A valid IP packet that is not WireGuard for us: answered if it pings one of our addresses.
    return answer_for_gateway(mbuf, true, services, counters, out);
  }
  if (out.kind == FrameVerdict::Kind::kHandshake) {
    bool credit = false;
    with_plane([&](PeerPlane& plane) { credit = plane.take_handshake_credit(); });
    if (!credit) set_drop(out, DropReason::kHandshakeBusy);
    return;
  }
  if (out.kind != FrameVerdict::Kind::kOpen) return;
  bool verify_checksum = false;
  PeerPlane::Inbound inbound = PeerPlane::Inbound::kDrop;
  with_plane([&](PeerPlane& plane) {
    inbound = plane.prepare_inbound(out.header, out.udp.source, now, out.args, verify_checksum,
                                    out.reason);
  });
  if (inbound == PeerPlane::Inbound::kDrop) {
    out.kind = FrameVerdict::Kind::kDrop;
  } else if (verify_checksum && !roaming_checksum_ok(mbuf, out)) {
    set_drop(out, DropReason::kMalformedUdp);
  }
}

}  // namespace actorwire::actors
