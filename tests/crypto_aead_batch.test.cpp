// The Aead batch API (seal_batch / open_batch) of every back-end: a batch seals exactly what the
// per-packet calls seal, opens what any back-end sealed, and a bad tag fails only its own job.
// Batches longer than ipsec-mb's chunk of jobs in flight, with several keys and sizes mixed.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "crypto/aead.hpp"

namespace actorwire::crypto {
namespace {

constexpr std::size_t kJobs = 150;  // more than one chunk of 64 jobs in flight

struct Message {
  std::vector<std::uint8_t> bytes;  // data followed by the tag
  std::size_t length = 0;
};

class AeadBatchTest : public ::testing::TestWithParam<AeadKind> {
 protected:
  AeadBatchTest() {
    std::mt19937_64 rng(99);
    for (auto& key : keys_) key = random_secret_key();
    for (std::size_t i = 0; i < kJobs; ++i) {
      Message message;
      message.length = (i * 37) % 1500;  // 0 (a keepalive) included
      message.bytes.resize(message.length + wg::kAeadTagSize);
      for (auto& byte : message.bytes) byte = static_cast<std::uint8_t>(rng());
      plaintexts_.push_back(message);
    }
  }

  // Jobs over `messages`, key and nonce per index as seal_reference uses them.
  std::vector<AeadJob> jobs_for(std::vector<Message>& messages) const {
    std::vector<AeadJob> jobs(messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
      jobs[i].key = &keys_[i % keys_.size()];
      jobs[i].nonce = counter_nonce(1000 + i);
      jobs[i].data = messages[i].bytes.data();
      jobs[i].length = messages[i].length;
      jobs[i].tag = messages[i].bytes.data() + messages[i].length;
    }
    return jobs;
  }

  // The reference: libsodium, one call per message.
  std::vector<Message> seal_reference() const {
    std::vector<Message> sealed = plaintexts_;
    auto reference = make_aead(AeadKind::kLibsodium);
    for (std::size_t i = 0; i < sealed.size(); ++i) {
      Message& m = sealed[i];
      reference->seal(keys_[i % keys_.size()], counter_nonce(1000 + i), {}, m.bytes.data(),
                      m.length, m.bytes.data() + m.length);
    }
    return sealed;
  }

  std::unique_ptr<Aead> aead_ = make_aead(GetParam());
  std::array<SecretKey, 3> keys_;
  std::vector<Message> plaintexts_;
};

TEST_P(AeadBatchTest, SealBatchEqualsPerPacketSeal) {
  std::vector<Message> sealed = plaintexts_;
  std::vector<AeadJob> jobs = jobs_for(sealed);
  aead_->seal_batch(jobs);
  const std::vector<Message> expected = seal_reference();
  for (std::size_t i = 0; i < kJobs; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(jobs[i].ok);
    ASSERT_EQ(sealed[i].bytes, expected[i].bytes);
  }
}

TEST_P(AeadBatchTest, OpenBatchFailsOnlyTheBadTags) {
  std::vector<Message> sealed = seal_reference();
  std::vector<bool> bad(kJobs, false);
  for (std::size_t i = 0; i < kJobs; i += 7) {
    bad[i] = true;
    sealed[i].bytes[sealed[i].length + (i % wg::kAeadTagSize)] ^= 0x40;  // flip a tag bit
  }
  bad[kJobs - 1] = true;  // the last one too (ciphertext, or the tag of an empty message)
  sealed[kJobs - 1].bytes[0] ^= 1;
  std::vector<AeadJob> jobs = jobs_for(sealed);
  aead_->open_batch(jobs);
  for (std::size_t i = 0; i < kJobs; ++i) {
    SCOPED_TRACE(i);
    ASSERT_EQ(jobs[i].ok, !bad[i]);
    const std::vector<std::uint8_t> data(sealed[i].bytes.begin(),
                                         sealed[i].bytes.begin() + sealed[i].length);
    if (bad[i]) {
      EXPECT_EQ(data, std::vector<std::uint8_t>(sealed[i].length, 0)) << "plaintext left behind";
    } else {
      EXPECT_EQ(data, std::vector<std::uint8_t>(plaintexts_[i].bytes.begin(),
                                                plaintexts_[i].bytes.begin() + sealed[i].length));
    }
  }
  // The instance is still good after the failures.
  std::vector<Message> again = seal_reference();
  std::vector<AeadJob> retry = jobs_for(again);
  aead_->open_batch(retry);
  for (const AeadJob& job : retry) EXPECT_TRUE(job.ok);
}

std::string kind_name(const ::testing::TestParamInfo<AeadKind>& info) {
  std::string name(to_string(info.param));
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryBackEnd, AeadBatchTest, ::testing::ValuesIn(kAeadBackEnds),
                         kind_name);

}  // namespace
}  // namespace actorwire::crypto
