// Atoms and message types the actors exchange. Our structs are local-only (never serialised),
// so CAF is told to allow them without inspect().
#pragma once

#include "actors/common/control_messages.hpp"
#include "actors/common/peer_change.hpp"
#include "caf/all.hpp"

namespace actorwire::actors {

// A polling actor sends itself `poll` to run its next loop; other messages (exit, stats) get
// their turn in between.
using poll_atom = caf::atom_constant<caf::atom("poll")>;
// The control actor's periodic timer check.
using tick_atom = caf::atom_constant<caf::atom("tick")>;
// Tells the control actor which actor owns the data plane.
using data_plane_atom = caf::atom_constant<caf::atom("dataplane")>;
// `(credit_atom, edge, count)`: the receiver of a bounded edge returns `count` credits; `edge`
// names the edge at the sender (e.g. the crypto worker's index at lookup).
using credit_atom = caf::atom_constant<caf::atom("credit")>;
// `(neighbour_atom, wan, is_v6, address high, address low, mac)`: a worker learned a neighbour
// its siblings should know.
using neighbour_atom = caf::atom_constant<caf::atom("neighbour")>;

}  // namespace actorwire::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorwire::actors::HandshakeIn)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorwire::actors::PeerActivity)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actorwire::actors::ControlOutput)
// A reload, shared read-only by the control actor and the data-plane owner.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const actorwire::actors::PeerChange>)
