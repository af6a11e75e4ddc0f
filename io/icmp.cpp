#include "io/icmp.hpp"

#include <rte_ip.h>

#include <algorithm>
#include <cstring>

#include "io/byte_order.hpp"
#include "io/headers.hpp"

namespace actorwire::io {
namespace {

constexpr std::uint8_t kIcmpv4EchoReply = 0;
constexpr std::uint8_t kIcmpv4Unreachable = 3;
constexpr std::uint8_t kIcmpv4EchoRequest = 8;
constexpr std::uint8_t kIcmpv4CodeNetUnreachable = 0;
constexpr std::uint8_t kIcmpv4CodeFragmentationNeeded = 4;
constexpr std::uint8_t kIcmpv6Unreachable = 1;
constexpr std::uint8_t kIcmpv6PacketTooBig = 2;
constexpr std::uint8_t kIcmpv6CodeNoRoute = 0;
constexpr std::uint8_t kIcmpv6EchoRequest = 128;
constexpr std::uint8_t kIcmpv6EchoReply = 129;
// Errors go out with the "internetwork control" precedence, as Linux sends them.
constexpr std::uint8_t kIpTosTosMask = 0x1E;
constexpr std::uint8_t kIpPrecedenceInternetControl = 0xC0;

std::size_t ipv4_header_length(const std::uint8_t* ip) {
  return std::size_t{ip[0] & 0x0Fu} * 4;
}

std::uint16_t icmpv4_checksum(const std::uint8_t* icmp, std::size_t length) {
  return static_cast<std::uint16_t>(~rte_raw_cksum(icmp, length));
}

bool ipv4_unicast_host(std::uint32_t address) {
  const std::uint32_t first = address >> 24;
  return address != 0 && first != 127 && first < 224;  // not multicast, class E or broadcast
}

bool ipv4_group_or_broadcast(std::uint32_t address) {
  return (address >> 24) >= 224;
}

bool ipv6_multicast(const std::uint8_t* address) {
  return address[0] == 0xFF;
}

bool ipv6_unicast_host(const std::uint8_t* address) {
  static constexpr std::uint8_t kUnspecified[16] = {};
  static constexpr std::uint8_t kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return !ipv6_multicast(address) && std::memcmp(address, kUnspecified, 16) != 0 &&
         std::memcmp(address, kLoopback, 16) != 0;
}

bool icmpv4_is_error(std::uint8_t type) {
  // destination unreachable, source quench, redirect, time exceeded, parameter problem
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

}  // namespace

bool icmp_error_allowed(const std::uint8_t* offending, std::size_t length, bool is_v6,
                        IcmpError error) {
  if (is_v6) {
    if (length < kIpv6HeaderSize || !ipv6_unicast_host(offending + 8)) return false;
    if (ipv6_multicast(offending + 24) && error != IcmpError::kTooBig) return false;
    if (offending[6] == kIpProtoIcmpv6) {
      // An ICMPv6 error (types below 128), or one too short to tell, gets no error back.
      if (length <= kIpv6HeaderSize || offending[kIpv6HeaderSize] < 128) return false;
    }
    return true;
  }
  const std::size_t header_length = ipv4_header_length(offending);
  if (length < header_length) return false;
  if ((load_be16(offending + 6) & 0x1FFF) != 0) return false;  // not the first fragment
  if (!ipv4_unicast_host(load_be32(offending + 12))) return false;
  if (ipv4_group_or_broadcast(load_be32(offending + 16))) return false;
  if (offending[9] == kIpProtoIcmp) {
    if (length <= header_length || icmpv4_is_error(offending[header_length])) return false;
  }
  return true;
}

std::size_t write_icmp_error(std::uint8_t* out, const std::uint8_t* offending,
                             std::size_t offending_length, bool is_v6,
                             const config::IpAddress& source, IcmpError error, std::uint16_t mtu,
                             std::uint16_t ip_id) {
  if (is_v6) {
    const std::size_t quoted =
        std::min(offending_length, kIcmpv6ErrorMaxSize - kIpv6HeaderSize - kIcmpHeaderSize);
    const std::size_t icmp_length = kIcmpHeaderSize + quoted;
    std::memset(out, 0, kIpv6HeaderSize + kIcmpHeaderSize);
    out[0] = 0x60;
    store_be16(out + 4, static_cast<std::uint16_t>(icmp_length));
    out[6] = kIpProtoIcmpv6;
    out[7] = kDefaultTtl;
    std::memcpy(out + 8, source.bytes.data(), 16);
    std::memcpy(out + 24, offending + 8, 16);  // back to the sender
    std::uint8_t* icmp = out + kIpv6HeaderSize;
    if (error == IcmpError::kTooBig) {
      icmp[0] = kIcmpv6PacketTooBig;
      store_be32(icmp + 4, mtu);
    } else {
      icmp[0] = kIcmpv6Unreachable;
      icmp[1] = kIcmpv6CodeNoRoute;
    }
    std::memcpy(icmp + kIcmpHeaderSize, offending, quoted);
    store_checksum(icmp + 2, icmpv6_checksum(out, icmp_length));
    return kIpv6HeaderSize + icmp_length;
  }
  const std::size_t quoted =
      std::min(offending_length, kIcmpv4ErrorMaxSize - kIpv4HeaderSize - kIcmpHeaderSize);
  const std::size_t total = kIpv4HeaderSize + kIcmpHeaderSize + quoted;
  std::memset(out, 0, kIpv4HeaderSize + kIcmpHeaderSize);
  out[0] = 0x45;
  out[1] = static_cast<std::uint8_t>((offending[1] & kIpTosTosMask) | kIpPrecedenceInternetControl);
  store_be16(out + 2, static_cast<std::uint16_t>(total));
  store_be16(out + 4, ip_id);
  out[8] = kDefaultTtl;
  out[9] = kIpProtoIcmp;
  std::memcpy(out + 12, source.bytes.data(), 4);
  std::memcpy(out + 16, offending + 12, 4);  // back to the sender
  store_checksum(out + 10, ipv4_header_checksum(out));
  std::uint8_t* icmp = out + kIpv4HeaderSize;
  icmp[0] = kIcmpv4Unreachable;
  if (error == IcmpError::kTooBig) {
    icmp[1] = kIcmpv4CodeFragmentationNeeded;
    store_be16(icmp + 6, mtu);  // RFC 1191: next-hop MTU in the low 16 bits
  } else {
    icmp[1] = kIcmpv4CodeNetUnreachable;
  }
  std::memcpy(icmp + kIcmpHeaderSize, offending, quoted);
  store_checksum(icmp + 2, icmpv4_checksum(icmp, kIcmpHeaderSize + quoted));
  return total;
}

bool is_echo_request(const std::uint8_t* ip, std::size_t length, bool is_v6) {
  if (is_v6) {
    if (ip[6] != kIpProtoIcmpv6 || length < kIpv6HeaderSize + kIcmpHeaderSize) return false;
    const std::uint8_t* icmp = ip + kIpv6HeaderSize;
    return icmp[0] == kIcmpv6EchoRequest && icmp[1] == 0 &&
           icmpv6_checksum(ip, length - kIpv6HeaderSize) == 0;
  }
  const std::size_t header_length = ipv4_header_length(ip);
  if (ip[9] != kIpProtoIcmp || length < header_length + kIcmpHeaderSize) return false;
  if ((load_be16(ip + 6) & 0x3FFF) != 0) return false;  // a fragment: no reassembly here
  const std::uint8_t* icmp = ip + header_length;
  return icmp[0] == kIcmpv4EchoRequest && icmp[1] == 0 &&
         rte_raw_cksum(icmp, length - header_length) == 0xFFFF;
}

void make_echo_reply(std::uint8_t* ip, std::size_t length, bool is_v6) {
  if (is_v6) {
    std::uint8_t address[16];
    std::memcpy(address, ip + 8, 16);
    std::memcpy(ip + 8, ip + 24, 16);
    std::memcpy(ip + 24, address, 16);
    ip[7] = kDefaultTtl;
    std::uint8_t* icmp = ip + kIpv6HeaderSize;
    icmp[0] = kIcmpv6EchoReply;
    store_be16(icmp + 2, 0);
    store_checksum(icmp + 2, icmpv6_checksum(ip, length - kIpv6HeaderSize));
    return;
  }
  std::uint8_t address[4];
  std::memcpy(address, ip + 12, 4);
  std::memcpy(ip + 12, ip + 16, 4);
  std::memcpy(ip + 16, address, 4);
  ip[8] = kDefaultTtl;
  store_be16(ip + 10, 0);
  store_checksum(ip + 10, ipv4_header_checksum(ip));
  const std::size_t header_length = ipv4_header_length(ip);
  std::uint8_t* icmp = ip + header_length;
  icmp[0] = kIcmpv4EchoReply;
  store_be16(icmp + 2, 0);
  store_checksum(icmp + 2, icmpv4_checksum(icmp, length - header_length));
}

config::IpAddress ip_destination(const std::uint8_t* ip, bool is_v6) {
  config::IpAddress address;
  address.is_v6 = is_v6;
  std::memcpy(address.bytes.data(), ip + (is_v6 ? 24 : 16), is_v6 ? 16 : 4);
  return address;
}

std::uint16_t icmpv6_checksum(const std::uint8_t* ip, std::size_t icmp_length) {
  std::uint8_t pseudo[40] = {};
  std::memcpy(pseudo, ip + 8, 32);  // source and destination
  store_be32(pseudo + 32, static_cast<std::uint32_t>(icmp_length));
  pseudo[39] = kIpProtoIcmpv6;
  std::uint32_t sum = rte_raw_cksum(pseudo, sizeof pseudo);
  sum += rte_raw_cksum(ip + kIpv6HeaderSize, icmp_length);
  sum = (sum & 0xFFFF) + (sum >> 16);
  sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace actorwire::io
