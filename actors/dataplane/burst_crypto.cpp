#include "actors/dataplane/burst_crypto.hpp"

#include <rte_mbuf.h>

#include "actors/dataplane/packet_crypto.hpp"
#include "io/encapsulation.hpp"

namespace actorwire::actors {

namespace {

// The args a queued job reads: the caller's, or a copy in `copy`.
const CryptoArgs* keep(const CryptoArgs& args, CryptoArgs& copy, ArgsLifetime lifetime) {
  if (lifetime == ArgsLifetime::kOutliveBurst) return &args;
  copy = args;
  return &copy;
}

}  // namespace

DropReason SealBurst::add(rte_mbuf* mbuf, const io::ParsedFrame& frame, const CryptoArgs& args,
                          const OuterSource& source, std::uint16_t mtu, std::uint16_t ip_id,
                          ArgsLifetime lifetime) {
  Queued& queued = queued_[count_];
  if (!outer_headers(source, args.endpoint_address(), args.endpoint_port, queued.outer)) {
    return DropReason::kNoEndpoint;  // an IPv6 peer, and no IPv6 address on the WAN
  }
  queued.args = keep(args, queued.copy, lifetime);  // the job's key points into these
  const io::SealParams seal{&queued.args->key, args.receiver_index, args.counter};
  const io::EncapsulateResult result = io::prepare_encapsulation(
      mbuf, frame, seal, queued.outer, mtu, jobs_[count_], queued.message_length);
  if (result != io::EncapsulateResult::kOk) return drop_reason_of(result);
  queued.mbuf = mbuf;
  queued.ip_id = ip_id;
  ++count_;
  return DropReason::kNone;
}

void SealBurst::finish_all() {
  for (std::size_t i = 0; i < count_; ++i) {
    const Queued& queued = queued_[i];
    io::finish_encapsulation(queued.mbuf, queued.message_length, queued.outer, queued.ip_id);
  }
}

bool OpenBurst::add(rte_mbuf* mbuf, const io::InboundUdp& udp,
                    const crypto::TransportHeader& header, const CryptoArgs& args,
                    std::size_t index, ArgsLifetime lifetime) {
  Opened& queued = queued_[count_];
  queued.args = keep(args, queued.copy, lifetime);  // the job's key points into these
  auto* message = rte_pktmbuf_mtod(mbuf, std::uint8_t*) + udp.message_offset;
  if (!crypto::prepare_open(queued.args->key, header, message, udp.message_length, jobs_[count_])) {
    return false;
  }
  queued.mbuf = mbuf;
  queued.header = header;
  queued.udp = udp;
  queued.index = index;
  ++count_;
  return true;
}

}  // namespace actorwire::actors
