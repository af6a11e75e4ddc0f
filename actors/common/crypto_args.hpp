// What a crypto step needs to seal or open one packet, cloned from the peer table by its owner
// (the paper's "crypto-args"): only the key, the counter/indices and the endpoint, never the
// whole peer. Workers that hold one touch no shared state.
#pragma once

#include <array>
#include <cstdint>

#include "config/gateway_config.hpp"
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
  bool endpoint_is_v6 = false;                  // outbound: an IPv6 destination, in endpoint_ip6
  std::array<std::uint8_t, 16> endpoint_ip6{};  // (then endpoint_ip is unused)

  config::IpAddress endpoint_address() const {
    if (!endpoint_is_v6) return config::IpAddress::v4(endpoint_ip);
    config::IpAddress address;
    address.is_v6 = true;
    address.bytes = endpoint_ip6;
    return address;
  }
  void set_endpoint(const config::Endpoint& endpoint) {
    endpoint_is_v6 = endpoint.address.is_v6;
    if (endpoint_is_v6) {
      endpoint_ip6 = endpoint.address.bytes;
    } else {
      endpoint_ip = endpoint.address.v4_host_order();
    }
    endpoint_port = endpoint.port;
  }
};

}  // namespace actorwire::actors
