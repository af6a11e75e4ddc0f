// Why the data or control plane dropped a packet: every drop is counted under one reason, so
// that each actor balances packets_in + generated = out + consumed + drops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/headers.hpp"

namespace actorwire::actors {

// Why a packet was dropped. The first values mirror io::FrameError one to one.
enum class DropReason : std::uint8_t {
  kNone = 0,  // not a drop: the packet goes on
  kTruncatedEthernet = 1,
  kUnsupportedEtherType,
  kTruncatedArp,
  kMalformedArp,
  kTruncatedIp,
  kMalformedIp,
  kTruncatedUdp,
  kMalformedUdp,
  kNoPeer,        // no allowed_ips prefix matches the destination
  kNoSession,     // the peer has no transport keys yet
  kNoEndpoint,    // the peer has no endpoint, or an IPv6 one and the WAN port no IPv6 address
  kNoNeighbour,   // next hop MAC unknown (ARP request / neighbour solicitation sent)
  kInnerTooBig,   // inner packet above the tunnel MTU
  kNoBufferRoom,  // mbuf lacks head/tailroom or is chained
  kTxFull,        // the port did not take the packet
  kUnhandled,     // valid but not for this direction/stage yet
  kNotForUs,      // ARP/IP not addressed to this gateway
  // Inbound WireGuard (transport and handshake messages).
  kBadMessage,             // unknown type or wrong size for its type
  kUnknownIndex,           // receiver index matches no keypair or handshake of ours
  kKeyExpired,             // keypair older than REJECT_AFTER_TIME
  kDecryptFailed,          // transport message does not authenticate
  kReplayed,               // counter seen before, inside the replay window
  kSourceNotAllowed,       // decrypted packet's source is outside the peer's allowed_ips
  kStagedOverflow,         // more than MAX_STAGED_PACKETS waiting for a handshake (oldest goes)
  kHandshakeGaveUp,        // packets waited for a handshake that never completed
  kHandshakeBusy,          // the control actor has no credit left (handshake flood)
  kBadMac1,                // handshake message without a valid mac1
  kRateLimited,            // under load: source over its initiation rate
  kUnknownPeer,            // initiation from a static key we do not know
  kHandshakeRejected,      // does not decrypt / does not match our handshake state
  kHandshakeReplayed,      // initiation timestamp not newer than the last accepted one
  kHandshakeFlood,         // initiations from one peer faster than 50 per second
  kShutdown,               // still in flight between actors when the gateway stopped
  kForGateway,             // addressed to the gateway itself, and not an echo request
  kRouterAdvertisement,    // ignored: the gateway's routes are configured, not learned
  kBadNeighbourDiscovery,  // an NS/NA that fails RFC 4861's validity checks
  kReplayTooOld,           // counter further behind the greatest seen than the replay window
  kCounterLimit,           // counter >= REJECT_AFTER_MESSAGES (no sender may use it)
  kUnexpectedResponse,     // handshake response to no initiation of ours in progress
  kUnexpectedCookieReply,  // cookie reply whose receiver index names no handshake of ours
  kPeerRemoved,            // waited for a handshake with a peer a reload removed
  kCount
};
inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::kCount);
std::string_view to_string(DropReason reason);
inline DropReason drop_reason_for(io::FrameError error) {
  return static_cast<DropReason>(static_cast<std::uint8_t>(error));
}

}  // namespace actorwire::actors
