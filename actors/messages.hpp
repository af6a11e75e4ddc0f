// Atoms the actors exchange. (Packet batches arrive with the topologies issue.)
#pragma once

#include "caf/all.hpp"

namespace actorwire::actors {

// A polling actor sends itself `poll` to run its next loop; other messages (exit, stats) get
// their turn in between.
using poll_atom = caf::atom_constant<caf::atom("poll")>;

}  // namespace actorwire::actors
