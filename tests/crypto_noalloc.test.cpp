// The per-packet functions (seal/open on both back-ends, seal_transport, parse_transport_header,
// open_transport, counter_nonce) must not allocate. This binary interposes glibc's malloc family,
// so it sees OpenSSL (CRYPTO_malloc), libsodium and operator new alike, and counts calls made
// while a counting scope is open. Skipped where interposition is unavailable (non-glibc, or
// AddressSanitizer, which owns malloc).
#include <gtest/gtest.h>

#include <array>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "crypto/transport.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AW_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define AW_TEST_ASAN 1
#endif

#if defined(__GLIBC__) && !defined(AW_TEST_ASAN)
#define AW_TEST_INTERPOSE_MALLOC 1
#endif

namespace {

std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};

[[maybe_unused]] void note_allocation() {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

#ifdef AW_TEST_INTERPOSE_MALLOC
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void __libc_free(void* pointer);

void* malloc(std::size_t size) noexcept {
  note_allocation();
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  note_allocation();
  return __libc_calloc(count, size);
}
void* realloc(void* pointer, std::size_t size) noexcept {
  note_allocation();
  return __libc_realloc(pointer, size);
}
void free(void* pointer) noexcept {
  __libc_free(pointer);
}
}
#endif

namespace actorwire::crypto {
namespace {

class CountAllocations {
 public:
  CountAllocations() {
    g_allocations.store(0);
    g_counting.store(true);
  }
  ~CountAllocations() { g_counting.store(false); }
  long count() const { return g_allocations.load(); }
};

TEST(NoAllocHarness, CountsMalloc) {
#ifndef AW_TEST_INTERPOSE_MALLOC
  GTEST_SKIP() << "malloc interposition unavailable in this build";
#else
  void* (*volatile allocate)(std::size_t) = &std::malloc;
  long seen = 0;
  {
    CountAllocations counter;
    std::free(allocate(64));
    std::vector<int> vector(100);
    vector[7] = 1;
    seen = counter.count() + vector[0];
  }
  EXPECT_GE(seen, 2);
#endif
}

class NoAllocTest : public ::testing::TestWithParam<AeadKind> {
 protected:
  // One receive/send round as the data path does it, including a rejected forgery.
  void round() {
    const std::size_t length =
        seal_transport(*aead_, key_, 17, counter_++, message_.data(), kInner);
    const auto header = parse_transport_header(message_.data(), length);
    ASSERT_TRUE(header);
    ASSERT_TRUE(open_transport(*aead_, key_, *header, message_.data(), length));

    seal_transport(*aead_, key_, 17, counter_++, message_.data(), kInner);
    message_[40] ^= 1;
    const auto forged = parse_transport_header(message_.data(), length);
    ASSERT_TRUE(forged);
    ASSERT_FALSE(open_transport(*aead_, key_, *forged, message_.data(), length));
    ASSERT_FALSE(parse_transport_header(message_.data(), 5));

    // The raw interface with AAD.
    aead_->seal(key_, counter_nonce(counter_), aad_, raw_.data(), raw_.size(), tag_);
    ASSERT_TRUE(aead_->open(key_, counter_nonce(counter_), aad_, raw_.data(), raw_.size(), tag_));
    tag_[0] ^= 1;
    ASSERT_FALSE(aead_->open(key_, counter_nonce(counter_), aad_, raw_.data(), raw_.size(), tag_));

    // A batch, as the data path seals and opens a burst: one good, one forged.
    std::array<AeadJob, 2> jobs;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      prepare_transport(key_, 17, counter_++, batch_[i].data(), kInner, jobs[i]);
    }
    aead_->seal_batch(jobs);
    jobs[1].tag[0] ^= 1;
    aead_->open_batch(jobs);
    ASSERT_TRUE(jobs[0].ok);
    ASSERT_FALSE(jobs[1].ok);
  }

  static constexpr std::size_t kInner = 1400;
  std::unique_ptr<Aead> aead_ = make_aead(GetParam());
  SecretKey key_ = random_secret_key();
  std::uint64_t counter_ = 0;
  std::vector<std::uint8_t> message_ = std::vector<std::uint8_t>(sealed_size(kInner), 0x42);
  std::vector<std::uint8_t> raw_ = std::vector<std::uint8_t>(64, 0x24);
  std::vector<std::uint8_t> aad_ = std::vector<std::uint8_t>(12, 0x99);
  std::uint8_t tag_[wg::kAeadTagSize] = {};
  std::array<std::vector<std::uint8_t>, 2> batch_ = {message_, message_};
};

TEST_P(NoAllocTest, HotPathDoesNotAllocate) {
#ifndef AW_TEST_INTERPOSE_MALLOC
  GTEST_SKIP() << "malloc interposition unavailable in this build";
#else
  round();  // first use may set up per-thread library state (OpenSSL's error queue)
  long allocations = 0;
  {
    CountAllocations counter;
    for (int i = 0; i < 100 && !HasFatalFailure(); ++i) round();
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0) << "allocations in 100 rounds on " << to_string(GetParam());
#endif
}

INSTANTIATE_TEST_SUITE_P(EveryBackEnd, NoAllocTest, ::testing::ValuesIn(kAeadBackEnds),
                         [](const auto& info) {
                           std::string name(to_string(info.param));
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

}  // namespace
}  // namespace actorwire::crypto
