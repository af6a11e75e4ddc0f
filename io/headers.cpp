#include "io/headers.hpp"

#include "io/byte_order.hpp"

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <cstring>

namespace actorwire::io {
namespace {

FrameError validate_ipv4(const std::uint8_t* ip, std::size_t available, std::size_t& length) {
  if (available < kIpv4HeaderSize) return FrameError::kTruncatedIp;
  const std::size_t header_length = std::size_t{ip[0] & 0x0Fu} * 4;
  if ((ip[0] >> 4) != 4 || header_length < kIpv4HeaderSize) return FrameError::kMalformedIp;
  if (available < header_length) return FrameError::kTruncatedIp;
  const std::size_t total_length = load_be16(ip + 2);
  if (total_length < header_length) return FrameError::kMalformedIp;
  if (total_length > available) return FrameError::kTruncatedIp;
  if (rte_raw_cksum(ip, header_length) != 0xFFFF) return FrameError::kMalformedIp;
  length = total_length;
  return FrameError::kNone;
}

FrameError validate_ipv6(const std::uint8_t* ip, std::size_t available, std::size_t& length) {
  if (available < kIpv6HeaderSize) return FrameError::kTruncatedIp;
  if ((ip[0] >> 4) != 6) return FrameError::kMalformedIp;
  const std::size_t total_length = kIpv6HeaderSize + load_be16(ip + 4);
  if (total_length > available) return FrameError::kTruncatedIp;
  length = total_length;
  return FrameError::kNone;
}

}  // namespace

std::string_view to_string(FrameError error) {
  switch (error) {
    case FrameError::kNone:
      return "none";
    case FrameError::kTruncatedEthernet:
      return "truncated_ethernet";
    case FrameError::kUnsupportedEtherType:
      return "unsupported_ethertype";
    case FrameError::kTruncatedArp:
      return "truncated_arp";
    case FrameError::kMalformedArp:
      return "malformed_arp";
    case FrameError::kTruncatedIp:
      return "truncated_ip";
    case FrameError::kMalformedIp:
      return "malformed_ip";
    case FrameError::kTruncatedUdp:
      return "truncated_udp";
    case FrameError::kMalformedUdp:
      return "malformed_udp";
    case FrameError::kCount:
      break;
  }
  return "unknown";
}

FrameError parse_frame(const std::uint8_t* frame, std::size_t length, ParsedFrame& out) {
  if (length < kEthernetHeaderSize) return FrameError::kTruncatedEthernet;
  const std::uint16_t ether_type = load_be16(frame + 12);
  const std::uint8_t* l3 = frame + kEthernetHeaderSize;
  const std::size_t available = length - kEthernetHeaderSize;
  out.l3_offset = kEthernetHeaderSize;
  switch (ether_type) {
    case kEtherTypeIpv4:
      out.kind = FrameKind::kIpv4;
      return validate_ipv4(l3, available, out.l3_length);
    case kEtherTypeIpv6:
      out.kind = FrameKind::kIpv6;
      return validate_ipv6(l3, available, out.l3_length);
    case kEtherTypeArp:
      out.kind = FrameKind::kArp;
      if (available < kArpPacketSize) return FrameError::kTruncatedArp;
      // hardware type Ethernet (1), protocol IPv4, hlen 6, plen 4
      if (load_be16(l3) != 1 || load_be16(l3 + 2) != kEtherTypeIpv4 || l3[4] != 6 || l3[5] != 4) {
        return FrameError::kMalformedArp;
      }
      out.l3_length = kArpPacketSize;
      return FrameError::kNone;
    default:
      return FrameError::kUnsupportedEtherType;
  }
}

IpInfo read_ip_info(const std::uint8_t* packet, bool is_v6) {
  IpInfo info;
  if (is_v6) {
    info.source.is_v6 = info.destination.is_v6 = true;
    std::memcpy(info.source.bytes.data(), packet + 8, 16);
    std::memcpy(info.destination.bytes.data(), packet + 24, 16);
    info.protocol = packet[6];
    info.header_length = kIpv6HeaderSize;
    info.total_length = kIpv6HeaderSize + load_be16(packet + 4);
  } else {
    std::memcpy(info.source.bytes.data(), packet + 12, 4);
    std::memcpy(info.destination.bytes.data(), packet + 16, 4);
    info.protocol = packet[9];
    info.header_length = std::size_t{packet[0] & 0x0Fu} * 4;
    info.total_length = load_be16(packet + 2);
  }
  return info;
}

FrameError parse_ipv4_udp(const std::uint8_t* ip_packet, std::size_t length, UdpView& out) {
  std::size_t total_length = 0;
  if (const auto error = validate_ipv4(ip_packet, length, total_length);
      error != FrameError::kNone) {
    return error;
  }
  const IpInfo ip = read_ip_info(ip_packet, false);
  if (ip.protocol != kIpProtoUdp) return FrameError::kMalformedUdp;
  if (total_length < ip.header_length + kUdpHeaderSize) return FrameError::kTruncatedUdp;
  const std::uint8_t* udp = ip_packet + ip.header_length;
  const std::size_t udp_length = load_be16(udp + 4);
  if (udp_length < kUdpHeaderSize || udp_length > total_length - ip.header_length) {
    return FrameError::kMalformedUdp;
  }
  out.source = ip.source;
  out.destination = ip.destination;
  out.source_port = load_be16(udp);
  out.destination_port = load_be16(udp + 2);
  out.payload_offset = ip.header_length + kUdpHeaderSize;
  out.payload_length = udp_length - kUdpHeaderSize;
  return FrameError::kNone;
}

void write_ethernet_header(std::uint8_t* frame, const config::MacAddress& destination,
                           const config::MacAddress& source, std::uint16_t ether_type) {
  std::memcpy(frame, destination.bytes.data(), 6);
  std::memcpy(frame + 6, source.bytes.data(), 6);
  store_be16(frame + 12, ether_type);
}

namespace {

// Ethernet + IPv4 + UDP with both checksum fields zero.
void write_ipv4_udp_headers(std::uint8_t* frame, std::size_t payload_length,
                            const OuterIpv4Udp& outer, std::uint16_t ip_id) {
  write_ethernet_header(frame, outer.destination_mac, outer.source_mac, kEtherTypeIpv4);
  std::uint8_t* ip = frame + kEthernetHeaderSize;
  const auto udp_length = static_cast<std::uint16_t>(kUdpHeaderSize + payload_length);
  ip[0] = 0x45;
  ip[1] = 0;
  store_be16(ip + 2, static_cast<std::uint16_t>(kIpv4HeaderSize + udp_length));
  store_be16(ip + 4, ip_id);
  store_be16(ip + 6, 0);
  ip[8] = kDefaultTtl;
  ip[9] = kIpProtoUdp;
  store_be16(ip + 10, 0);
  store_be32(ip + 12, outer.source_ip);
  store_be32(ip + 16, outer.destination_ip);
  std::uint8_t* udp = ip + kIpv4HeaderSize;
  store_be16(udp, outer.source_port);
  store_be16(udp + 2, outer.destination_port);
  store_be16(udp + 4, udp_length);
  store_be16(udp + 6, 0);
}

// Ethernet + IPv6 + UDP with the checksum field zero.
void write_ipv6_udp_headers(std::uint8_t* frame, std::size_t payload_length,
                            const OuterUdp& outer) {
  write_ethernet_header(frame, outer.destination_mac, outer.source_mac, kEtherTypeIpv6);
  std::uint8_t* ip = frame + kEthernetHeaderSize;
  const auto udp_length = static_cast<std::uint16_t>(kUdpHeaderSize + payload_length);
  store_be32(ip, 0x60000000);  // version 6, traffic class 0, flow label 0
  store_be16(ip + 4, udp_length);
  ip[6] = kIpProtoUdp;
  ip[7] = kDefaultTtl;
  std::memcpy(ip + 8, outer.source.bytes.data(), 16);
  std::memcpy(ip + 24, outer.destination.bytes.data(), 16);
  std::uint8_t* udp = ip + kIpv6HeaderSize;
  store_be16(udp, outer.source_port);
  store_be16(udp + 2, outer.destination_port);
  store_be16(udp + 4, udp_length);
  store_be16(udp + 6, 0);
}

OuterIpv4Udp to_outer_ipv4_udp(const OuterUdp& outer) {
  return {outer.source_mac,
          outer.destination_mac,
          outer.source.v4_host_order(),
          outer.destination.v4_host_order(),
          outer.source_port,
          outer.destination_port};
}

}  // namespace

void write_outer_ipv4_udp(std::uint8_t* frame, std::size_t payload_length,
                          const OuterIpv4Udp& outer, std::uint16_t ip_id) {
  write_ipv4_udp_headers(frame, payload_length, outer, ip_id);
  std::uint8_t* ip = frame + kEthernetHeaderSize;
  std::uint8_t* udp = ip + kIpv4HeaderSize;
  const auto* ip_header = reinterpret_cast<const rte_ipv4_hdr*>(ip);
  // rte_ipv4_udptcp_cksum already maps a computed 0 to 0xFFFF (0 means "no checksum").
  const std::uint16_t udp_checksum = rte_ipv4_udptcp_cksum(ip_header, udp);
  store_checksum(udp + 6, udp_checksum);
  const std::uint16_t ip_checksum = rte_ipv4_cksum(ip_header);
  store_checksum(ip + 10, ip_checksum);
}

OuterUdp to_outer_udp(const OuterIpv4Udp& outer) {
  return {outer.source_mac,
          outer.destination_mac,
          config::IpAddress::v4(outer.source_ip),
          config::IpAddress::v4(outer.destination_ip),
          outer.source_port,
          outer.destination_port,
          {}};
}

void write_outer_udp_headers(std::uint8_t* frame, std::size_t payload_length, const OuterUdp& outer,
                             std::uint16_t ip_id) {
  if (!outer.destination.is_v6) {
    return write_ipv4_udp_headers(frame, payload_length, to_outer_ipv4_udp(outer), ip_id);
  }
  write_ipv6_udp_headers(frame, payload_length, outer);
}

void write_outer_udp(std::uint8_t* frame, std::size_t payload_length, const OuterUdp& outer,
                     std::uint16_t ip_id) {
  if (!outer.destination.is_v6) {
    return write_outer_ipv4_udp(frame, payload_length, to_outer_ipv4_udp(outer), ip_id);
  }
  write_ipv6_udp_headers(frame, payload_length, outer);
  std::uint8_t* ip = frame + kEthernetHeaderSize;
  std::uint8_t* udp = ip + kIpv6HeaderSize;
  // rte_ipv6_udptcp_cksum maps a computed 0 to 0xFFFF, as RFC 8200 asks.
  const std::uint16_t udp_checksum =
      rte_ipv6_udptcp_cksum(reinterpret_cast<const rte_ipv6_hdr*>(ip), udp);
  store_checksum(udp + 6, udp_checksum);
}

bool udp_checksum_ok(const std::uint8_t* ip_packet, bool is_v6) {
  if (!is_v6) return ipv4_udp_checksum_ok(ip_packet);
  const std::uint8_t* udp = ip_packet + kIpv6HeaderSize;
  if (load_be16(udp + 6) == 0) return false;
  const auto* ip = reinterpret_cast<const rte_ipv6_hdr*>(ip_packet);
  std::uint32_t sum = rte_ipv6_phdr_cksum(ip, 0);
  sum = __rte_raw_cksum(udp, load_be16(ip_packet + 4), sum);
  return __rte_raw_cksum_reduce(sum) == 0xFFFF;
}

std::uint16_t ipv4_header_checksum(const std::uint8_t* ip_header) {
  return rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(ip_header));
}

bool ipv4_udp_checksum_ok(const std::uint8_t* ip_packet) {
  const std::size_t header_length = std::size_t{ip_packet[0] & 0x0Fu} * 4;
  const std::uint8_t* udp = ip_packet + header_length;
  if (load_be16(udp + 6) == 0) return true;
  // Summing the pseudo header and the whole datagram, checksum field included, gives 0xFFFF.
  const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(ip_packet);
  const std::size_t udp_length = load_be16(ip_packet + 2) - header_length;
  std::uint32_t sum = rte_ipv4_phdr_cksum(ip, 0);
  sum = __rte_raw_cksum(udp, udp_length, sum);
  return __rte_raw_cksum_reduce(sum) == 0xFFFF;
}

ArpPacket read_arp(const std::uint8_t* arp) {
  ArpPacket packet;
  packet.operation = load_be16(arp + 6);
  std::memcpy(packet.sender_mac.bytes.data(), arp + 8, 6);
  packet.sender_ip = load_be32(arp + 14);
  std::memcpy(packet.target_mac.bytes.data(), arp + 18, 6);
  packet.target_ip = load_be32(arp + 24);
  return packet;
}

std::size_t write_arp_frame(std::uint8_t* frame, const config::MacAddress& ethernet_destination,
                            const ArpPacket& arp) {
  write_ethernet_header(frame, ethernet_destination, arp.sender_mac, kEtherTypeArp);
  std::uint8_t* p = frame + kEthernetHeaderSize;
  store_be16(p, 1);
  store_be16(p + 2, kEtherTypeIpv4);
  p[4] = 6;
  p[5] = 4;
  store_be16(p + 6, arp.operation);
  std::memcpy(p + 8, arp.sender_mac.bytes.data(), 6);
  store_be32(p + 14, arp.sender_ip);
  std::memcpy(p + 18, arp.target_mac.bytes.data(), 6);
  store_be32(p + 24, arp.target_ip);
  return kEthernetHeaderSize + kArpPacketSize;
}

}  // namespace actorwire::io
