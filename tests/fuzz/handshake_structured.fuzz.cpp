// Structure-aware handshake target. Inputs are an options byte and one handshake message to the
// gateway; the custom mutator changes one field of it (indices, ephemeral key, encrypted static,
// timestamp or empty payload, mac2), or now and then the whole message, and then writes a valid
// mac1 again, as only someone who knows the gateway's public key can. So inputs get past mac1
// into the Noise code, which plain byte mutation almost never does. An initiation (type 1) meets
// the gateway as responder; anything else meets it as an initiator with an initiation out.
#include <random>

#include "tests/fuzz/fuzz_world.hpp"

using namespace actorwire;

namespace {

struct Field {
  std::size_t offset;
  std::size_t length;
};
constexpr Field kInitiationFields[] = {{wg::kInitiationSenderOffset, 4},
                                       {wg::kInitiationEphemeralOffset, 32},
                                       {wg::kInitiationStaticOffset, 48},
                                       {wg::kInitiationTimestampOffset, 28},
                                       {wg::kInitiationMac2Offset, wg::kMacSize}};
constexpr Field kResponseFields[] = {{wg::kResponseSenderOffset, 4},
                                     {wg::kResponseReceiverOffset, 4},
                                     {wg::kResponseEphemeralOffset, 32},
                                     {wg::kResponseEmptyOffset, 16},
                                     {wg::kResponseMac2Offset, wg::kMacSize}};

crypto::PublicKey gateway_public;

}  // namespace

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::use_deterministic_random();
  fuzz::reset_random();
  gateway_public = fuzz::HandshakeWorld().gateway_public;
  return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  std::minstd_rand random(seed);
  const std::size_t prefix = fuzz::kHandshakePrefix;
  if (size <= prefix + 4 || random() % 16 == 0) {
    // Now and then a plain mutation (new lengths and types), mac1 fixed below where it fits.
    size = LLVMFuzzerMutate(data, size, max_size);
  } else if (random() % 8 == 0) {
    data[0] ^= 1;  // the under-load option
  } else {
    std::uint8_t* message = data + prefix;
    const bool initiation = message[0] == 1;
    const std::size_t wanted = initiation ? wg::kInitiationSize : wg::kResponseSize;
    if (size - prefix == wanted) {
      const Field* fields = initiation ? kInitiationFields : kResponseFields;
      const std::size_t count =
          initiation ? std::size(kInitiationFields) : std::size(kResponseFields);
      const Field field = fields[random() % count];
      // The field mutated on its own: same length, so the message keeps its layout.
      std::uint8_t scratch[64];
      std::memcpy(scratch, message + field.offset, field.length);
      const std::size_t n = LLVMFuzzerMutate(scratch, field.length, field.length);
      std::memcpy(message + field.offset, scratch, std::min(n, field.length));
    } else {
      size = LLVMFuzzerMutate(data, size, max_size);
    }
  }
  if (size > prefix) {
    std::span<std::uint8_t> message(data + prefix, size - prefix);
    if (message.size() == wg::kInitiationSize || message.size() == wg::kResponseSize) {
      fuzz::recompute_mac1(gateway_public, message);
    }
  }
  return size;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < fuzz::kHandshakePrefix + 1) return -1;
  fuzz::reset_random();
  fuzz::HandshakeWorld world;
  const std::span<const std::uint8_t> message(data + fuzz::kHandshakePrefix,
                                              size - fuzz::kHandshakePrefix);
  if (message[0] != 1) world.gateway_initiates();
  const std::uint64_t drops_before = world.counters->drops_total();
  const auto out = world.deliver(message, fuzz::under_load_option(data));
  if (world.counters->drops_total() > drops_before + 1) __builtin_trap();
  if (!out.keypairs.empty()) {
    // Keys only for a complete handshake, which names its peer and indices.
    if (out.keypairs.size() != 1 || out.keypairs[0].peer != 0) __builtin_trap();
    if (world.counters->drops_total() != drops_before) __builtin_trap();
  }
  return 0;
}
