#include "io/traffic_generator.hpp"

#include <rte_mbuf.h>

#include <algorithm>
#include <cstring>

#include "io/byte_order.hpp"
#include "io/headers.hpp"

namespace actorwire::io {
namespace {

constexpr std::uint16_t kFirstSourcePort = 10000;
constexpr std::size_t kPatternPeriod = 251;  // prime, so payloads of nearby seqs differ

}  // namespace

TrafficGenerator::TrafficGenerator(TrafficPattern pattern) : pattern_(std::move(pattern)) {
  if (pattern_.flows == 0) pattern_.flows = 1;
  if (pattern_.ip_sizes.empty()) pattern_.ip_sizes.push_back(64);
  for (auto& size : pattern_.ip_sizes) {
    size = static_cast<std::uint16_t>(std::clamp<std::size_t>(size, kMinIpSize, kMaxIpSize));
  }
  const unsigned host_bits = 32u - std::min<unsigned>(pattern_.destination_prefix.length, 32u);
  // Skip the network address; keep at least one host.
  host_count_ = host_bits >= 31 ? 0x7FFFFFFFu : std::max<std::uint32_t>((1u << host_bits) - 2, 1);
  payload_pattern_.resize(kMaxIpSize + kPatternPeriod);
  for (std::size_t i = 0; i < payload_pattern_.size(); ++i) {
    payload_pattern_[i] = static_cast<std::uint8_t>(i * 7 + 3);
  }
}

std::size_t TrafficGenerator::frame_length(std::uint64_t seq) const {
  return kEthernetHeaderSize + pattern_.ip_sizes[seq % pattern_.ip_sizes.size()];
}

std::size_t TrafficGenerator::write_frame(std::uint64_t seq, std::uint8_t* out) const {
  const std::size_t ip_size = pattern_.ip_sizes[seq % pattern_.ip_sizes.size()];
  const std::uint32_t flow = flow_of(seq);
  write_ethernet_header(out, pattern_.destination_mac, pattern_.source_mac, kEtherTypeIpv4);
  std::uint8_t* ip = out + kEthernetHeaderSize;
  ip[0] = 0x45;
  ip[1] = 0;
  store_be16(ip + 2, static_cast<std::uint16_t>(ip_size));
  store_be16(ip + 4, static_cast<std::uint16_t>(seq));
  store_be16(ip + 6, 0);
  ip[8] = kDefaultTtl;
  ip[9] = kIpProtoUdp;
  store_be16(ip + 10, 0);
  store_be32(ip + 12, pattern_.source_ip);
  const std::uint32_t network = pattern_.destination_prefix.address.v4_host_order();
  store_be32(ip + 16, network + 1 + flow % host_count_);
  store_checksum(ip + 10, ipv4_header_checksum(ip));
  std::uint8_t* udp = ip + kIpv4HeaderSize;
  store_be16(udp, static_cast<std::uint16_t>(kFirstSourcePort + flow / host_count_));
  store_be16(udp + 2, kDestinationPort);
  store_be16(udp + 4, static_cast<std::uint16_t>(ip_size - kIpv4HeaderSize));
  store_be16(udp + 6, 0);  // no UDP checksum (allowed for IPv4)
  std::uint8_t* payload = udp + kUdpHeaderSize;
  const std::size_t payload_size = ip_size - kIpv4HeaderSize - kUdpHeaderSize;
  std::memcpy(payload, payload_pattern_.data() + seq % kPatternPeriod, payload_size);
  if (payload_size >= kSequenceSize) {
    for (std::size_t i = 0; i < kSequenceSize; ++i) {
      payload[i] = static_cast<std::uint8_t>(seq >> (8 * i));
    }
  }
  return kEthernetHeaderSize + ip_size;
}

bool TrafficGenerator::fill(rte_mbuf* mbuf, std::uint64_t seq) const {
  const std::size_t length = frame_length(seq);
  if (rte_pktmbuf_tailroom(mbuf) < length) return false;
  auto* data =
      reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(mbuf, static_cast<std::uint16_t>(length)));
  write_frame(seq, data);
  return true;
}

std::optional<std::uint64_t> TrafficGenerator::sequence_of(const std::uint8_t* ip_packet,
                                                           std::size_t length) {
  const std::size_t offset = kIpv4HeaderSize + kUdpHeaderSize;
  if (length < offset + kSequenceSize) return std::nullopt;
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < kSequenceSize; ++i) {
    seq |= std::uint64_t{ip_packet[offset + i]} << (8 * i);
  }
  return seq;
}

}  // namespace actorwire::io
