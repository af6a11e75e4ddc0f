#include "actors/dataplane/control_actions.hpp"

#include <rte_mbuf.h>

#include "actors/dataplane/packet_crypto.hpp"

namespace actorwire::actors {

std::vector<OriginatedFrame> make_control_frames(PeerPlane::ControlActions& actions,
                                                 const DataPlaneEnv& env, crypto::Aead& aead,
                                                 std::uint16_t& ip_id, StageCounters& counters) {
  // Taken back from the plane: generated here, then dropped.
  counters.packets_generated.add(actions.dropped.size());
  for (rte_mbuf* mbuf : actions.dropped) {
    counters.drop(DropReason::kHandshakeGaveUp);
    rte_pktmbuf_free(mbuf);
  }
  actions.dropped.clear();
  std::vector<OriginatedFrame> frames;
  frames.reserve(actions.datagrams.size() + actions.keepalives.size());
  auto add = [&](rte_mbuf* mbuf, const config::IpAddress& destination) {
    counters.packets_generated.add(1);
    if (mbuf == nullptr) {
      // An IPv6 peer while the WAN port has no IPv6 address, or no mbuf.
      const bool unreachable = destination.is_v6 && !env.outer.ip6;
      return counters.drop(unreachable ? DropReason::kNoEndpoint : DropReason::kNoBufferRoom);
    }
    frames.push_back({mbuf, destination});
  };
  for (const OutgoingDatagram& datagram : actions.datagrams) {
    add(make_datagram_frame(env.pool, datagram.destination, datagram.message, env.outer, ip_id++),
        datagram.destination.address);
  }
  for (const CryptoArgs& args : actions.keepalives) {
    add(make_keepalive_frame(env.pool, args, aead, env.outer, env.mtu, ip_id++),
        args.endpoint_address());
  }
  return frames;
}

}  // namespace actorwire::actors
