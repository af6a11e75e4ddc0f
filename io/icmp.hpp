// ICMP the gateway writes itself, as a router does (RFC 792, RFC 1191, RFC 1812, RFC 4443):
// errors back to the sender of a packet it cannot forward (too big for the tunnel, no route),
// and echo replies for its own addresses. Pure functions on contiguous IP packets.
#pragma once

#include <cstddef>
#include <cstdint>

#include "config/gateway_config.hpp"

namespace actorwire::io {

inline constexpr std::uint8_t kIpProtoIcmp = 1;
inline constexpr std::uint8_t kIpProtoIcmpv6 = 58;
inline constexpr std::size_t kIcmpHeaderSize = 8;
// An ICMPv4 error carries as much of the offending packet as fits in 576 bytes (RFC 1812
// 4.3.2.3, what Linux sends); an ICMPv6 error as much as fits in the IPv6 minimum MTU (RFC 4443
// 2.4 (c)). A buffer for any error needs kIcmpErrorMaxSize bytes.
inline constexpr std::size_t kIcmpv4ErrorMaxSize = 576;
inline constexpr std::size_t kIcmpv6ErrorMaxSize = 1280;
inline constexpr std::size_t kIcmpErrorMaxSize = kIcmpv6ErrorMaxSize;

enum class IcmpError : std::uint8_t {
  kTooBig,   // IPv4: destination unreachable, fragmentation needed (3/4) with the MTU;
             // IPv6: packet too big (2/0) with the MTU
  kNoRoute,  // IPv4: destination unreachable, net unreachable (3/0);
             // IPv6: destination unreachable, no route (1/0)
};

// Whether an error may be sent about `offending` (a validated IP packet): never about an ICMP
// error, a fragment other than the first (IPv4), or a packet whose source is not a unicast host
// (unspecified, multicast, broadcast, loopback), and (but for IPv6 packet-too-big) never about a
// packet sent to a multicast or broadcast address. RFC 1812 4.3.2.7, RFC 4443 2.4 (e).
bool icmp_error_allowed(const std::uint8_t* offending, std::size_t length, bool is_v6,
                        IcmpError error);

// Writes at `out` (kIcmpErrorMaxSize bytes of room) an IP packet of the offending packet's
// family, from `source` to the offending packet's source, carrying `error` about it and quoting
// as much of it as fits. `mtu` is the MTU the too-big errors announce; `ip_id` the IPv4
// identification. The caller checked icmp_error_allowed and that `source` is of the same
// family. Returns the packet's length.
std::size_t write_icmp_error(std::uint8_t* out, const std::uint8_t* offending,
                             std::size_t offending_length, bool is_v6,
                             const config::IpAddress& source, IcmpError error, std::uint16_t mtu,
                             std::uint16_t ip_id);

// Whether a validated IP packet is an ICMP (ICMPv6) echo request with a correct checksum (the
// caller checks that its destination is one of ours).
bool is_echo_request(const std::uint8_t* ip, std::size_t length, bool is_v6);

// Turns an echo request (is_echo_request) into its reply in place: addresses swapped, TTL or
// hop limit reset, type changed, checksums updated.
void make_echo_reply(std::uint8_t* ip, std::size_t length, bool is_v6);

// The destination address of a validated IP packet.
config::IpAddress ip_destination(const std::uint8_t* ip, bool is_v6);

// The ICMPv6 checksum (RFC 4443 2.3) of the `icmp_length`-byte message directly after the fixed
// header of the IPv6 packet at `ip`: the one's complement sum of the pseudo-header (RFC 8200 8.1)
// and the message, complemented. 0 for a message whose checksum field is right; for one whose
// checksum field is zero, the value to store there (store_checksum).
std::uint16_t icmpv6_checksum(const std::uint8_t* ip, std::size_t icmp_length);

}  // namespace actorwire::io
