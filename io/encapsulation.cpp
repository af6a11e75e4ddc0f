#include "io/encapsulation.hpp"

#include <rte_mbuf.h>

#include "crypto/transport.hpp"
#include "io/checksum_offload.hpp"

namespace actorwire::io {

EncapsulateResult prepare_encapsulation(rte_mbuf* mbuf, const ParsedFrame& frame,
                                        const SealParams& seal, const OuterUdp& outer,
                                        std::uint16_t mtu, crypto::AeadJob& job,
                                        std::size_t& message_length) {
  if (mbuf->nb_segs != 1) return EncapsulateResult::kMultiSegment;
  const std::size_t inner_length = frame.l3_length;
  if (inner_length > mtu) return EncapsulateResult::kInnerTooBig;
  const std::size_t trailer = crypto::padding_for(inner_length, mtu) + wg::kAeadTagSize;
  const std::size_t overhead = outer.overhead();
  const std::size_t header = overhead + wg::kTransportHeaderSize;
  // Check room first so a failed packet is left untouched.
  const std::size_t tail_after_trim =
      rte_pktmbuf_tailroom(mbuf) + (mbuf->data_len - frame.l3_offset - inner_length);
  if (rte_pktmbuf_headroom(mbuf) + frame.l3_offset < header || tail_after_trim < trailer) {
    return EncapsulateResult::kNoRoom;
  }
  // Drop the inner Ethernet header and any Ethernet padding after the IP packet.
  rte_pktmbuf_adj(mbuf, static_cast<std::uint16_t>(frame.l3_offset));
  rte_pktmbuf_trim(mbuf, static_cast<std::uint16_t>(mbuf->data_len - inner_length));
  rte_pktmbuf_append(mbuf, static_cast<std::uint16_t>(trailer));
  rte_pktmbuf_prepend(mbuf, static_cast<std::uint16_t>(header));
  auto* out = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
  message_length = crypto::prepare_transport(*seal.key, seal.receiver_index, seal.counter,
                                             out + overhead, inner_length, job, mtu);
  return EncapsulateResult::kOk;
}

void finish_encapsulation(rte_mbuf* mbuf, std::size_t message_length, const OuterUdp& outer,
                          std::uint16_t ip_id) {
  write_outer_udp(mbuf, message_length, outer, ip_id);
}

EncapsulateResult encapsulate(rte_mbuf* mbuf, const ParsedFrame& frame, crypto::Aead& aead,
                              const SealParams& seal, const OuterUdp& outer, std::uint16_t mtu,
                              std::uint16_t ip_id) {
  crypto::AeadJob job;
  std::size_t message_length = 0;
  const EncapsulateResult result =
      prepare_encapsulation(mbuf, frame, seal, outer, mtu, job, message_length);
  if (result != EncapsulateResult::kOk) return result;
  aead.seal(*job.key, job.nonce, {}, job.data, job.length, job.tag);
  finish_encapsulation(mbuf, message_length, outer, ip_id);
  return EncapsulateResult::kOk;
}

}  // namespace actorwire::io
