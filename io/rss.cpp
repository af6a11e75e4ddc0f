#include "io/rss.hpp"

#include <rte_ip.h>
#include <rte_thash.h>

#include <cstring>

#include "io/byte_order.hpp"
#include "io/headers.hpp"

namespace actorwire::io {
namespace {

constexpr std::size_t kL4PortsSize = 4;  // TCP and UDP both start with source, destination port
constexpr std::uint16_t kIpv4MoreFragments = 0x2000;
constexpr std::uint16_t kIpv4FragmentOffsetMask = 0x1FFF;

std::uint32_t toeplitz(rte_thash_tuple& tuple, std::uint32_t words) {
  return rte_softrss(reinterpret_cast<std::uint32_t*>(&tuple), words, kDefaultRssKey.data());
}

rte_thash_tuple ipv4_tuple(std::uint32_t source, std::uint32_t destination) {
  rte_thash_tuple tuple{};
  tuple.v4.src_addr = source;
  tuple.v4.dst_addr = destination;
  return tuple;
}

// rte_softrss wants IPv6 addresses as host-order 32-bit words; DPDK's loader does the swap.
rte_thash_tuple ipv6_tuple(const Ipv6Bytes& source, const Ipv6Bytes& destination) {
  rte_ipv6_hdr header{};
  std::memcpy(header.src_addr, source.data(), source.size());
  std::memcpy(header.dst_addr, destination.data(), destination.size());
  rte_thash_tuple tuple{};
  rte_thash_load_v6_addrs(&header, &tuple);
  return tuple;
}

bool is_tcp_or_udp(std::uint8_t protocol) {
  return protocol == kIpProtoTcp || protocol == kIpProtoUdp;
}

}  // namespace

std::uint32_t rss_hash_ipv4(std::uint32_t source, std::uint32_t destination) {
  rte_thash_tuple tuple = ipv4_tuple(source, destination);
  return toeplitz(tuple, RTE_THASH_V4_L3_LEN);
}

std::uint32_t rss_hash_ipv4(std::uint32_t source, std::uint32_t destination,
                            std::uint16_t source_port, std::uint16_t destination_port) {
  rte_thash_tuple tuple = ipv4_tuple(source, destination);
  tuple.v4.sport = source_port;
  tuple.v4.dport = destination_port;
  return toeplitz(tuple, RTE_THASH_V4_L4_LEN);
}

std::uint32_t rss_hash_ipv6(const Ipv6Bytes& source, const Ipv6Bytes& destination) {
  rte_thash_tuple tuple = ipv6_tuple(source, destination);
  return toeplitz(tuple, RTE_THASH_V6_L3_LEN);
}

std::uint32_t rss_hash_ipv6(const Ipv6Bytes& source, const Ipv6Bytes& destination,
                            std::uint16_t source_port, std::uint16_t destination_port) {
  rte_thash_tuple tuple = ipv6_tuple(source, destination);
  tuple.v6.sport = source_port;
  tuple.v6.dport = destination_port;
  return toeplitz(tuple, RTE_THASH_V6_L4_LEN);
}

std::uint16_t rss_queue(std::uint32_t hash, std::uint16_t queues) {
  if (queues <= 1) return 0;
  // Entry i of a round-robin table holds i % queues, so the lookup needs no table.
  return static_cast<std::uint16_t>((hash % kRssRedirectionTableSize) % queues);
}

std::uint16_t rss_queue_for_frame(const std::uint8_t* frame, std::size_t length,
                                  std::uint16_t queues) {
  if (queues <= 1) return 0;
  ParsedFrame parsed;
  if (parse_frame(frame, length, parsed) != FrameError::kNone || parsed.kind == FrameKind::kArp) {
    return 0;
  }
  const std::uint8_t* ip = frame + parsed.l3_offset;
  const bool is_v6 = parsed.kind == FrameKind::kIpv6;
  const IpInfo info = read_ip_info(ip, is_v6);
  bool hash_ports =
      is_tcp_or_udp(info.protocol) && parsed.l3_length >= info.header_length + kL4PortsSize;
  // Only the first fragment carries the ports: NICs hash every fragment by addresses alone so
  // that a fragmented datagram stays on one queue.
  if (!is_v6 && (load_be16(ip + 6) & (kIpv4MoreFragments | kIpv4FragmentOffsetMask)) != 0) {
    hash_ports = false;
  }
  std::uint32_t hash = 0;
  if (is_v6) {
    hash = hash_ports ? rss_hash_ipv6(info.source.bytes, info.destination.bytes,
                                      load_be16(ip + info.header_length),
                                      load_be16(ip + info.header_length + 2))
                      : rss_hash_ipv6(info.source.bytes, info.destination.bytes);
  } else {
    const std::uint32_t source = info.source.v4_host_order();
    const std::uint32_t destination = info.destination.v4_host_order();
    hash = hash_ports ? rss_hash_ipv4(source, destination, load_be16(ip + info.header_length),
                                      load_be16(ip + info.header_length + 2))
                      : rss_hash_ipv4(source, destination);
  }
  return rss_queue(hash, queues);
}

}  // namespace actorwire::io
