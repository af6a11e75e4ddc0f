#include "crypto/blake2s.hpp"

#include <blake2.h>
#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace actorwire::crypto {
namespace {

constexpr std::size_t kBlockSize = BLAKE2S_BLOCKBYTES;  // 64

void update_all(blake2s_state& state, std::initializer_list<Bytes> parts) {
  for (const Bytes part : parts) blake2s_update(&state, part.data(), part.size());
}

// Wipes a libb2 state on scope exit: keyed states hold the key in their buffer.
struct StateGuard {
  blake2s_state state;
  ~StateGuard() { sodium_memzero(&state, sizeof(state)); }
};

}  // namespace

Hash blake2s_hash(std::initializer_list<Bytes> parts) {
  StateGuard guard;
  Hash out;
  if (blake2s_init(&guard.state, out.size()) != 0) throw std::logic_error("blake2s_init");
  update_all(guard.state, parts);
  blake2s_final(&guard.state, out.data(), out.size());
  return out;
}

Mac blake2s_mac(Bytes key, std::initializer_list<Bytes> parts) {
  StateGuard guard;
  Mac out;
  if (key.empty() || key.size() > BLAKE2S_KEYBYTES ||
      blake2s_init_key(&guard.state, out.size(), key.data(), key.size()) != 0) {
    throw std::logic_error("blake2s_init_key: bad key length");
  }
  update_all(guard.state, parts);
  blake2s_final(&guard.state, out.data(), out.size());
  return out;
}

Hash hmac_blake2s(Bytes key, std::initializer_list<Bytes> parts) {
  if (key.size() > kBlockSize) throw std::logic_error("hmac_blake2s: key longer than a block");
  std::uint8_t pad[kBlockSize] = {};
  if (!key.empty()) std::memcpy(pad, key.data(), key.size());
  for (std::uint8_t& byte : pad) byte ^= 0x36;
  StateGuard inner;
  Hash inner_hash;
  blake2s_init(&inner.state, inner_hash.size());
  blake2s_update(&inner.state, pad, sizeof(pad));
  update_all(inner.state, parts);
  blake2s_final(&inner.state, inner_hash.data(), inner_hash.size());

  for (std::uint8_t& byte : pad) byte ^= 0x36 ^ 0x5c;  // inner pad -> outer pad
  StateGuard outer;
  Hash out;
  blake2s_init(&outer.state, out.size());
  blake2s_update(&outer.state, pad, sizeof(pad));
  blake2s_update(&outer.state, inner_hash.data(), inner_hash.size());
  blake2s_final(&outer.state, out.data(), out.size());
  sodium_memzero(pad, sizeof(pad));
  sodium_memzero(inner_hash.data(), inner_hash.size());
  return out;
}

void kdf(Bytes chaining_key, Bytes input, std::span<SecretKey> out) {
  if (out.empty() || out.size() > 3) throw std::logic_error("kdf: 1..3 outputs");
  Hash secret = hmac_blake2s(chaining_key, {input});
  Hash previous{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint8_t counter = static_cast<std::uint8_t>(i + 1);
    previous = i == 0 ? hmac_blake2s(secret, {Bytes(&counter, 1)})
                      : hmac_blake2s(secret, {previous, Bytes(&counter, 1)});
    std::memcpy(out[i].data(), previous.data(), SecretKey::size());
  }
  sodium_memzero(secret.data(), secret.size());
  sodium_memzero(previous.data(), previous.size());
}

}  // namespace actorwire::crypto
