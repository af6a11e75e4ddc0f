#include "io/checksum_offload.hpp"

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

namespace actorwire::io {

void write_outer_udp(rte_mbuf* mbuf, std::size_t payload_length, const OuterUdp& outer,
                     std::uint16_t ip_id) {
  auto* frame = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
  mbuf->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
  const ChecksumOffloads offloads = outer.offloads;
  if (!offloads.ipv4 && !offloads.udp) return write_outer_udp(frame, payload_length, outer, ip_id);
  // Headers first with both checksums zero, then each by its owner.
  OuterUdp headers_only = outer;
  headers_only.offloads = {};
  write_outer_udp_headers(frame, payload_length, headers_only, ip_id);
  std::uint8_t* ip = frame + kEthernetHeaderSize;
  mbuf->l2_len = kEthernetHeaderSize;
  if (!outer.destination.is_v6) {
    auto* ip_header = reinterpret_cast<rte_ipv4_hdr*>(ip);
    std::uint8_t* udp = ip + kIpv4HeaderSize;
    mbuf->l3_len = kIpv4HeaderSize;
    mbuf->ol_flags |= RTE_MBUF_F_TX_IPV4;
    if (offloads.udp) {
      mbuf->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
      store_checksum(udp + 6, rte_ipv4_phdr_cksum(ip_header, mbuf->ol_flags));
    } else {
      store_checksum(udp + 6, rte_ipv4_udptcp_cksum(ip_header, udp));
    }
    if (offloads.ipv4) {
      mbuf->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;  // the field stays 0, as the NIC wants it
    } else {
      store_checksum(ip + 10, rte_ipv4_cksum(ip_header));
    }
    return;
  }
  // IPv6 has no header checksum: only the UDP one, mandatory (RFC 8200 8.1).
  auto* ip_header = reinterpret_cast<rte_ipv6_hdr*>(ip);
  std::uint8_t* udp = ip + kIpv6HeaderSize;
  mbuf->l3_len = kIpv6HeaderSize;
  mbuf->ol_flags |= RTE_MBUF_F_TX_IPV6;
  if (offloads.udp) {
    mbuf->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
    store_checksum(udp + 6, rte_ipv6_phdr_cksum(ip_header, mbuf->ol_flags));
  } else {
    store_checksum(udp + 6, rte_ipv6_udptcp_cksum(ip_header, udp));
  }
}

std::uint64_t wanted_tx_checksum_offloads(std::uint64_t tx_offload_capa) {
  return tx_offload_capa & (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
}

ChecksumOffloads checksum_offloads_of(std::uint64_t enabled_tx_offloads) {
  return {(enabled_tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0,
          (enabled_tx_offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) != 0};
}

}  // namespace actorwire::io
