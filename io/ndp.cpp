#include "io/ndp.hpp"

#include <cstring>

#include "io/byte_order.hpp"
#include "io/headers.hpp"
#include "io/icmp.hpp"

namespace actorwire::io {
namespace {

constexpr std::size_t kNdHeaderSize = 24;  // type, code, checksum, flags/reserved, target
constexpr std::uint8_t kNdHopLimit = 255;
constexpr std::uint8_t kOptionSourceLinkLayer = 1;
constexpr std::uint8_t kOptionTargetLinkLayer = 2;
constexpr std::uint8_t kNaRouter = 0x80;
constexpr std::uint8_t kNaSolicited = 0x40;
constexpr std::uint8_t kNaOverride = 0x20;
const Ipv6Address kAllNodes = {0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

Ipv6Address address_at(const std::uint8_t* p) {
  Ipv6Address address;
  std::memcpy(address.data(), p, address.size());
  return address;
}

bool is_multicast(const Ipv6Address& address) {
  return address[0] == 0xFF;
}

bool is_solicited_node(const Ipv6Address& address) {
  static constexpr std::uint8_t kPrefix[13] = {0xFF, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF};
  return std::memcmp(address.data(), kPrefix, sizeof kPrefix) == 0;
}

// Writes Ethernet + IPv6 + an NS/NA with one link-layer option; fills the checksum.
std::size_t write_nd_frame(std::uint8_t* frame, const config::MacAddress& destination_mac,
                           const config::MacAddress& our_mac, const Ipv6Address& source,
                           const Ipv6Address& destination, std::uint8_t type, std::uint8_t flags,
                           const Ipv6Address& target, std::uint8_t option) {
  write_ethernet_header(frame, destination_mac, our_mac, kEtherTypeIpv6);
  std::uint8_t* ip = frame + kEthernetHeaderSize;
  const std::size_t icmp_length = kNdHeaderSize + 8;
  std::memset(ip, 0, kIpv6HeaderSize + icmp_length);
  ip[0] = 0x60;
  store_be16(ip + 4, static_cast<std::uint16_t>(icmp_length));
  ip[6] = kIpProtoIcmpv6;
  ip[7] = kNdHopLimit;
  std::memcpy(ip + 8, source.data(), 16);
  std::memcpy(ip + 24, destination.data(), 16);
  std::uint8_t* icmp = ip + kIpv6HeaderSize;
  icmp[0] = type;
  icmp[4] = flags;
  std::memcpy(icmp + 8, target.data(), 16);
  icmp[24] = option;
  icmp[25] = 1;  // in units of 8 bytes
  std::memcpy(icmp + 26, our_mac.bytes.data(), 6);
  store_checksum(icmp + 2, icmpv6_checksum(ip, icmp_length));
  return kEthernetHeaderSize + kIpv6HeaderSize + icmp_length;
}

}  // namespace

std::uint8_t nd_type(const std::uint8_t* ip, std::size_t length) {
  if (length < kIpv6HeaderSize + 4 || ip[6] != kIpProtoIcmpv6) return 0;
  const std::uint8_t type = ip[kIpv6HeaderSize];
  return type >= kNdRouterSolicitation && type <= kNdRedirect ? type : 0;
}

bool parse_nd(const std::uint8_t* ip, std::size_t length, NdMessage& out) {
  const std::uint8_t type = nd_type(ip, length);
  if (type != kNdNeighbourSolicitation && type != kNdNeighbourAdvertisement) return false;
  const std::size_t icmp_length = length - kIpv6HeaderSize;
  const std::uint8_t* icmp = ip + kIpv6HeaderSize;
  if (ip[7] != kNdHopLimit || icmp[1] != 0 || icmp_length < kNdHeaderSize) return false;
  if (icmpv6_checksum(ip, icmp_length) != 0) return false;
  out = NdMessage{};
  out.type = type;
  out.source = address_at(ip + 8);
  out.destination = address_at(ip + 24);
  out.target = address_at(icmp + 8);
  if (is_multicast(out.target)) return false;
  if (type == kNdNeighbourAdvertisement) {
    out.router = (icmp[4] & kNaRouter) != 0;
    out.solicited = (icmp[4] & kNaSolicited) != 0;
    out.override_flag = (icmp[4] & kNaOverride) != 0;
    if (out.solicited && is_multicast(out.destination)) return false;
  }
  const std::uint8_t wanted =
      type == kNdNeighbourSolicitation ? kOptionSourceLinkLayer : kOptionTargetLinkLayer;
  for (std::size_t at = kNdHeaderSize; at < icmp_length;) {
    if (at + 2 > icmp_length) return false;
    const std::size_t option_length = std::size_t{icmp[at + 1]} * 8;
    if (option_length == 0 || at + option_length > icmp_length) return false;
    if (icmp[at] == wanted) {
      config::MacAddress mac;
      std::memcpy(mac.bytes.data(), icmp + at + 2, 6);
      out.link_layer = mac;
    }
    at += option_length;
  }
  if (type == kNdNeighbourSolicitation && is_unspecified(out.source) &&
      (out.link_layer || !is_solicited_node(out.destination))) {
    return false;
  }
  return true;
}

Ipv6Address solicited_node_address(const Ipv6Address& address) {
  Ipv6Address out = {0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0, 0, 0};
  std::memcpy(out.data() + 13, address.data() + 13, 3);
  return out;
}

config::MacAddress ipv6_multicast_mac(const Ipv6Address& multicast) {
  config::MacAddress mac{{0x33, 0x33, 0, 0, 0, 0}};
  std::memcpy(mac.bytes.data() + 2, multicast.data() + 12, 4);
  return mac;
}

Ipv6Address link_local_address(const config::MacAddress& mac) {
  Ipv6Address out = {0xFE, 0x80};
  out[8] = static_cast<std::uint8_t>(mac.bytes[0] ^ 0x02);  // the universal/local bit flipped
  out[9] = mac.bytes[1];
  out[10] = mac.bytes[2];
  out[11] = 0xFF;
  out[12] = 0xFE;
  out[13] = mac.bytes[3];
  out[14] = mac.bytes[4];
  out[15] = mac.bytes[5];
  return out;
}

std::size_t write_neighbour_solicitation(std::uint8_t* frame, const config::MacAddress& our_mac,
                                         const Ipv6Address& our_ip, const Ipv6Address& target) {
  const Ipv6Address group = solicited_node_address(target);
  return write_nd_frame(frame, ipv6_multicast_mac(group), our_mac, our_ip, group,
                        kNdNeighbourSolicitation, 0, target, kOptionSourceLinkLayer);
}

std::size_t write_neighbour_advertisement(std::uint8_t* frame, const config::MacAddress& our_mac,
                                          const Ipv6Address& target,
                                          const config::MacAddress& to_mac,
                                          const Ipv6Address& to_ip, bool solicited) {
  if (!solicited) {
    return write_nd_frame(frame, ipv6_multicast_mac(kAllNodes), our_mac, target, kAllNodes,
                          kNdNeighbourAdvertisement, kNaRouter | kNaOverride, target,
                          kOptionTargetLinkLayer);
  }
  return write_nd_frame(frame, to_mac, our_mac, target, to_ip, kNdNeighbourAdvertisement,
                        kNaRouter | kNaSolicited | kNaOverride, target, kOptionTargetLinkLayer);
}

}  // namespace actorwire::io
