// The gateway as responder: any datagram from a peer's endpoint goes to the control plane as a
// handshake message (initiation, response or cookie reply to nothing, garbage). Delivered twice,
// the second time a second later, so the replay and flood checks see it too. A message refused
// must change nothing: no keys, no datagram except a cookie reply, and exactly one drop counted.
#include "tests/fuzz/fuzz_world.hpp"

using namespace actorwire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < fuzz::kHandshakePrefix) return -1;
  fuzz::reset_random();
  fuzz::HandshakeWorld world;
  const bool under_load = fuzz::under_load_option(data);
  const std::span<const std::uint8_t> message(data + fuzz::kHandshakePrefix,
                                              size - fuzz::kHandshakePrefix);
  for (int delivery = 0; delivery < 2; ++delivery) {
    const std::uint64_t drops_before = world.counters->drops_total();
    const auto out =
        world.deliver(message, under_load, fuzz::kNow + std::chrono::seconds(delivery));
    const bool refused = world.counters->drops_total() != drops_before;
    if (refused) {
      if (world.counters->drops_total() != drops_before + 1) __builtin_trap();  // counted once
      if (!out.keypairs.empty() || !out.endpoints.empty()) __builtin_trap();
      for (const auto& datagram : out.datagrams) {
        if (datagram.message.size() != wg::kCookieReplySize) __builtin_trap();
      }
    }
    // A response goes only where the initiation came from.
    for (const auto& datagram : out.datagrams) {
      if (!fuzz::same_endpoint(datagram.destination, world.peer_endpoint)) __builtin_trap();
    }
  }
  return 0;
}
