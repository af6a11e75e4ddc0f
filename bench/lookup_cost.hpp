// The per-packet cost of the data plane's outbound peer logic on its own: PeerPlane::
// prepare_outbound (allowed-IPs lookup, the peer's keypair and counter, its traffic counters and
// activity) on one thread, in thread CPU time, for packets to every flow of the built-in
// generator in a random order. The packets themselves stay in cache (a burst of 32 frames whose
// destination is rewritten), so what grows with the peer count is the cost of reaching the
// peers' data. The gateway runs of `actorwire bench` share two cores with the generator, the
// sink and whatever else the machine does; this number hardly moves with that load (other
// processes' cache traffic still shows).
#pragma once

#include <cstdint>
#include <string>

#include "config/gateway_config.hpp"

namespace actorwire::bench {

// Nanoseconds of thread CPU time per packet for `config`'s peers (static sessions needed), one
// packet to each of `flows` flows to the first peer's first IPv4 prefix (what the generator
// sends) per pass, passes repeated for about `seconds` (the best of 5 runs). Needs the EAL. 0
// and `error` set on failure.
double outbound_lookup_ns(const config::GatewayConfig& config, std::uint32_t flows, double seconds,
                          std::string& error);

}  // namespace actorwire::bench
