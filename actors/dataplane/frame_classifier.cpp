#include "actors/dataplane/frame_classifier.hpp"

#include "io/ndp.hpp"

namespace actorwire::actors {
namespace {

// ARP, or an IPv6 neighbour-discovery message: the port's business, not the tunnel's.
bool is_neighbour_frame(const rte_mbuf* mbuf, const io::ParsedFrame& frame) {
  if (frame.kind == io::FrameKind::kArp) return true;
  return frame.kind == io::FrameKind::kIpv6 &&
         io::nd_type(rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + frame.l3_offset,
                     frame.l3_length) != 0;
}

}  // namespace

void parse_lan_frame(const rte_mbuf* mbuf, FrameVerdict& out) {
  if (const auto error =
          io::parse_frame(rte_pktmbuf_mtod(mbuf, const std::uint8_t*), mbuf->data_len, out.frame);
      error != io::FrameError::kNone) {
    return set_drop(out, drop_reason_for(error));
  }
  out.kind = is_neighbour_frame(mbuf, out.frame) ? FrameVerdict::Kind::kNeighbour
                                                 : FrameVerdict::Kind::kSeal;
}

void parse_wan_frame(const rte_mbuf* mbuf, const DataPlaneEnv& env, FrameVerdict& out) {
  const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
  if (const auto error = io::parse_frame(data, mbuf->data_len, out.frame);
      error != io::FrameError::kNone) {
    return set_drop(out, drop_reason_for(error));
  }
  if (is_neighbour_frame(mbuf, out.frame)) {
    out.kind = FrameVerdict::Kind::kNeighbour;
    return;
  }
  io::FrameError frame_error = io::FrameError::kNone;
  switch (io::classify_inbound(data, out.frame, env.outer.ip, env.outer.ip6_or_null(),
                               env.outer.port, out.udp, frame_error)) {
    case io::InboundError::kNone:
      break;
    case io::InboundError::kFrame:
      return set_drop(out, drop_reason_for(frame_error));
    case io::InboundError::kNotForUs:
      return set_drop(out, DropReason::kNotForUs);
    case io::InboundError::kUnsupported:
      return set_drop(out, DropReason::kUnhandled);
  }
  switch (out.udp.kind) {
    case io::InboundKind::kHandshake:
      if (!io::udp_checksum_ok(data + out.udp.ip_offset, out.udp.is_v6)) {
        return set_drop(out, DropReason::kMalformedUdp);
      }
      out.kind = FrameVerdict::Kind::kHandshake;
      return;
    case io::InboundKind::kTransport:
      if (const auto header = crypto::parse_transport_header(data + out.udp.message_offset,
                                                             out.udp.message_length)) {
        out.header = *header;
        out.kind = FrameVerdict::Kind::kOpen;
        return;
      }
      return set_drop(out, DropReason::kBadMessage);
    case io::InboundKind::kOther:
      return set_drop(out, DropReason::kBadMessage);
  }
}

bool roaming_checksum_ok(const rte_mbuf* mbuf, const FrameVerdict& verdict) {
  return io::udp_checksum_ok(rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + verdict.udp.ip_offset,
                             verdict.udp.is_v6);
}

void answer_for_gateway(rte_mbuf* mbuf, bool on_wan, IpServices& services, StageCounters& counters,
                        FrameVerdict& out) {
  const auto* ip = rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + out.frame.l3_offset;
  const bool is_v6 = out.frame.kind == io::FrameKind::kIpv6;
  if (services.for_gateway(ip, is_v6) && services.answer_echo(mbuf, out.frame, on_wan, counters)) {
    out.kind = FrameVerdict::Kind::kAnswer;
    out.answer = mbuf;
    return;
  }
  if (!on_wan) set_drop(out, DropReason::kForGateway);
}

void refuse_lan_frame(rte_mbuf* mbuf, DropReason reason, io::IcmpError error, Clock::time_point now,
                      IpServices& services, StageCounters& counters, FrameVerdict& out) {
  rte_mbuf* answer = services.make_error(mbuf, out.frame, error, now, counters);
  if (answer == nullptr) return set_drop(out, reason);
  counters.drop(reason);
  rte_pktmbuf_free(mbuf);
  out.kind = FrameVerdict::Kind::kAnswer;
  out.answer = answer;
}

HandshakeIn make_handshake_in(const rte_mbuf* mbuf, const FrameVerdict& verdict,
                              Clock::time_point now) {
  const auto* message = rte_pktmbuf_mtod(mbuf, const std::uint8_t*) + verdict.udp.message_offset;
  HandshakeIn in;
  in.message.assign(message, message + verdict.udp.message_length);
  in.source = verdict.udp.source;
  in.received = now;
  return in;
}

}  // namespace actorwire::actors
