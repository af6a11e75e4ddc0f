// WireGuard transport data messages (type 4) sealed and opened in place, exactly as on the wire:
//   type=4 | 3 reserved zero bytes | receiver index (LE u32) | counter (LE u64) |
//   ChaCha20-Poly1305(padded plaintext) | 16-byte tag
// The plaintext is zero-padded to a multiple of 16 bytes, capped by the MTU; a keepalive is an
// empty plaintext.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "crypto/aead.hpp"

namespace actorwire::crypto {

struct TransportHeader {
  std::uint32_t receiver_index = 0;
  std::uint64_t counter = 0;
};

// Bytes of zero padding WireGuard adds after an inner packet of `length` bytes (kernel
// semantics: over-MTU packets are padded by their remainder modulo the MTU).
std::size_t padding_for(std::size_t length, std::size_t mtu = wg::kDefaultMtu);

// Size of the sealed message for an inner packet of `plaintext_length` bytes.
inline std::size_t sealed_size(std::size_t plaintext_length, std::size_t mtu = wg::kDefaultMtu) {
  return wg::kTransportOverhead + plaintext_length + padding_for(plaintext_length, mtu);
}

// Seals in place. `message` points at kTransportHeaderSize bytes of headroom followed by the
// plaintext (`plaintext_length` bytes) and enough tailroom for padding and tag:
// the buffer must hold sealed_size(plaintext_length, mtu) bytes. Writes the header, zero padding
// and tag. Returns the message length.
std::size_t seal_transport(Aead& aead, const SecretKey& key, std::uint32_t receiver_index,
                           std::uint64_t counter, std::uint8_t* message,
                           std::size_t plaintext_length, std::size_t mtu = wg::kDefaultMtu);

// seal_transport in two steps, for sealing a batch at once: writes the header and padding and
// describes the AEAD work in `job` (whose key pointer must outlive the batch call); the message
// is complete once Aead::seal_batch has run the job. Returns the message length.
std::size_t prepare_transport(const SecretKey& key, std::uint32_t receiver_index,
                              std::uint64_t counter, std::uint8_t* message,
                              std::size_t plaintext_length, AeadJob& job,
                              std::size_t mtu = wg::kDefaultMtu);

// open_transport in two steps: describes the AEAD work in `job`; false when the message is too
// short to hold a tag. After Aead::open_batch, job.ok says whether it authenticated and
// job.length is the padded plaintext length.
bool prepare_open(const SecretKey& key, const TransportHeader& header, std::uint8_t* message,
                  std::size_t length, AeadJob& job);

// Parses the header of a transport message; nullopt if `length` is below a keepalive's size, the
// type is not 4 or a reserved byte is non-zero.
std::optional<TransportHeader> parse_transport_header(const std::uint8_t* message,
                                                      std::size_t length);

// Opens in place (header already parsed by the caller to find the key). On success returns the
// padded plaintext length; the plaintext starts at message + kTransportHeaderSize.
// nullopt on authentication failure.
std::optional<std::size_t> open_transport(Aead& aead, const SecretKey& key,
                                          const TransportHeader& header, std::uint8_t* message,
                                          std::size_t length);

}  // namespace actorwire::crypto
