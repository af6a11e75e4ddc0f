// rte_ipv4_fragment_copy_nonseg_packet is still marked experimental in DPDK 22.11.
#define ALLOW_EXPERIMENTAL_API 1

#include "io/ipv4_fragmentation.hpp"

#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include <cstring>

#include "io/byte_order.hpp"
#include "io/headers.hpp"

namespace actorwire::io {

namespace {
constexpr std::uint16_t kIpv4DontFragment = 0x4000;
}  // namespace

bool ipv4_may_fragment(const std::uint8_t* ip) {
  return (load_be16(ip + 6) & kIpv4DontFragment) == 0;
}

std::size_t fragment_ipv4_frame(rte_mbuf* frame, std::size_t l3_offset, std::size_t l3_length,
                                std::uint16_t mtu, rte_mempool* pool, rte_mbuf** out) {
  if (frame->nb_segs != 1 || l3_offset > frame->data_len ||
      l3_offset + l3_length > frame->data_len) {
    return 0;
  }
  // The L2 header is what precedes the IP packet. rte_ip_frag wants the IP packet alone: no L2
  // header, no Ethernet padding. Trimming only moves the frame's data start and length, so the
  // header stays where it was, to be copied in front of every fragment.
  const auto* l2_header = rte_pktmbuf_mtod(frame, const std::uint8_t*);
  const auto l2_length = static_cast<std::uint16_t>(l3_offset);
  rte_pktmbuf_adj(frame, l2_length);
  rte_pktmbuf_trim(frame, static_cast<std::uint16_t>(frame->data_len - l3_length));
  const std::int32_t count = rte_ipv4_fragment_copy_nonseg_packet(
      frame, out, static_cast<std::uint16_t>(kMaxFragments), mtu, pool);
  if (count <= 0) return 0;
  for (std::int32_t i = 0; i < count; ++i) {
    rte_mbuf* fragment = out[i];
    auto* ip = rte_pktmbuf_mtod(fragment, std::uint8_t*);
    // The library leaves the header checksum to offload; we compute it.
    store_be16(ip + 10, 0);
    store_checksum(ip + 10, ipv4_header_checksum(ip));
    auto* header = reinterpret_cast<std::uint8_t*>(rte_pktmbuf_prepend(fragment, l2_length));
    if (header == nullptr) {
      for (std::int32_t j = 0; j < count; ++j) rte_pktmbuf_free(out[j]);
      return 0;
    }
    std::memcpy(header, l2_header, l2_length);
  }
  return static_cast<std::size_t>(count);
}

}  // namespace actorwire::io
