#include "crypto/transport.hpp"

#include <algorithm>
#include <cstring>
#include <span>

namespace actorwire::crypto {
namespace {

void store_le32(std::uint8_t* out, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

void store_le64(std::uint8_t* out, std::uint64_t value) {
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

std::uint32_t load_le32(const std::uint8_t* in) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value |= static_cast<std::uint32_t>(in[i]) << (8 * i);
  return value;
}

std::uint64_t load_le64(const std::uint8_t* in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
  return value;
}

constexpr std::size_t align_padding(std::size_t length) {
  return (length + wg::kPaddingMultiple - 1) & ~(wg::kPaddingMultiple - 1);
}

static_assert(wg::kTransportReceiverOffset + 4 == wg::kTransportCounterOffset);
static_assert(wg::kTransportCounterOffset + 8 == wg::kTransportHeaderSize);

}  // namespace

// Mirrors calculate_skb_padding() in the Linux driver (drivers/net/wireguard/send.c).
std::size_t padding_for(std::size_t length, std::size_t mtu) {
  std::size_t last_unit = length;
  if (mtu == 0) return align_padding(last_unit) - last_unit;  // the kernel's "no MTU" case
  if (last_unit > mtu) last_unit %= mtu;
  const std::size_t padded = std::min(mtu, align_padding(last_unit));
  return padded - last_unit;
}

std::size_t prepare_transport(const SecretKey& key, std::uint32_t receiver_index,
                              std::uint64_t counter, std::uint8_t* message,
                              std::size_t plaintext_length, AeadJob& job, std::size_t mtu) {
  message[wg::kTransportTypeOffset] = static_cast<std::uint8_t>(wg::MessageType::kTransport);
  message[1] = 0;
  message[2] = 0;
  message[3] = 0;
  store_le32(message + wg::kTransportReceiverOffset, receiver_index);
  store_le64(message + wg::kTransportCounterOffset, counter);

  std::uint8_t* payload = message + wg::kTransportHeaderSize;
  const std::size_t padding = padding_for(plaintext_length, mtu);
  std::memset(payload + plaintext_length, 0, padding);
  const std::size_t padded_length = plaintext_length + padding;
  job.key = &key;
  job.nonce = counter_nonce(counter);
  job.data = payload;
  job.length = padded_length;
  job.tag = payload + padded_length;
  job.ok = false;
  return wg::kTransportOverhead + padded_length;
}

std::size_t seal_transport(Aead& aead, const SecretKey& key, std::uint32_t receiver_index,
                           std::uint64_t counter, std::uint8_t* message,
                           std::size_t plaintext_length, std::size_t mtu) {
  AeadJob job;
  const std::size_t length =
      prepare_transport(key, receiver_index, counter, message, plaintext_length, job, mtu);
  aead.seal(key, job.nonce, std::span<const std::uint8_t>{}, job.data, job.length, job.tag);
  return length;
}

std::optional<TransportHeader> parse_transport_header(const std::uint8_t* message,
                                                      std::size_t length) {
  if (length < wg::kKeepaliveSize) return std::nullopt;
  // Type and reserved bytes together are the little-endian u32 4, as the kernel checks them.
  if (message[wg::kTransportTypeOffset] != static_cast<std::uint8_t>(wg::MessageType::kTransport) ||
      message[1] != 0 || message[2] != 0 || message[3] != 0) {
    return std::nullopt;
  }
  return TransportHeader{load_le32(message + wg::kTransportReceiverOffset),
                         load_le64(message + wg::kTransportCounterOffset)};
}

bool prepare_open(const SecretKey& key, const TransportHeader& header, std::uint8_t* message,
                  std::size_t length, AeadJob& job) {
  job.ok = false;
  if (length < wg::kTransportOverhead) return false;
  const std::size_t ciphertext_length = length - wg::kTransportOverhead;
  std::uint8_t* payload = message + wg::kTransportHeaderSize;
  job.key = &key;
  job.nonce = counter_nonce(header.counter);
  job.data = payload;
  job.length = ciphertext_length;
  job.tag = payload + ciphertext_length;
  return true;
}

std::optional<std::size_t> open_transport(Aead& aead, const SecretKey& key,
                                          const TransportHeader& header, std::uint8_t* message,
                                          std::size_t length) {
  AeadJob job;
  if (!prepare_open(key, header, message, length, job)) return std::nullopt;
  if (!aead.open(key, job.nonce, std::span<const std::uint8_t>{}, job.data, job.length, job.tag)) {
    return std::nullopt;
  }
  return job.length;
}

}  // namespace actorwire::crypto
