// The crypto step of one packet, given only its CryptoArgs: what a crypto worker does, and what
// `single` does inline. Frames leave with a zero destination MAC; the transmitting PortSide
// writes the neighbour's.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/crypto_args.hpp"
#include "actors/common/stage_counters.hpp"
#include "actors/dataplane/data_plane_env.hpp"
#include "actors/dataplane/port_side.hpp"
#include "config/gateway_config.hpp"
#include "crypto/aead.hpp"
#include "crypto/transport.hpp"
#include "io/decapsulation.hpp"
#include "io/encapsulation.hpp"
#include "io/headers.hpp"

struct rte_mbuf;
struct rte_mempool;

namespace actorwire::actors {

// Our outer headers towards `destination`; false for an IPv6 destination when the WAN port has no
// IPv6 address.
bool outer_headers(const OuterSource& source, const config::IpAddress& destination,
                   std::uint16_t destination_port, io::OuterUdp& out);

// LAN frame -> complete WAN frame, sealed in place. kNone on success, else why to drop it.
DropReason seal_frame(rte_mbuf* mbuf, const io::ParsedFrame& frame, const CryptoArgs& args,
                      crypto::Aead& aead, const OuterSource& source, std::uint16_t mtu,
                      std::uint16_t ip_id);

// Why a frame that io::encapsulate (or prepare_encapsulation) refused is dropped.
DropReason drop_reason_of(io::EncapsulateResult result);

// A sealed frame goes to its peer's endpoint, of either family.
inline void transmit_sealed(PortSide& wan, rte_mbuf* mbuf, const CryptoArgs& args,
                            Clock::time_point now) {
  if (args.endpoint_is_v6) return wan.transmit_to_v6(mbuf, args.endpoint_ip6, now);
  wan.transmit_to(mbuf, args.endpoint_ip, now);
}

// Opens the transport message of a WAN frame in place; the padded plaintext length, or nullopt
// if it does not authenticate.
std::optional<std::size_t> open_frame(rte_mbuf* mbuf, const io::InboundUdp& udp,
                                      const crypto::TransportHeader& header, const CryptoArgs& args,
                                      crypto::Aead& aead);

// A new WAN frame holding an empty transport message (keepalive); nullptr without buffers.
rte_mbuf* make_keepalive_frame(rte_mempool* pool, const CryptoArgs& args, crypto::Aead& aead,
                               const OuterSource& source, std::uint16_t mtu, std::uint16_t ip_id);

// A new WAN frame carrying `payload` (a handshake message) to `destination`; nullptr without
// buffers or without an outer address of the destination's family.
rte_mbuf* make_datagram_frame(rte_mempool* pool, const config::Endpoint& destination,
                              const std::vector<std::uint8_t>& payload, const OuterSource& source,
                              std::uint16_t ip_id);

}  // namespace actorwire::actors
