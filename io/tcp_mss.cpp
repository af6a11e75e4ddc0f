#include "io/tcp_mss.hpp"

#include <cstring>

#include "io/byte_order.hpp"
#include "io/headers.hpp"

namespace actorwire::io {
namespace {

constexpr std::size_t kTcpHeaderSize = 20;
constexpr std::uint8_t kTcpFlagSyn = 0x02;
constexpr std::uint8_t kTcpOptionEnd = 0;
constexpr std::uint8_t kTcpOptionNop = 1;
constexpr std::uint8_t kTcpOptionMss = 2;
constexpr std::uint8_t kTcpOptionMssLength = 4;

std::uint16_t load_word(const std::uint8_t* p) {
  std::uint16_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

// RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), over words in memory order (a one's complement sum
// does not care about byte order, as long as every word is read the same way).
std::uint16_t checksum_replace(std::uint16_t checksum, std::uint16_t old_word,
                               std::uint16_t new_word) {
  std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
  sum += static_cast<std::uint16_t>(~old_word);
  sum += new_word;
  sum = (sum & 0xFFFF) + (sum >> 16);
  sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// Writes `mss` at `field` (inside the TCP header at `tcp`) and updates the TCP checksum. The
// field may sit at an odd offset (options are byte-aligned): then it spans two checksum words.
void replace_mss(std::uint8_t* tcp, std::uint8_t* field, std::uint16_t mss) {
  const std::size_t offset = static_cast<std::size_t>(field - tcp);
  std::uint8_t* first_word = tcp + (offset & ~std::size_t{1});
  const std::size_t words = (offset & 1) != 0 ? 2 : 1;
  std::uint16_t before[2] = {};
  for (std::size_t i = 0; i < words; ++i) before[i] = load_word(first_word + 2 * i);
  store_be16(field, mss);
  std::uint16_t checksum = load_word(tcp + 16);
  for (std::size_t i = 0; i < words; ++i) {
    checksum = checksum_replace(checksum, before[i], load_word(first_word + 2 * i));
  }
  store_checksum(tcp + 16, checksum);
}

}  // namespace

bool clamp_tcp_mss(std::uint8_t* ip, std::size_t length, bool is_v6, std::uint16_t max_mss) {
  std::size_t header_length = 0;
  if (is_v6) {
    if (ip[6] != kIpProtoTcp) return false;
    header_length = kIpv6HeaderSize;
  } else {
    if (ip[9] != kIpProtoTcp || (load_be16(ip + 6) & 0x1FFF) != 0) return false;
    header_length = std::size_t{ip[0] & 0x0Fu} * 4;
  }
  if (length < header_length + kTcpHeaderSize) return false;
  std::uint8_t* tcp = ip + header_length;
  if ((tcp[13] & kTcpFlagSyn) == 0) return false;
  const std::size_t tcp_header_length = static_cast<std::size_t>(tcp[12] >> 4) * 4;
  if (tcp_header_length < kTcpHeaderSize || header_length + tcp_header_length > length) {
    return false;
  }
  for (std::size_t at = kTcpHeaderSize; at < tcp_header_length;) {
    const std::uint8_t kind = tcp[at];
    if (kind == kTcpOptionEnd) return false;
    if (kind == kTcpOptionNop) {
      ++at;
      continue;
    }
    if (at + 1 >= tcp_header_length) return false;
    const std::size_t option_length = tcp[at + 1];
    if (option_length < 2 || at + option_length > tcp_header_length) return false;
    if (kind == kTcpOptionMss && option_length == kTcpOptionMssLength) {
      if (load_be16(tcp + at + 2) <= max_mss) return false;
      replace_mss(tcp, tcp + at + 2, max_mss);
      return true;
    }
    at += option_length;
  }
  return false;
}

}  // namespace actorwire::io
