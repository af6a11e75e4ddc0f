// Every WireGuard wire constant and message layout in one place (like the kernel's messages.h).
// All integers on the wire are little-endian.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace actorwire::wg {

// --- Key and primitive sizes -------------------------------------------------------------------
inline constexpr std::size_t kKeySize = 32;          // X25519 / ChaCha20 keys
inline constexpr std::size_t kAeadTagSize = 16;      // Poly1305 tag
inline constexpr std::size_t kAeadNonceSize = 12;    // ChaCha20-Poly1305 IETF nonce
inline constexpr std::size_t kHashSize = 32;         // BLAKE2s-256
inline constexpr std::size_t kMacSize = 16;          // BLAKE2s-128 (mac1, mac2, cookie)
inline constexpr std::size_t kCookieNonceSize = 24;  // XChaCha20-Poly1305
inline constexpr std::size_t kTimestampSize = 12;    // TAI64N

// --- Message types -------------------------------------------------------------------------------
enum class MessageType : std::uint8_t {
  kInitiation = 1,
  kResponse = 2,
  kCookieReply = 3,
  kTransport = 4,
};

// --- Message sizes -------------------------------------------------------------------------------
inline constexpr std::size_t kInitiationSize = 148;
inline constexpr std::size_t kResponseSize = 92;
inline constexpr std::size_t kCookieReplySize = 64;

// Handshake message layouts (byte offsets). Encrypted fields carry their 16-byte tag.
// Initiation: type | sender | ephemeral | static (32+16) | timestamp (12+16) | mac1 | mac2
inline constexpr std::size_t kInitiationSenderOffset = 4;
inline constexpr std::size_t kInitiationEphemeralOffset = 8;
inline constexpr std::size_t kInitiationStaticOffset = 40;
inline constexpr std::size_t kInitiationTimestampOffset = 88;
inline constexpr std::size_t kInitiationMac1Offset = 116;
inline constexpr std::size_t kInitiationMac2Offset = 132;
// Response: type | sender | receiver | ephemeral | empty (0+16) | mac1 | mac2
inline constexpr std::size_t kResponseSenderOffset = 4;
inline constexpr std::size_t kResponseReceiverOffset = 8;
inline constexpr std::size_t kResponseEphemeralOffset = 12;
inline constexpr std::size_t kResponseEmptyOffset = 44;
inline constexpr std::size_t kResponseMac1Offset = 60;
inline constexpr std::size_t kResponseMac2Offset = 76;
// Cookie reply: type | receiver | nonce (24) | cookie (16+16)
inline constexpr std::size_t kCookieReplyReceiverOffset = 4;
inline constexpr std::size_t kCookieReplyNonceOffset = 8;
inline constexpr std::size_t kCookieReplyCookieOffset = 32;

// Transport data message: type(1) reserved(3) receiver(4) counter(8) ciphertext(n) tag(16).
inline constexpr std::size_t kTransportHeaderSize = 16;
inline constexpr std::size_t kTransportTypeOffset = 0;
inline constexpr std::size_t kTransportReceiverOffset = 4;
inline constexpr std::size_t kTransportCounterOffset = 8;
inline constexpr std::size_t kTransportOverhead = kTransportHeaderSize + kAeadTagSize;
inline constexpr std::size_t kKeepaliveSize = kTransportOverhead;  // empty plaintext
// Plaintext is zero-padded to a multiple of this (but never beyond the MTU).
inline constexpr std::size_t kPaddingMultiple = 16;

// Default inner MTU of a WireGuard interface (1500 - 20 IPv4 - 8 UDP - 32 transport overhead,
// rounded down as wg-quick does for IPv6 outer headers).
inline constexpr std::size_t kDefaultMtu = 1420;
inline constexpr std::uint16_t kDefaultListenPort = 51820;

// --- Limits and timers (whitepaper section 6)
// -----------------------------------------------------
inline constexpr std::uint64_t kRekeyAfterMessages = 1ULL << 60;
inline constexpr std::uint64_t kRejectAfterMessages = ~0ULL - (1ULL << 13);  // 2^64 - 2^13 - 1
inline constexpr std::chrono::seconds kRekeyAfterTime{120};
inline constexpr std::chrono::seconds kRejectAfterTime{180};
inline constexpr std::chrono::seconds kRekeyAttemptTime{90};
inline constexpr std::chrono::seconds kRekeyTimeout{5};
inline constexpr std::chrono::seconds kKeepaliveTimeout{10};
inline constexpr std::chrono::seconds kCookieSecretLifetime{120};
inline constexpr unsigned kMaxTimerHandshakes = 18;
inline constexpr std::size_t kReplayWindowSize = 8128;
// A peer may start at most this many initiations per second that we accept (flood guard).
inline constexpr unsigned kInitiationsPerSecond = 50;
// A cookie is used for mac2 this long after it arrived (secret lifetime minus latency).
inline constexpr std::chrono::seconds kCookieLifetime{120 - 5};
// Keep stale keys no longer than this after the last handshake.
inline constexpr std::chrono::seconds kKeyZeroingTime{3 * 180};
// Packets held for a peer while its handshake runs (the kernel's MAX_STAGED_PACKETS).
inline constexpr std::size_t kMaxStagedPackets = 128;

// --- Noise construction
// -------------------------------------------------------------------------------
inline constexpr char kConstruction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
inline constexpr char kIdentifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
inline constexpr char kLabelMac1[] = "mac1----";
inline constexpr char kLabelCookie[] = "cookie--";

}  // namespace actorwire::wg
