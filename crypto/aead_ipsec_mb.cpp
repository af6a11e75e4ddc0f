// intel-ipsec-mb back-end: the job API with IMB_CIPHER_CHACHA20_POLY1305.
//
// Each instance owns one manager in memory of its own (imb_set_pointers_mb_mgr over an aligned
// block, then init_mb_mgr_auto: the best code path this CPU runs), so that it can wipe the
// block before freeing it without relying on what free_mb_mgr reads. A batch is submitted as one
// job per packet and flushed once at its end, so the library can work on several packets at a time;
// seal/open of a single packet is a batch of one. ChaCha20 has no key schedule: a job points at the
// caller's key, and the manager copies it into its lanes; the destructor wipes the whole manager
// before freeing it. Opening computes the tag into a scratch slot and compares it in constant time
// (the library does not compare).
#include <intel-ipsec-mb.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <stdexcept>

#include "crypto/internal.hpp"

namespace actorwire::crypto::detail {
namespace {

static_assert(IMB_MAX_TAG_LEN >= wg::kAeadTagSize);

std::string arch_name(IMB_ARCH arch) {
  switch (arch) {
    case IMB_ARCH_NOAESNI:
      return "no-AESNI";
    case IMB_ARCH_SSE:
      return "SSE";
    case IMB_ARCH_AVX:
      return "AVX";
    case IMB_ARCH_AVX2:
      return "AVX2";
    case IMB_ARCH_AVX512:
      return "AVX512";
    default:
      return "none";
  }
}

// The manager's memory: 64-byte aligned (its lanes hold AVX-512 state), wiped when freed.
void free_manager(IMB_MGR* mgr) {
  if (mgr == nullptr) return;
  sodium_memzero(mgr, imb_get_mb_mgr_size());
  std::free(mgr);
}

struct Manager {
  IMB_MGR* mgr = nullptr;
  IMB_ARCH arch = IMB_ARCH_NONE;
};

Manager make_manager() {
  constexpr std::size_t kAlignment = 64;
  const std::size_t size = (imb_get_mb_mgr_size() + kAlignment - 1) / kAlignment * kAlignment;
  void* memory = std::aligned_alloc(kAlignment, size);
  if (memory == nullptr) throw std::runtime_error("intel-ipsec-mb: cannot allocate a manager");
  Manager manager;
  manager.mgr = imb_set_pointers_mb_mgr(memory, 0, 1);
  if (manager.mgr == nullptr) {
    std::free(memory);
    throw std::runtime_error("intel-ipsec-mb: cannot set up a manager");
  }
  init_mb_mgr_auto(manager.mgr, &manager.arch);
  if (imb_get_errno(manager.mgr) != 0 || manager.arch == IMB_ARCH_NONE) {
    free_manager(manager.mgr);
    throw std::runtime_error("intel-ipsec-mb: no code path for this CPU");
  }
  return manager;
}

class IpsecMbAead final : public Aead {
 public:
  IpsecMbAead() : manager_(make_manager()) {}
  ~IpsecMbAead() override {
    // Nothing is in flight between calls; wipe the lanes' copies of keys and keystream.
    free_manager(manager_.mgr);
    sodium_memzero(computed_.data(), sizeof(computed_));
  }
  IpsecMbAead(const IpsecMbAead&) = delete;
  IpsecMbAead& operator=(const IpsecMbAead&) = delete;

  AeadKind kind() const override { return AeadKind::kIpsecMb; }

  void seal(const SecretKey& key, const AeadNonce& nonce, std::span<const std::uint8_t> aad,
            std::uint8_t* data, std::size_t length, std::uint8_t* tag) override {
    AeadJob job{&key, nonce, data, length, tag, false};
    run({&job, 1}, aad, /*seal=*/true);
    if (!job.ok) throw std::runtime_error("intel-ipsec-mb: ChaCha20-Poly1305 seal failed");
  }

  bool open(const SecretKey& key, const AeadNonce& nonce, std::span<const std::uint8_t> aad,
            std::uint8_t* data, std::size_t length, const std::uint8_t* tag) override {
    AeadJob job{&key, nonce, data, length, const_cast<std::uint8_t*>(tag), false};
    run({&job, 1}, aad, /*seal=*/false);
    return job.ok;
  }

  void seal_batch(std::span<AeadJob> jobs) override {
    run(jobs, {}, /*seal=*/true);
    for (const AeadJob& job : jobs) {
      if (!job.ok) throw std::runtime_error("intel-ipsec-mb: ChaCha20-Poly1305 seal failed");
    }
  }

  void open_batch(std::span<AeadJob> jobs) override { run(jobs, {}, /*seal=*/false); }

 private:
  // Jobs in flight at once; opening needs a computed tag per job in flight.
  static constexpr std::size_t kChunk = 64;

  void run(std::span<AeadJob> jobs, std::span<const std::uint8_t> aad, bool seal) {
    while (!jobs.empty()) {
      const std::size_t count = std::min(jobs.size(), kChunk);
      for (std::size_t i = 0; i < count; ++i) submit(jobs[i], i, aad, seal);
      while (IMB_JOB* done = IMB_FLUSH_JOB(manager_.mgr)) complete(*done, seal);
      jobs = jobs.subspan(count);
    }
  }

  void submit(AeadJob& job, std::size_t slot, std::span<const std::uint8_t> aad, bool seal) {
    // Length 0 (a keepalive) still needs valid pointers.
    static std::uint8_t empty = 0;
    std::uint8_t* data = job.data != nullptr ? job.data : &empty;
    IMB_JOB* imb = IMB_GET_NEXT_JOB(manager_.mgr);
    imb->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
    imb->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
    imb->cipher_direction = seal ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
    imb->chain_order = seal ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
    imb->enc_keys = job.key->data();
    imb->dec_keys = job.key->data();
    imb->key_len_in_bytes = wg::kKeySize;
    imb->src = data;
    imb->dst = data;
    imb->cipher_start_src_offset_in_bytes = 0;
    imb->msg_len_to_cipher_in_bytes = job.length;
    imb->hash_start_src_offset_in_bytes = 0;
    imb->msg_len_to_hash_in_bytes = job.length;
    imb->iv = job.nonce.data();
    imb->iv_len_in_bytes = wg::kAeadNonceSize;
    imb->u.CHACHA20_POLY1305.aad = aad.empty() ? &empty : aad.data();
    imb->u.CHACHA20_POLY1305.aad_len_in_bytes = aad.size();
    imb->auth_tag_output = seal ? job.tag : computed_[slot].data();
    imb->auth_tag_output_len_in_bytes = wg::kAeadTagSize;
    imb->user_data = &job;
    if (IMB_JOB* done = IMB_SUBMIT_JOB(manager_.mgr)) complete(*done, seal);
  }

  static void complete(IMB_JOB& imb, bool seal) {
    AeadJob& job = *static_cast<AeadJob*>(imb.user_data);
    job.ok = imb.status == IMB_STATUS_COMPLETED;
    if (seal) return;
    if (job.ok) job.ok = sodium_memcmp(imb.auth_tag_output, job.tag, wg::kAeadTagSize) == 0;
    // Like libsodium: no unauthenticated plaintext is left behind.
    if (!job.ok && job.length > 0) sodium_memzero(job.data, job.length);
  }

  Manager manager_;
  std::array<std::array<std::uint8_t, wg::kAeadTagSize>, kChunk> computed_{};
};

}  // namespace

IpsecMbSupport ipsec_mb_support() {
  static const IpsecMbSupport support = [] {
    IpsecMbSupport result{"none", false};
    try {
      const Manager manager = make_manager();
      result.arch = arch_name(manager.arch);
      result.fast = manager.arch >= IMB_ARCH_AVX2 && __builtin_cpu_supports("avx2");
      free_manager(manager.mgr);
    } catch (const std::runtime_error&) {
    }
    return result;
  }();
  return support;
}

std::unique_ptr<Aead> make_ipsec_mb_aead() {
  return std::make_unique<IpsecMbAead>();
}

}  // namespace actorwire::crypto::detail
