// Key handling: base64 parsing, X25519 public keys (RFC 7748), copying, comparison, wiping.
#include <gtest/gtest.h>

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "crypto/keys.hpp"

namespace actorwire::crypto {
namespace {

template <std::size_t N>
std::array<std::uint8_t, N> hex(std::string_view text) {
  std::array<std::uint8_t, N> out{};
  EXPECT_EQ(text.size(), 2 * N);
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i < N; ++i) {
    out[i] = static_cast<std::uint8_t>(nibble(text[2 * i]) << 4 | nibble(text[2 * i + 1]));
  }
  return out;
}

SecretKey secret_from_hex(std::string_view text) {
  const auto bytes = hex<wg::kKeySize>(text);
  std::uint8_t raw[wg::kKeySize];
  std::memcpy(raw, bytes.data(), wg::kKeySize);
  return SecretKey(raw);
}

PublicKey public_from_hex(std::string_view text) {
  return PublicKey{hex<wg::kKeySize>(text)};
}

// Encodes any bytes as padded standard base64 (the test's own encoder for secret keys, which the
// library deliberately cannot print).
std::string base64_of(const std::uint8_t* bytes, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// RFC 7748 section 6.1.
constexpr std::string_view kAlicePrivate =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr std::string_view kAlicePublic =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
constexpr std::string_view kBobPrivate =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
constexpr std::string_view kBobPublic =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
// The same keys in base64 (computed independently with Python's base64 module).
constexpr std::string_view kAlicePrivateBase64 = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
constexpr std::string_view kAlicePublicBase64 = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";

TEST(DerivePublicKeyTest, Rfc7748AliceAndBob) {
  EXPECT_EQ(derive_public_key(secret_from_hex(kAlicePrivate)), public_from_hex(kAlicePublic));
  EXPECT_EQ(derive_public_key(secret_from_hex(kBobPrivate)), public_from_hex(kBobPublic));
  EXPECT_NE(public_from_hex(kAlicePublic), public_from_hex(kBobPublic));
}

TEST(DerivePublicKeyTest, MatchesLibsodiumForRandomKeys) {
  for (int i = 0; i < 16; ++i) {
    const SecretKey secret = random_secret_key();
    PublicKey expected;
    ASSERT_EQ(crypto_scalarmult_base(expected.bytes.data(), secret.data()), 0);
    EXPECT_EQ(derive_public_key(secret), expected);
  }
}

TEST(Base64Test, KnownKeys) {
  EXPECT_EQ(to_base64(public_from_hex(kAlicePublic)), kAlicePublicBase64);
  EXPECT_EQ(parse_public_key_base64(kAlicePublicBase64), public_from_hex(kAlicePublic));
  const auto secret = parse_secret_key_base64(kAlicePrivateBase64);
  ASSERT_TRUE(secret);
  EXPECT_TRUE(secret->equals(secret_from_hex(kAlicePrivate)));
  // What `wg pubkey` would print for that private key.
  EXPECT_EQ(to_base64(derive_public_key(*secret)), kAlicePublicBase64);
}

TEST(Base64Test, RoundTrip) {
  for (int i = 0; i < 64; ++i) {
    const SecretKey secret = random_secret_key();
    const std::string secret_text = base64_of(secret.data(), SecretKey::size());
    ASSERT_EQ(secret_text.size(), 44u);
    const auto parsed_secret = parse_secret_key_base64(secret_text);
    ASSERT_TRUE(parsed_secret);
    EXPECT_TRUE(parsed_secret->equals(secret));

    const PublicKey pub = derive_public_key(secret);
    const std::string pub_text = to_base64(pub);
    ASSERT_EQ(pub_text.size(), 44u);
    EXPECT_EQ(pub_text.back(), '=');
    EXPECT_EQ(parse_public_key_base64(pub_text), pub);
  }
  // All-zero and all-0xff keys, for the extremes of the alphabet.
  EXPECT_EQ(to_base64(PublicKey{}), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  PublicKey ones;
  ones.bytes.fill(0xff);
  EXPECT_EQ(to_base64(ones), "//////////////////////////////////////////8=");
  EXPECT_EQ(parse_public_key_base64("//////////////////////////////////////////8="), ones);
}

TEST(Base64Test, BadInputRejected) {
  const std::string good(kAlicePublicBase64);
  ASSERT_TRUE(parse_public_key_base64(good));
  const std::uint8_t bytes31[31] = {};
  const std::uint8_t bytes33[33] = {};
  const std::string bad[] = {
      "",
      "=",
      "not base64 at all",
      good.substr(0, 43),                          // padding missing
      good.substr(0, 42) + "==",                   // 31 bytes' worth of characters, wrong padding
      good + "=",                                  // extra padding
      good + "A",                                  // trailing data
      good + "\n",                                 // trailing newline
      " " + good,                                  // leading space
      good.substr(0, 20) + " " + good.substr(20),  // embedded space
      good.substr(0, 43) + "A",                    // 44 characters, no padding: 33 bytes
      "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo=",  // URL-safe alphabet
      "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmp=",  // non-canonical: low bits of 'p' set
      std::string("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo\0", 44),  // NUL for '='
      base64_of(bytes31, sizeof(bytes31)),                               // valid base64, 31 bytes
      base64_of(bytes33, sizeof(bytes33)),                               // valid base64, 33 bytes
  };
  for (const std::string& text : bad) {
    // Only the index is reported on failure: key material is never echoed, even in tests.
    EXPECT_FALSE(parse_public_key_base64(text)) << "case " << (&text - bad);
    EXPECT_FALSE(parse_secret_key_base64(text)) << "case " << (&text - bad);
  }
}

TEST(SecretKeyTest, DefaultIsZero) {
  const SecretKey key;
  EXPECT_TRUE(
      std::all_of(key.data(), key.data() + SecretKey::size(), [](auto b) { return b == 0; }));
  EXPECT_EQ(SecretKey::size(), 32u);
}

TEST(SecretKeyTest, CopyAndEquals) {
  const SecretKey a = secret_from_hex(kAlicePrivate);
  const SecretKey b = secret_from_hex(kBobPrivate);
  EXPECT_TRUE(a.equals(a));
  EXPECT_FALSE(a.equals(b));

  SecretKey copy(a);
  EXPECT_TRUE(copy.equals(a));
  EXPECT_EQ(std::memcmp(copy.data(), a.data(), SecretKey::size()), 0);

  SecretKey assigned = b;
  EXPECT_TRUE(assigned.equals(b));
  assigned = a;
  EXPECT_TRUE(assigned.equals(a));
  EXPECT_FALSE(assigned.equals(b));
  const SecretKey& self = assigned;
  assigned = self;  // self-assignment keeps the key
  EXPECT_TRUE(assigned.equals(a));

  // A difference in any single byte (first, middle, last) is detected.
  for (std::size_t i : {std::size_t{0}, std::size_t{16}, std::size_t{31}}) {
    SecretKey changed = a;
    changed.data()[i] ^= 0x01;
    EXPECT_FALSE(changed.equals(a)) << i;
  }
}

TEST(SecretKeyTest, RandomKeysDiffer) {
  const SecretKey a = random_secret_key();
  const SecretKey b = random_secret_key();
  EXPECT_FALSE(a.equals(b));
  EXPECT_FALSE(a.equals(SecretKey{}));
}

// The key's bytes live in an arena slot (crypto/secret_arena.hpp); the object itself holds only
// the slot's address. Destroying the key wipes the slot (all but the free list's link there).
#if !defined(__SANITIZE_ADDRESS__)  // ASan poisons the freed slot: reading it is what it reports
TEST(SecretKeyTest, DestructorWipes) {
  const std::uint8_t* slot = nullptr;
  {
    const SecretKey key = random_secret_key();
    slot = key.data();
    ASSERT_FALSE(std::all_of(slot, slot + SecretKey::size(), [](auto b) { return b == 0; }));
  }
  EXPECT_TRUE(
      std::all_of(slot + sizeof(void*), slot + SecretKey::size(), [](auto b) { return b == 0; }));
}
#endif

}  // namespace
}  // namespace actorwire::crypto
