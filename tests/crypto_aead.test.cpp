// ChaCha20-Poly1305 back-ends (all three): RFC 8439 vectors, agreement of every pair, tamper
// rejection.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/aead.hpp"
#include "tests/test_hex.hpp"

namespace actorwire::crypto {
namespace {

using test_support::hex;

SecretKey key_from(const std::vector<std::uint8_t>& bytes) {
  EXPECT_EQ(bytes.size(), wg::kKeySize);
  std::uint8_t raw[wg::kKeySize];
  std::memcpy(raw, bytes.data(), wg::kKeySize);
  return SecretKey(raw);
}

AeadNonce nonce_from(const std::vector<std::uint8_t>& bytes) {
  EXPECT_EQ(bytes.size(), wg::kAeadNonceSize);
  AeadNonce nonce{};
  std::copy_n(bytes.begin(), nonce.size(), nonce.begin());
  return nonce;
}

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

// Every back-end but `kind`.
std::vector<std::unique_ptr<Aead>> others(AeadKind kind) {
  std::vector<std::unique_ptr<Aead>> out;
  for (AeadKind other : kAeadBackEnds) {
    if (other != kind) out.push_back(make_aead(other));
  }
  return out;
}

// RFC 8439 section 2.8.2.
struct Rfc8439Section282 {
  SecretKey key = key_from(hex(
      "80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d "
      "9e 9f"));
  // 32-bit constant 07 00 00 00 followed by the 64-bit IV 40..47.
  AeadNonce nonce = nonce_from(hex("07 00 00 00 40 41 42 43 44 45 46 47"));
  std::vector<std::uint8_t> aad = hex("50 51 52 53 c0 c1 c2 c3 c4 c5 c6 c7");
  std::vector<std::uint8_t> plaintext = bytes_of(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
      "future, sunscreen would be it.");
  std::vector<std::uint8_t> ciphertext =
      hex("d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2"
          "a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6"
          "3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b"
          "1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36"
          "92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58"
          "fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc"
          "3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b"
          "61 16");
  std::vector<std::uint8_t> tag = hex("1a:e1:0b:59:4f:09:e2:6a:7e:90:2e:cb:d0:60:06:91");
};

// RFC 8439 appendix A.5 (decryption).
struct Rfc8439AppendixA5 {
  SecretKey key = key_from(hex(
      "1c 92 40 a5 eb 55 d3 8a f3 33 88 86 04 f6 b5 f0 47 39 17 c1 40 2b 80 09 9d ca 5c bc 20 70 "
      "75 c0"));
  AeadNonce nonce = nonce_from(hex("00 00 00 00 01 02 03 04 05 06 07 08"));
  std::vector<std::uint8_t> aad = hex("f3 33 88 86 00 00 00 00 00 00 4e 91");
  std::vector<std::uint8_t> ciphertext =
      hex("64 a0 86 15 75 86 1a f4 60 f0 62 c7 9b e6 43 bd"
          "5e 80 5c fd 34 5c f3 89 f1 08 67 0a c7 6c 8c b2"
          "4c 6c fc 18 75 5d 43 ee a0 9e e9 4e 38 2d 26 b0"
          "bd b7 b7 3c 32 1b 01 00 d4 f0 3b 7f 35 58 94 cf"
          "33 2f 83 0e 71 0b 97 ce 98 c8 a8 4a bd 0b 94 81"
          "14 ad 17 6e 00 8d 33 bd 60 f9 82 b1 ff 37 c8 55"
          "97 97 a0 6e f4 f0 ef 61 c1 86 32 4e 2b 35 06 38"
          "36 06 90 7b 6a 7c 02 b0 f9 f6 15 7b 53 c8 67 e4"
          "b9 16 6c 76 7b 80 4d 46 a5 9b 52 16 cd e7 a4 e9"
          "90 40 c5 a4 04 33 22 5e e2 82 a1 b0 a0 6c 52 3e"
          "af 45 34 d7 f8 3f a1 15 5b 00 47 71 8c bc 54 6a"
          "0d 07 2b 04 b3 56 4e ea 1b 42 22 73 f5 48 27 1a"
          "0b b2 31 60 53 fa 76 99 19 55 eb d6 31 59 43 4e"
          "ce bb 4e 46 6d ae 5a 10 73 a6 72 76 27 09 7a 10"
          "49 e6 17 d9 1d 36 10 94 fa 68 f0 ff 77 98 71 30"
          "30 5b ea ba 2e da 04 df 99 7b 71 4d 6c 6f 2c 29"
          "a6 ad 5c b4 02 2b 02 70 9b");
  std::vector<std::uint8_t> tag = hex("ee ad 9d 67 89 0c bb 22 39 23 36 fe a1 85 1f 38");
  // The RFC's text, with its curly quotes as UTF-8 (e2 80 9c / e2 80 9d).
  std::vector<std::uint8_t> plaintext = bytes_of(
      "Internet-Drafts are draft documents valid for a maximum of six months and may be "
      "updated, replaced, or obsoleted by other documents at any time. It is inappropriate to "
      "use Internet-Drafts as reference material or to cite them other than as "
      "/\xe2\x80\x9cwork in progress./\xe2\x80\x9d");
};

TEST(AeadKindTest, NamesRoundTrip) {
  for (AeadKind kind :
       {AeadKind::kAuto, AeadKind::kOpenSsl, AeadKind::kLibsodium, AeadKind::kIpsecMb}) {
    EXPECT_EQ(parse_aead_kind(to_string(kind)), kind);
  }
  EXPECT_EQ(to_string(AeadKind::kAuto), "auto");
  EXPECT_EQ(to_string(AeadKind::kOpenSsl), "openssl");
  EXPECT_EQ(to_string(AeadKind::kLibsodium), "libsodium");
  EXPECT_EQ(to_string(AeadKind::kIpsecMb), "ipsec-mb");
  EXPECT_FALSE(parse_aead_kind("ipsec_mb"));
  EXPECT_EQ(parse_aead_kind("sodium"), AeadKind::kLibsodium);
  EXPECT_FALSE(parse_aead_kind(""));
  EXPECT_FALSE(parse_aead_kind("OpenSSL"));
  EXPECT_FALSE(parse_aead_kind("boringssl"));
}

// "auto" becomes a real back-end, with a reason; a configured one stays as it is.
TEST(AeadKindTest, AutoResolvesToABackEnd) {
  const AeadChoice choice = resolve_aead(AeadKind::kAuto);
  EXPECT_TRUE(choice.kind == AeadKind::kIpsecMb || choice.kind == AeadKind::kOpenSsl);
  EXPECT_NE(choice.why.find("auto: intel-ipsec-mb"), std::string::npos) << choice.why;
  auto aead = make_aead(AeadKind::kAuto);
  ASSERT_NE(aead, nullptr);
  EXPECT_EQ(aead->kind(), choice.kind);
  for (AeadKind kind : kAeadBackEnds) {
    EXPECT_EQ(resolve_aead(kind).kind, kind);
    EXPECT_EQ(make_aead(kind)->kind(), kind);
  }
}

TEST(CounterNonceTest, FourZeroBytesThenLittleEndianCounter) {
  const AeadNonce nonce = counter_nonce(0x0102030405060708ULL);
  const AeadNonce expected = {0, 0, 0, 0, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
  EXPECT_EQ(nonce, expected);
  EXPECT_EQ(counter_nonce(0), AeadNonce{});
  const AeadNonce max = counter_nonce(~0ULL);
  EXPECT_EQ(max, (AeadNonce{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
}

class AeadTest : public ::testing::TestWithParam<AeadKind> {
 protected:
  std::unique_ptr<Aead> aead_ = make_aead(GetParam());
  std::vector<std::unique_ptr<Aead>> others_ = others(GetParam());
};

TEST_P(AeadTest, ReportsItsKind) {
  ASSERT_NE(aead_, nullptr);
  EXPECT_EQ(aead_->kind(), GetParam());
}

TEST_P(AeadTest, Rfc8439Section282Seal) {
  const Rfc8439Section282 v;
  std::vector<std::uint8_t> data = v.plaintext;
  ASSERT_EQ(data.size(), 114u);
  std::array<std::uint8_t, wg::kAeadTagSize> tag{};
  aead_->seal(v.key, v.nonce, v.aad, data.data(), data.size(), tag.data());
  EXPECT_EQ(data, v.ciphertext);
  EXPECT_EQ(std::vector<std::uint8_t>(tag.begin(), tag.end()), v.tag);
}

TEST_P(AeadTest, Rfc8439Section282Open) {
  const Rfc8439Section282 v;
  std::vector<std::uint8_t> data = v.ciphertext;
  ASSERT_TRUE(aead_->open(v.key, v.nonce, v.aad, data.data(), data.size(), v.tag.data()));
  EXPECT_EQ(data, v.plaintext);
}

TEST_P(AeadTest, Rfc8439AppendixA5Decryption) {
  const Rfc8439AppendixA5 v;
  ASSERT_EQ(v.ciphertext.size(), 265u);
  ASSERT_EQ(v.plaintext.size(), 265u);
  std::vector<std::uint8_t> data = v.ciphertext;
  ASSERT_TRUE(aead_->open(v.key, v.nonce, v.aad, data.data(), data.size(), v.tag.data()));
  EXPECT_EQ(data, v.plaintext);

  // And the other direction reproduces the RFC's ciphertext and tag.
  std::array<std::uint8_t, wg::kAeadTagSize> tag{};
  aead_->seal(v.key, v.nonce, v.aad, data.data(), data.size(), tag.data());
  EXPECT_EQ(data, v.ciphertext);
  EXPECT_EQ(std::vector<std::uint8_t>(tag.begin(), tag.end()), v.tag);
}

// Each back-end opens what every other seals, and all produce identical bytes, for every size a
// transport message can carry; keys, nonces and AAD change from call to call so the OpenSSL
// contexts are re-keyed each time.
TEST_P(AeadTest, OtherBackEndOpensWhatThisSeals) {
  std::mt19937_64 rng(1234);
  auto fill = [&](std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(rng());
  };
  for (std::size_t size = 0; size <= 1500; ++size) {
    SCOPED_TRACE(size);
    std::uint8_t raw_key[wg::kKeySize];
    fill(raw_key, sizeof(raw_key));
    const SecretKey key(raw_key);
    const AeadNonce nonce = counter_nonce(rng());
    std::vector<std::uint8_t> aad(size % 3 == 0 ? 0 : size % 29);
    fill(aad.data(), aad.size());
    std::vector<std::uint8_t> plaintext(size);
    fill(plaintext.data(), plaintext.size());

    for (const auto& other : others_) {
      SCOPED_TRACE(to_string(other->kind()));
      std::vector<std::uint8_t> mine = plaintext;
      std::vector<std::uint8_t> theirs = plaintext;
      std::array<std::uint8_t, wg::kAeadTagSize> my_tag{};
      std::array<std::uint8_t, wg::kAeadTagSize> their_tag{};
      aead_->seal(key, nonce, aad, mine.data(), mine.size(), my_tag.data());
      other->seal(key, nonce, aad, theirs.data(), theirs.size(), their_tag.data());
      ASSERT_EQ(mine, theirs);
      ASSERT_EQ(my_tag, their_tag);

      ASSERT_TRUE(other->open(key, nonce, aad, mine.data(), mine.size(), my_tag.data()));
      ASSERT_EQ(mine, plaintext);
      ASSERT_TRUE(aead_->open(key, nonce, aad, theirs.data(), theirs.size(), their_tag.data()));
      ASSERT_EQ(theirs, plaintext);
    }
  }
}

// The same key for many packets (the data path's case, where OpenSSL sets only the nonce),
// then another key, then the first again, with seals and opens interleaved: every result equals
// libsodium's.
TEST_P(AeadTest, KeyReuseAndKeyChangesAgreeWithTheReference) {
  auto reference = make_aead(AeadKind::kLibsodium);
  const SecretKey first = random_secret_key();
  const SecretKey second = random_secret_key();
  const SecretKey* keys[] = {&first, &first, &first, &second, &second, &first, &second, &first};
  std::uint64_t counter = 0;
  for (const SecretKey* key : keys) {
    const AeadNonce nonce = counter_nonce(counter++);
    std::vector<std::uint8_t> mine(100 + counter, static_cast<std::uint8_t>(counter));
    std::vector<std::uint8_t> expected = mine;
    const std::vector<std::uint8_t> plaintext = mine;
    std::array<std::uint8_t, wg::kAeadTagSize> my_tag{};
    std::array<std::uint8_t, wg::kAeadTagSize> expected_tag{};
    aead_->seal(*key, nonce, {}, mine.data(), mine.size(), my_tag.data());
    reference->seal(*key, nonce, {}, expected.data(), expected.size(), expected_tag.data());
    ASSERT_EQ(mine, expected) << counter;
    ASSERT_EQ(my_tag, expected_tag) << counter;
    ASSERT_TRUE(aead_->open(*key, nonce, {}, mine.data(), mine.size(), my_tag.data()));
    ASSERT_EQ(mine, plaintext);
    // The other key must not open it, and must not disturb the next packet.
    const SecretKey& wrong = key == &first ? second : first;
    ASSERT_FALSE(aead_->open(wrong, nonce, {}, expected.data(), expected.size(), my_tag.data()));
  }
}

TEST_P(AeadTest, EmptyMessageWithNullData) {
  const SecretKey key = random_secret_key();
  const AeadNonce nonce = counter_nonce(7);
  std::array<std::uint8_t, wg::kAeadTagSize> tag{};
  aead_->seal(key, nonce, {}, nullptr, 0, tag.data());
  EXPECT_NE(tag, (std::array<std::uint8_t, wg::kAeadTagSize>{}));
  EXPECT_TRUE(aead_->open(key, nonce, {}, nullptr, 0, tag.data()));
  for (const auto& other : others_)
    EXPECT_TRUE(other->open(key, nonce, {}, nullptr, 0, tag.data()));
  tag[0] ^= 1;
  EXPECT_FALSE(aead_->open(key, nonce, {}, nullptr, 0, tag.data()));
}

class AeadTamperTest : public AeadTest {
 protected:
  void SetUp() override {
    ciphertext_ = plaintext_;
    aead_->seal(key_, nonce_, aad_, ciphertext_.data(), ciphertext_.size(), tag_.data());
  }
  // Opens a fresh copy of the sealed message with the given inputs.
  bool open_with(const SecretKey& key, const AeadNonce& nonce, const std::vector<std::uint8_t>& aad,
                 std::vector<std::uint8_t> data,
                 const std::array<std::uint8_t, wg::kAeadTagSize>& tag) {
    return aead_->open(key, nonce, aad, data.data(), data.size(), tag.data());
  }

  SecretKey key_ = random_secret_key();
  AeadNonce nonce_ = counter_nonce(42);
  std::vector<std::uint8_t> aad_ = hex("00 01 02 03 04 05 06 07 08 09");
  std::vector<std::uint8_t> plaintext_ = std::vector<std::uint8_t>(100, 0x5a);
  std::vector<std::uint8_t> ciphertext_;
  std::array<std::uint8_t, wg::kAeadTagSize> tag_{};
};

TEST_P(AeadTamperTest, UntouchedOpens) {
  std::vector<std::uint8_t> data = ciphertext_;
  ASSERT_TRUE(aead_->open(key_, nonce_, aad_, data.data(), data.size(), tag_.data()));
  EXPECT_EQ(data, plaintext_);
}

TEST_P(AeadTamperTest, WrongKeyRejected) {
  for (std::size_t byte = 0; byte < wg::kKeySize; ++byte) {
    SecretKey key = key_;
    key.data()[byte] ^= static_cast<std::uint8_t>(1u << (byte % 8));
    EXPECT_FALSE(open_with(key, nonce_, aad_, ciphertext_, tag_)) << "key byte " << byte;
  }
  EXPECT_FALSE(open_with(random_secret_key(), nonce_, aad_, ciphertext_, tag_));
}

TEST_P(AeadTamperTest, WrongNonceRejected) {
  for (std::size_t byte = 0; byte < wg::kAeadNonceSize; ++byte) {
    AeadNonce nonce = nonce_;
    nonce[byte] ^= 0x80;
    EXPECT_FALSE(open_with(key_, nonce, aad_, ciphertext_, tag_)) << "nonce byte " << byte;
  }
  EXPECT_FALSE(open_with(key_, counter_nonce(43), aad_, ciphertext_, tag_));
}

TEST_P(AeadTamperTest, WrongAadRejected) {
  for (std::size_t byte = 0; byte < aad_.size(); ++byte) {
    std::vector<std::uint8_t> aad = aad_;
    aad[byte] ^= 0x01;
    EXPECT_FALSE(open_with(key_, nonce_, aad, ciphertext_, tag_)) << "aad byte " << byte;
  }
  EXPECT_FALSE(open_with(key_, nonce_, {}, ciphertext_, tag_));  // AAD dropped
  std::vector<std::uint8_t> longer = aad_;
  longer.push_back(0);
  EXPECT_FALSE(open_with(key_, nonce_, longer, ciphertext_, tag_));
}

TEST_P(AeadTamperTest, WrongTagRejected) {
  for (std::size_t byte = 0; byte < tag_.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto tag = tag_;
      tag[byte] ^= static_cast<std::uint8_t>(1u << bit);
      EXPECT_FALSE(open_with(key_, nonce_, aad_, ciphertext_, tag)) << byte << ":" << bit;
    }
  }
  EXPECT_FALSE(open_with(key_, nonce_, aad_, ciphertext_, {}));
}

TEST_P(AeadTamperTest, WrongCiphertextRejected) {
  for (std::size_t byte = 0; byte < ciphertext_.size(); ++byte) {
    std::vector<std::uint8_t> data = ciphertext_;
    data[byte] ^= static_cast<std::uint8_t>(1u << (byte % 8));
    EXPECT_FALSE(open_with(key_, nonce_, aad_, data, tag_)) << "ciphertext byte " << byte;
  }
  std::vector<std::uint8_t> truncated(ciphertext_.begin(), ciphertext_.end() - 1);
  EXPECT_FALSE(open_with(key_, nonce_, aad_, truncated, tag_));
}

// The interface leaves the buffer unspecified after a rejection; both back-ends zero it, so no
// unauthenticated plaintext is left behind (OpenSSL decrypts before it checks the tag).
TEST_P(AeadTamperTest, RejectionLeavesNoPlaintext) {
  std::vector<std::uint8_t> data = ciphertext_;
  auto bad_tag = tag_;
  bad_tag[15] ^= 0x80;
  ASSERT_FALSE(aead_->open(key_, nonce_, aad_, data.data(), data.size(), bad_tag.data()));
  EXPECT_TRUE(std::all_of(data.begin(), data.end(), [](auto b) { return b == 0; }));
}

// A rejected message must not poison the instance: the next good one still opens.
TEST_P(AeadTamperTest, InstanceUsableAfterRejection) {
  auto bad_tag = tag_;
  bad_tag[3] ^= 0x10;
  EXPECT_FALSE(open_with(key_, nonce_, aad_, ciphertext_, bad_tag));
  EXPECT_TRUE(open_with(key_, nonce_, aad_, ciphertext_, tag_));
}

std::string kind_name(const ::testing::TestParamInfo<AeadKind>& info) {
  std::string name(to_string(info.param));
  for (char& c : name) c = c == '-' ? '_' : c;  // gtest names allow no '-'
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryBackEnd, AeadTest, ::testing::ValuesIn(kAeadBackEnds), kind_name);
INSTANTIATE_TEST_SUITE_P(EveryBackEnd, AeadTamperTest, ::testing::ValuesIn(kAeadBackEnds),
                         kind_name);

}  // namespace
}  // namespace actorwire::crypto
