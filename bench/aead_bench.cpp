// Single-core ChaCha20-Poly1305 seal/open rates of every back-end: the crypto ceiling of one
// worker is the fastest per-packet rate. Sizes are AEAD plaintext lengths, i.e. the padded inner
// packet of a transport message.
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
  bool csv = false;  // machine-readable: backend name,bytes,Mseals/s,Gbit/s,...
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

  // Every back-end per packet (the ceiling is the fastest of these), then ipsec-mb with the
  // whole ring of 64 packets in one batch call, as the data path hands it a burst.
  struct Row {
    AeadKind kind;
    bool batched;
  };
  std::vector<Row> rows;
  for (AeadKind kind : actorwire::crypto::kAeadBackEnds) rows.push_back({kind, false});
  rows.push_back({AeadKind::kIpsecMb, true});
  if (csv) {
    std::printf("backend,bytes,mseals_per_s,seal_gbit_s,mopens_per_s,open_gbit_s\n");
  } else {
    std::printf("ChaCha20-Poly1305, one core, %.2f s per point, empty AAD, in place\n", seconds);
    std::printf("%-16s %6s %10s %9s %10s %9s %14s\n", "backend", "bytes", "Mseals/s", "Gbit/s",
                "Mopens/s", "Gbit/s", "/ceiling");
  }
  for (std::size_t size : sizes) {
    std::vector<AeadRate> results;
    AeadRate ceiling;  // the fastest per-packet rate of any back-end, seal and open apart
    for (const Row& row : rows) {
      results.push_back(measure_aead(row.kind, size, seconds, row.batched));
      if (row.batched) continue;
      ceiling.seals_per_second =
          std::max(ceiling.seals_per_second, results.back().seals_per_second);
      ceiling.opens_per_second =
          std::max(ceiling.opens_per_second, results.back().opens_per_second);
    }
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const AeadRate& r = results[k];
      const double bits = static_cast<double>(size) * 8;
      const std::string name =
          std::string(to_string(rows[k].kind)) + (rows[k].batched ? "-batch64" : "");
      if (csv) {
        std::printf("%s,%zu,%.4f,%.4f,%.4f,%.4f\n", name.c_str(), size, r.seals_per_second / 1e6,
                    r.seals_per_second * bits / 1e9, r.opens_per_second / 1e6,
                    r.opens_per_second * bits / 1e9);
        continue;
      }
      char ratio[32];
      std::snprintf(ratio, sizeof(ratio), "%.2f / %.2f",
                    r.seals_per_second / ceiling.seals_per_second,
                    r.opens_per_second / ceiling.opens_per_second);
      std::printf("%-16s %6zu %10.3f %9.2f %10.3f %9.2f %14s\n", name.c_str(), size,
                  r.seals_per_second / 1e6, r.seals_per_second * bits / 1e9,
                  r.opens_per_second / 1e6, r.opens_per_second * bits / 1e9, ratio);
    }
  }
  if (!csv) {
    std::printf(
        "Gbit/s counts plaintext bits. /ceiling: seal and open rate over the fastest back-end's "
        "per-packet rate at that size (the ceiling `actorwire bench` reads ratios against);\n"
        "ipsec-mb-batch64 hands the library 64 packets per call, as the data path does a burst.\n");
  }
  return 0;
}
