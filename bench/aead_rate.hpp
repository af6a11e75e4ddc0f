// The raw single-core ChaCha20-Poly1305 seal/open rate of one AEAD back-end at one plaintext
// size: the crypto ceiling every gateway number is read against. Used by aead_bench and by
// `actorwire bench`, which measures it in the same run as the gateway.
#pragma once

#include <cstddef>

#include "crypto/aead.hpp"

namespace actorwire::bench {

struct AeadRate {
  double seals_per_second = 0;
  double opens_per_second = 0;
};

// A warm-up, then rounds over a small ring of buffers (in L1/L2): seal the ring (timed), open it
// (timed, every open must succeed), until `seconds` of each were measured. Every call gets a
// fresh counter nonce, as on the wire. Per packet (one seal/open call each: the ceiling), or
// `batched`: the whole ring in one seal_batch/open_batch call, as the data path does a burst.
// Throws std::runtime_error if an open fails.
AeadRate measure_aead(crypto::AeadKind kind, std::size_t size, double seconds,
                      bool batched = false);

}  // namespace actorwire::bench
