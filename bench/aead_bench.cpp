// Single-core ChaCha20-Poly1305 seal/open rates of both back-ends: the crypto ceiling of one
// worker. Sizes are AEAD plaintext lengths, i.e. the padded inner packet of a transport message.
//
//   aead_bench [--sizes 64,1420] [--seconds 1]
//
// Each point: a warm-up, then rounds over a small ring of buffers (kRing messages, all in L1/L2):
// seal the ring (timed), open the ring (timed, each open must succeed), until the point's time is
// used. Every call gets a fresh counter nonce, as on the wire. The key is random.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/aead_rate.hpp"
#include "crypto/aead.hpp"

namespace {

using actorwire::crypto::AeadKind;

using actorwire::bench::AeadRate;
using actorwire::bench::measure_aead;

void usage(const char* program) {
  std::fprintf(stderr, "usage: %s [--sizes N[,N...]] [--seconds S] [--csv]\n", program);
  std::exit(2);
}

bool parse_sizes(std::string_view text, std::vector<std::size_t>& sizes) {
  sizes.clear();
  for (;;) {
    const std::size_t comma = text.find(',');
    const std::string item(text.substr(0, comma));
    char* end = nullptr;
    const unsigned long long value = std::strtoull(item.c_str(), &end, 10);
    if (item.empty() || item[0] == '-' || *end != '\0' || value > (1ULL << 30)) return false;
    sizes.push_back(static_cast<std::size_t>(value));
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes = {64, 1420};
  double seconds = 1.0;
  bool csv = false;  // machine-readable: backend(0=openssl,1=libsodium),bytes,Mseals/s,Gbit/s,...
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--sizes" && i + 1 < argc) {
      if (!parse_sizes(argv[++i], sizes)) usage(argv[0]);
    } else if (arg == "--seconds" && i + 1 < argc) {
      char* end = nullptr;
      seconds = std::strtod(argv[++i], &end);
      if (*end != '\0' || !(seconds > 0) || seconds > 3600) usage(argv[0]);
    } else if (arg == "--csv") {
      csv = true;
    } else {
      usage(argv[0]);
    }
  }

  const AeadKind kinds[] = {AeadKind::kOpenSsl, AeadKind::kLibsodium};
  if (csv) {
    std::printf("backend,bytes,mseals_per_s,seal_gbit_s,mopens_per_s,open_gbit_s\n");
  } else {
    std::printf("ChaCha20-Poly1305, one core, %.2f s per point, empty AAD, in place\n", seconds);
  }
  if (!csv)
    std::printf("%-10s %6s %10s %9s %10s %9s %18s\n", "backend", "bytes", "Mseals/s", "Gbit/s",
                "Mopens/s", "Gbit/s", "openssl/libsodium");
  for (std::size_t size : sizes) {
    AeadRate results[2];
    for (int k = 0; k < 2; ++k) results[k] = measure_aead(kinds[k], size, seconds);
    for (int k = 0; k < 2; ++k) {
      const AeadRate& r = results[k];
      const double bits = static_cast<double>(size) * 8;
      if (csv) {
        std::printf("%d,%zu,%.4f,%.4f,%.4f,%.4f\n", k, size, r.seals_per_second / 1e6,
                    r.seals_per_second * bits / 1e9, r.opens_per_second / 1e6,
                    r.opens_per_second * bits / 1e9);
        continue;
      }
      char ratio[32] = "";
      if (kinds[k] == AeadKind::kOpenSsl) {
        std::snprintf(ratio, sizeof(ratio), "%.2fx / %.2fx",
                      r.seals_per_second / results[1].seals_per_second,
                      r.opens_per_second / results[1].opens_per_second);
      }
      std::printf("%-10s %6zu %10.3f %9.2f %10.3f %9.2f %18s\n",
                  std::string(to_string(kinds[k])).c_str(), size, r.seals_per_second / 1e6,
                  r.seals_per_second * bits / 1e9, r.opens_per_second / 1e6,
                  r.opens_per_second * bits / 1e9, ratio);
    }
  }
  if (!csv) std::printf("Gbit/s counts plaintext bits; the ratio column is seal / open.\n");
  return 0;
}
