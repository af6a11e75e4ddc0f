#include "actors/common/drop_reason.hpp"

namespace actorwire::actors {

std::string_view to_string(DropReason reason) {
  if (static_cast<std::uint8_t>(reason) <= static_cast<std::uint8_t>(DropReason::kMalformedUdp)) {
    return io::to_string(static_cast<io::FrameError>(reason));
  }
  switch (reason) {
    case DropReason::kNoPeer:
      return "no_peer";
    case DropReason::kNoSession:
      return "no_session";
    case DropReason::kNoEndpoint:
      return "no_endpoint";
    case DropReason::kNoNeighbour:
      return "no_neighbour";
    case DropReason::kInnerTooBig:
      return "inner_too_big";
    case DropReason::kNoBufferRoom:
      return "no_buffer_room";
    case DropReason::kTxFull:
      return "tx_full";
    case DropReason::kUnhandled:
      return "unhandled";
    case DropReason::kNotForUs:
      return "not_for_us";
    case DropReason::kBadMessage:
      return "bad_message";
    case DropReason::kUnknownIndex:
      return "unknown_index";
    case DropReason::kKeyExpired:
      return "key_expired";
    case DropReason::kDecryptFailed:
      return "decrypt_failed";
    case DropReason::kReplayed:
      return "replayed";
    case DropReason::kSourceNotAllowed:
      return "source_not_allowed";
    case DropReason::kStagedOverflow:
      return "staged_overflow";
    case DropReason::kHandshakeGaveUp:
      return "handshake_gave_up";
    case DropReason::kHandshakeBusy:
      return "handshake_busy";
    case DropReason::kBadMac1:
      return "bad_mac1";
    case DropReason::kRateLimited:
      return "rate_limited";
    case DropReason::kUnknownPeer:
      return "unknown_peer";
    case DropReason::kHandshakeRejected:
      return "handshake_rejected";
    case DropReason::kHandshakeReplayed:
      return "handshake_replayed";
    case DropReason::kHandshakeFlood:
      return "handshake_flood";
    case DropReason::kShutdown:
      return "shutdown";
    case DropReason::kForGateway:
      return "for_gateway";
    case DropReason::kRouterAdvertisement:
      return "router_advertisement";
    case DropReason::kBadNeighbourDiscovery:
      return "bad_neighbour_discovery";
    case DropReason::kReplayTooOld:
      return "replay_too_old";
    case DropReason::kCounterLimit:
      return "counter_limit";
    case DropReason::kUnexpectedResponse:
      return "unexpected_response";
    case DropReason::kUnexpectedCookieReply:
      return "unexpected_cookie_reply";
    case DropReason::kPeerRemoved:
      return "peer_removed";
    default:
      return "unknown";
  }
}

}  // namespace actorwire::actors

static_assert(static_cast<int>(actorwire::actors::DropReason::kTruncatedEthernet) ==
              static_cast<int>(actorwire::io::FrameError::kTruncatedEthernet));
static_assert(static_cast<int>(actorwire::actors::DropReason::kMalformedUdp) ==
              static_cast<int>(actorwire::io::FrameError::kMalformedUdp));
