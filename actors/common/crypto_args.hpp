// What a crypto step needs to seal or open one packet, cloned from the peer table by its owner
// (the paper's "crypto-args"): only the key, the counter/indices and the endpoint, never the
// whole peer. Workers that hold one touch no shared state.
#pragma once

#include <cstdint>

#include "crypto/keys.hpp"

namespace actorwire::actors {

struct CryptoArgs {
  crypto::SecretKey key;             // send key (outbound) or receive key (inbound)
  std::uint64_t counter = 0;         // outbound: the counter assigned to this packet
  std::uint32_t receiver_index = 0;  // outbound: the peer's index, written on the message
  std::uint32_t local_index = 0;     // inbound: our keypair's index (for the replay check)
  std::uint32_t peer = 0;            // index into the peer table
  std::uint32_t endpoint_ip = 0;     // outbound: destination (IPv4, host order)
  std::uint16_t endpoint_port = 0;
};

}  // namespace actorwire::actors
