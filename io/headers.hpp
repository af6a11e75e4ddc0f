// Ethernet / ARP / IPv4 / IPv6 / UDP parsing and building on contiguous frames. Every parse is
// bounds-checked against the frame length and returns a FrameError naming why it was refused,
// so callers count drops by reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "config/gateway_config.hpp"

namespace actorwire::io {

inline constexpr std::size_t kEthernetHeaderSize = 14;
inline constexpr std::size_t kIpv4HeaderSize = 20;  // without options; we never emit options
inline constexpr std::size_t kIpv6HeaderSize = 40;
inline constexpr std::size_t kUdpHeaderSize = 8;
inline constexpr std::size_t kArpPacketSize = 28;
inline constexpr std::size_t kArpFrameSize = 14 + kArpPacketSize;
inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeArp = 0x0806;
inline constexpr std::uint16_t kEtherTypeIpv6 = 0x86DD;
inline constexpr std::uint8_t kIpProtoTcp = 6;
inline constexpr std::uint8_t kIpProtoUdp = 17;
inline constexpr std::uint8_t kDefaultTtl = 64;
// Outer headers a sealed packet needs in front of the WireGuard transport header.
inline constexpr std::size_t kOuterIpv4Overhead =
    kEthernetHeaderSize + kIpv4HeaderSize + kUdpHeaderSize;
inline constexpr std::size_t kOuterIpv6Overhead =
    kEthernetHeaderSize + kIpv6HeaderSize + kUdpHeaderSize;

inline const config::MacAddress kBroadcastMac{{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}};

enum class FrameError : std::uint8_t {
  kNone = 0,
  kTruncatedEthernet,  // shorter than an Ethernet header
  kUnsupportedEtherType,
  kTruncatedArp,
  kMalformedArp,  // not Ethernet/IPv4 ARP
  kTruncatedIp,   // shorter than the IP header or its total/payload length
  kMalformedIp,   // bad version, IHL, length fields or header checksum
  kTruncatedUdp,
  kMalformedUdp,  // UDP length inconsistent with the IP payload
  kCount
};
std::string_view to_string(FrameError error);

enum class FrameKind : std::uint8_t { kArp, kIpv4, kIpv6 };

// What an Ethernet frame holds. Offsets are from the start of the frame.
struct ParsedFrame {
  FrameKind kind = FrameKind::kIpv4;
  std::size_t l3_offset = kEthernetHeaderSize;
  std::size_t l3_length = 0;  // IP: the IP packet's own length (Ethernet padding excluded)
};

// Parses the Ethernet header and validates the IPv4/IPv6 header (version, IHL, total length
// within the frame, IPv4 header checksum) or the ARP packet's size and types.
FrameError parse_frame(const std::uint8_t* frame, std::size_t length, ParsedFrame& out);

struct IpInfo {
  config::IpAddress source;
  config::IpAddress destination;
  std::uint8_t protocol = 0;  // IPv4 protocol / IPv6 next header
  std::size_t header_length = 0;
  std::size_t total_length = 0;
};
// Reads addresses from a validated IP packet (see parse_frame) at `packet`.
IpInfo read_ip_info(const std::uint8_t* packet, bool is_v6);

// A UDP datagram inside an IPv4 packet (used by the inbound path and tests).
struct UdpView {
  config::IpAddress source;
  config::IpAddress destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::size_t payload_offset = 0;  // from the start of the IP packet
  std::size_t payload_length = 0;
};
FrameError parse_ipv4_udp(const std::uint8_t* ip_packet, std::size_t length, UdpView& out);

struct OuterIpv4Udp {
  config::MacAddress source_mac;
  config::MacAddress destination_mac;
  std::uint32_t source_ip = 0;  // host order
  std::uint32_t destination_ip = 0;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
};
// Writes Ethernet + IPv4 + UDP headers at `frame` for a UDP payload of `payload_length` bytes
// that already sits at frame + kOuterIpv4Overhead, and fills both checksums (the UDP checksum
// covers the payload, so this reads it).
void write_outer_ipv4_udp(std::uint8_t* frame, std::size_t payload_length,
                          const OuterIpv4Udp& outer, std::uint16_t ip_id);

// Which outer checksums the transmitting port computes (rte_eth_dev_info's tx_offload_capa,
// enabled by Port::open); the rest is computed in software. io/checksum_offload.hpp applies it.
struct ChecksumOffloads {
  bool ipv4 = false;  // RTE_ETH_TX_OFFLOAD_IPV4_CKSUM: the IPv4 header checksum
  bool udp = false;   // RTE_ETH_TX_OFFLOAD_UDP_CKSUM: the UDP checksum (IPv4 and IPv6)
};

// Outer Ethernet / IP / UDP headers of either family (source and destination of the same one).
struct OuterUdp {
  config::MacAddress source_mac;
  config::MacAddress destination_mac;
  config::IpAddress source;
  config::IpAddress destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  ChecksumOffloads offloads;  // write_outer_udp(rte_mbuf*, ...) only; the byte version ignores it

  std::size_t overhead() const {
    return destination.is_v6 ? kOuterIpv6Overhead : kOuterIpv4Overhead;
  }
};
OuterUdp to_outer_udp(const OuterIpv4Udp& outer);
// Writes the headers at `frame` for the UDP payload already at frame + outer.overhead(), with
// the UDP checksum (mandatory for IPv6, RFC 8200 8.1); `ip_id` is used for IPv4 only.
void write_outer_udp(std::uint8_t* frame, std::size_t payload_length, const OuterUdp& outer,
                     std::uint16_t ip_id);
// The same headers with every checksum field zero (for the port to fill, or the caller).
void write_outer_udp_headers(std::uint8_t* frame, std::size_t payload_length, const OuterUdp& outer,
                             std::uint16_t ip_id);

// RFC 1071 checksums (DPDK's rte_ipv4_cksum / rte_ipv4_udptcp_cksum underneath).
std::uint16_t ipv4_header_checksum(const std::uint8_t* ip_header);
// Writes a checksum into its header field. DPDK's checksum helpers (and any sum over 16-bit words
// read in memory order) give it in network byte order already, so it is stored as it is.
inline void store_checksum(std::uint8_t* field, std::uint16_t checksum) {
  std::memcpy(field, &checksum, sizeof checksum);
}
// True when a complete IPv4+UDP packet's UDP checksum is correct (or zero, i.e. absent).
bool ipv4_udp_checksum_ok(const std::uint8_t* ip_packet);
// The same for IPv4 or IPv6 (UDP directly after the fixed header); for IPv6 a zero checksum is
// wrong (RFC 8200 8.1).
bool udp_checksum_ok(const std::uint8_t* ip_packet, bool is_v6);

void write_ethernet_header(std::uint8_t* frame, const config::MacAddress& destination,
                           const config::MacAddress& source, std::uint16_t ether_type);

// ARP (Ethernet/IPv4 only).
struct ArpPacket {
  std::uint16_t operation = 0;  // 1 request, 2 reply
  config::MacAddress sender_mac;
  std::uint32_t sender_ip = 0;  // host order
  config::MacAddress target_mac;
  std::uint32_t target_ip = 0;
};
inline constexpr std::uint16_t kArpRequest = 1;
inline constexpr std::uint16_t kArpReply = 2;
ArpPacket read_arp(const std::uint8_t* arp);
// Writes a complete Ethernet+ARP frame (42 bytes); returns its length.
std::size_t write_arp_frame(std::uint8_t* frame, const config::MacAddress& ethernet_destination,
                            const ArpPacket& arp);

}  // namespace actorwire::io
