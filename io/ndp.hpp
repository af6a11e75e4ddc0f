// IPv6 neighbour discovery (RFC 4861), the part a router's forwarding path needs: answering
// neighbour solicitations for its own addresses, resolving next hops with solicitations of its
// own, and learning from advertisements. Pure functions on contiguous frames and packets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "config/gateway_config.hpp"

namespace actorwire::io {

using Ipv6Address = std::array<std::uint8_t, 16>;

inline constexpr std::uint8_t kNdRouterSolicitation = 133;
inline constexpr std::uint8_t kNdRouterAdvertisement = 134;
inline constexpr std::uint8_t kNdNeighbourSolicitation = 135;
inline constexpr std::uint8_t kNdNeighbourAdvertisement = 136;
inline constexpr std::uint8_t kNdRedirect = 137;
// Ethernet + IPv6 + NS/NA (24 bytes) + one link-layer address option (8 bytes).
inline constexpr std::size_t kNdFrameSize = 14 + 40 + 24 + 8;

// The ICMPv6 type of a validated IPv6 packet when it is a neighbour-discovery message (133..137,
// directly after the fixed header, as ND messages are sent), else 0.
std::uint8_t nd_type(const std::uint8_t* ip, std::size_t length);

struct NdMessage {
  std::uint8_t type = 0;
  Ipv6Address source{};
  Ipv6Address destination{};
  Ipv6Address target{};  // NS, NA
  // The source (NS, RS, RA) or target (NA) link-layer address option.
  std::optional<config::MacAddress> link_layer;
  bool router = false;  // NA flags
  bool solicited = false;
  bool override_flag = false;
};

// Validates an NS or NA as RFC 4861 7.1 asks (hop limit 255, code 0, ICMPv6 checksum, length,
// options of non-zero length within the packet; an NS from the unspecified address carries no
// source link-layer option and goes to a solicited-node address; an NA to a multicast address
// is not solicited) and reads it. False for anything else.
bool parse_nd(const std::uint8_t* ip, std::size_t length, NdMessage& out);

// ff02::1:ffXX:XXXX for `address`, and the Ethernet multicast address of any IPv6 multicast
// address (33:33 + its last four bytes).
Ipv6Address solicited_node_address(const Ipv6Address& address);
config::MacAddress ipv6_multicast_mac(const Ipv6Address& multicast);
// The EUI-64 link-local address (fe80::/64) of an interface with MAC `mac` (RFC 4291 App. A).
Ipv6Address link_local_address(const config::MacAddress& mac);
inline bool is_unspecified(const Ipv6Address& address) {
  return address == Ipv6Address{};
}

// Writes a complete neighbour-solicitation frame (kNdFrameSize bytes) asking for `target`:
// from `our_ip`/`our_mac` to target's solicited-node address, with our link-layer address.
std::size_t write_neighbour_solicitation(std::uint8_t* frame, const config::MacAddress& our_mac,
                                         const Ipv6Address& our_ip, const Ipv6Address& target);
// Writes a complete neighbour-advertisement frame (kNdFrameSize bytes) for our address `target`
// with our link-layer address, router flag set: solicited, to `to_ip`/`to_mac`, or (an answer to
// duplicate address detection, `solicited` false) to all nodes.
std::size_t write_neighbour_advertisement(std::uint8_t* frame, const config::MacAddress& our_mac,
                                          const Ipv6Address& target,
                                          const config::MacAddress& to_mac,
                                          const Ipv6Address& to_ip, bool solicited);

}  // namespace actorwire::io
