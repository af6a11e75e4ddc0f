// The one clock of the data and control planes. Cores that decide on time (PeerPlane,
// ControlPlane, the keypair limits) take `now` as a parameter of this type, so tests drive time.
#pragma once

#include <chrono>

namespace actorwire::actors {

using Clock = std::chrono::steady_clock;

}  // namespace actorwire::actors
