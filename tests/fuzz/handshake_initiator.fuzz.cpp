// The gateway as initiator: it has sent its peer an initiation (the same one in every run, see
// fuzz_world.hpp), and the input arrives from the peer's endpoint: a response, a cookie reply,
// or anything else. Whatever is refused installs no keys and leaves the handshake waiting, so
// the peer's real response (made here after the input) must still complete it.
#include "tests/fuzz/fuzz_world.hpp"

using namespace actorwire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < fuzz::kHandshakePrefix) return -1;
  fuzz::reset_random();
  fuzz::HandshakeWorld world;
  const auto initiation = world.gateway_initiates();
  const bool under_load = fuzz::under_load_option(data);
  const std::span<const std::uint8_t> message(data + fuzz::kHandshakePrefix,
                                              size - fuzz::kHandshakePrefix);
  const auto out = world.deliver(message, under_load);
  if (!out.keypairs.empty()) return 0;  // it was a valid response (a seed): nothing more to check
  for (const auto& datagram : out.datagrams) {
    // Only a cookie reply may go out: a response would need an initiation with the peer's key.
    if (datagram.message.size() != wg::kCookieReplySize) __builtin_trap();
  }
  if (!out.endpoints.empty()) __builtin_trap();

  // The peer answers for real: the handshake the input did not complete still completes.
  auto decrypted = crypto::open_initiation(world.peer, initiation.data());
  if (!decrypted) __builtin_trap();
  if (crypto::accept_initiation(*world.peer_state, std::move(*decrypted), initiation.data(),
                                fuzz::kNow) != crypto::InitiationVerdict::kAccepted) {
    __builtin_trap();
  }
  crypto::ResponseMessage response;
  if (!crypto::create_response(*world.peer_state, 555, response)) __builtin_trap();
  world.peer_macs->add_macs(response, fuzz::kNow);
  // Once the under-load state the input may have set has passed (1 s), no cookie is needed.
  if (world.deliver(response, false, fuzz::kNow + std::chrono::seconds(2)).keypairs.size() != 1) {
    __builtin_trap();
  }
  return 0;
}
