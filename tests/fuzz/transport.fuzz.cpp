// Transport messages (type 4) received on a keypair the gateway made as responder (options bit 0
// clear) or as initiator (set): header parsed, receiver index looked up, opened in place, and the
// counter checked by the keypair's replay window, as the data plane does. A message opens only if
// it was sealed with the peer's key: the seeds are (fuzz_seeds.cpp); the fuzzer's own
// mutations must all fail to open, and the replay window must then not move.
#include <vector>

#include "crypto/transport.hpp"
#include "tests/fuzz/fuzz_world.hpp"

using namespace actorwire;

namespace {
fuzz::Session sessions[2];
std::unique_ptr<crypto::Aead> aead;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::use_deterministic_random();
  sessions[0] = fuzz::establish_session(false);
  sessions[1] = fuzz::establish_session(true);
  aead = crypto::make_aead(crypto::AeadKind::kAuto);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < fuzz::kHandshakePrefix) return -1;
  actors::Keypair keypair = sessions[data[0] & 1].gateway;  // a fresh replay window each run
  std::vector<std::uint8_t> message(data + fuzz::kHandshakePrefix, data + size);
  const auto header = crypto::parse_transport_header(message.data(), message.size());
  if (!header) return 0;
  if (message.size() < wg::kTransportOverhead) __builtin_trap();
  if (header->receiver_index != keypair.local_index) return 0;  // unknown_index
  if (!keypair.usable_for_receiving(fuzz::kNow)) __builtin_trap();
  const auto opened =
      crypto::open_transport(*aead, keypair.receive_key, *header, message.data(), message.size());
  if (!opened) return 0;  // decrypt_failed
  if (*opened != message.size() - wg::kTransportOverhead) __builtin_trap();
  if (!keypair.replay.accept(header->counter)) return 0;         // replayed (or too old)
  if (keypair.replay.accept(header->counter)) __builtin_trap();  // the second time it is
  return 0;
}
