// Applying the control actor's decisions (ControlOutput) on the data plane, for every topology:
// the peer plane takes the keypairs, endpoints and timer decisions (through `with_plane`, see
// frame_classifier.hpp), and this builds the WAN frames they ask for, handshake datagrams and
// keepalives. The caller only transmits them, then releases the packets a new session freed
// (PeerPlane::take_released).
#pragma once

#include <cstdint>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/control_messages.hpp"
#include "actors/common/stage_counters.hpp"
#include "actors/dataplane/data_plane_env.hpp"
#include "actors/dataplane/peer_plane.hpp"
#include "crypto/aead.hpp"

struct rte_mbuf;

namespace actorwire::actors {

// A complete WAN frame the gateway originated, but for the Ethernet destination: the
// transmitting PortSide writes the MAC of the neighbour towards `destination`.
struct OriginatedFrame {
  rte_mbuf* mbuf = nullptr;
  config::IpAddress destination;
};

// Builds the frames `actions` asks for. Every frame returned and every staged packet given up
// is counted as generated on `counters`; given-up packets are freed as handshake_gave_up, and a
// frame without an mbuf to build it in is a no_buffer_room drop.
std::vector<OriginatedFrame> make_control_frames(PeerPlane::ControlActions& actions,
                                                 const DataPlaneEnv& env, crypto::Aead& aead,
                                                 std::uint16_t& ip_id, StageCounters& counters);

template <class WithPlane>
std::vector<OriginatedFrame> apply_control(ControlOutput& out, const DataPlaneEnv& env,
                                           crypto::Aead& aead, std::uint16_t& ip_id,
                                           Clock::time_point now, StageCounters& counters,
                                           WithPlane&& with_plane) {
  PeerPlane::ControlActions actions;
  with_plane([&](PeerPlane& plane) { plane.apply(out, now, actions); });
  return make_control_frames(actions, env, aead, ip_id, counters);
}

}  // namespace actorwire::actors
