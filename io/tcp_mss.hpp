// TCP MSS clamping, as site gateways do it (iptables TCPMSS --clamp-mss-to-pmtu, VPP's
// mss-clamp): the MSS option of every SYN passing through is lowered so that the segments the
// other side then sends fit the tunnel, and hosts with a 1500-byte MTU get full-size TCP
// through the gateway without relying on path-MTU discovery. Pure functions on IP packets.
#pragma once

#include <cstddef>
#include <cstdint>

namespace actorwire::io {

// The largest MSS whose segments fit an IP MTU: the MTU less the IP and TCP headers.
inline constexpr std::uint16_t mss_for_mtu(std::uint16_t mtu, bool is_v6) {
  const std::uint16_t headers = is_v6 ? 60 : 40;
  return mtu > headers ? static_cast<std::uint16_t>(mtu - headers) : 0;
}

// Lowers the MSS option of a TCP segment with SYN set (SYN or SYN-ACK) in the validated IP
// packet `ip` to `max_mss` when it is above it, and updates the TCP checksum incrementally
// (RFC 1624). IPv6 only when TCP follows the fixed header directly; IPv4 fragments other than
// the first are left alone. Returns true when it changed the packet.
bool clamp_tcp_mss(std::uint8_t* ip, std::size_t length, bool is_v6, std::uint16_t max_mss);

}  // namespace actorwire::io
