// `actorwire bench`: drives the gateway in-process through its net_ring ports with the built-in
// generator (pre-built frames, recycled mbufs) and sink, like the paper's MoonGen scripts, and
// reports each point as Mpps, Gbit/s and as a ratio to the crypto ceiling: the raw one-core
// ChaCha20-Poly1305 seal rate of the faster AEAD back-end, measured in the same process.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/harness/latency_histogram.hpp"
#include "bench/aead_rate.hpp"
#include "config/gateway_config.hpp"
#include "crypto/aead.hpp"

namespace actorwire::bench {

struct BenchPoint {
  std::string figure;  // which plot a sweep point belongs to ("" for a plain run)
  config::TopologyKind topology = config::TopologyKind::kSingle;
  std::uint32_t crypto_workers = 1;
  bool ordered = false;
  std::uint32_t flows = 1;
  // 0: the config's own peers; else that many generated peers (peer_population.hpp) in place of
  // them, the generator's flows spread over all of them.
  std::uint32_t peers = 0;
  std::vector<std::uint16_t> sizes{64};  // inner IP packet sizes, used round-robin
  std::string size_label = "64";         // "64", "1420", "imix"
  std::uint64_t rate_pps = 0;            // offered load; 0 = as fast as the gateway accepts
  double duration_s = 3;
  double warmup_s = 0.5;
  // "encrypt": one gateway, LAN -> WAN. "decrypt": a second in-process gateway B with the
  // mirrored session decrypts what the first encrypts (WAN to WAN); B's output is measured.
  // "both": B's own generator feeds its LAN too, so B encrypts and decrypts at the same time.
  std::string direction = "encrypt";
  // The generator stamps its frames and the sink records their latency (BenchResult::latency).
  bool measure_latency = false;
};

// The simple IMIX (7 x 64 B, 4 x 576 B, 1 x 1500 B), with 1500 capped to the tunnel MTU.
std::vector<std::uint16_t> imix_sizes(std::uint16_t mtu);

struct StageSample {
  std::string name;
  double busy_pct = 0;  // share of wall time spent moving packets (paper Fig. 16)
  std::uint64_t mailbox_high_water = 0;
  std::uint64_t credit_stalls = 0;
  std::uint64_t backoff_events = 0;
  double backoff_ms = 0;
  double lock_wait_pct = 0;  // workers-*: share of wall time waiting for the peer-table lock
};

struct BenchResult {
  BenchPoint point;
  std::size_t peers = 0;         // peers the gateway ran with
  double offered_mpps = 0;       // what the generator offered (taken or not)
  double mpps = 0;               // what left the gateway
  double gbit_s = 0;             // outer frames out, bits
  std::uint64_t drops = 0;       // inside the gateway (should be 0)
  std::uint64_t port_drops = 0;  // shed at the port: rx-missed, or refused by a full rx ring
  double ceiling_mpps = 0;       // one core's seal rate for this size mix, fastest back-end
  unsigned crypto_cores = 1;     // actors that seal in parallel
  double ratio = 0;              // mpps / ceiling
  double ratio_per_core = 0;     // mpps / (ceiling x crypto_cores)
  double generator_cpu_pct = 0;
  double sink_cpu_pct = 0;
  std::vector<StageSample> stages;
  // measure_latency: generator to sink over the measured window (direction decrypt/both: through
  // both gateways, read back from the decrypted payload).
  actors::LatencySummary latency;
  std::string aead;              // the back-end the gateway ran ("auto" resolved)
  double aead_ceiling_mpps = 0;  // ceiling_mpps of that back-end alone
  double ratio_aead = 0;         // mpps / aead_ceiling_mpps
};

// Measures (once per size, every back-end per packet) and caches the crypto ceiling of a size
// mix: the fastest back-end's rate, or with `in_use` the rate of that back-end.
class Ceiling {
 public:
  explicit Ceiling(double seconds_per_size = 0.5) : seconds_(seconds_per_size) {}
  double seal_mpps(const std::vector<std::uint16_t>& sizes, std::uint16_t mtu,
                   std::optional<crypto::AeadKind> in_use = std::nullopt) {
    return mix_mpps(sizes, mtu, false, in_use);
  }
  double open_mpps(const std::vector<std::uint16_t>& sizes, std::uint16_t mtu,
                   std::optional<crypto::AeadKind> in_use = std::nullopt) {
    return mix_mpps(sizes, mtu, true, in_use);
  }

 private:
  double mix_mpps(const std::vector<std::uint16_t>& sizes, std::uint16_t mtu, bool open,
                  std::optional<crypto::AeadKind> in_use);

  double seconds_;
  // padded plaintext size -> back-end -> its seals/s and opens/s
  std::map<std::size_t, std::map<crypto::AeadKind, AeadRate>> per_size_;
};

// Runs one point on `base` (a config with net_ring ports) and measures it; false and `error`
// set if the gateway does not start.
bool run_point(const config::GatewayConfig& base, const BenchPoint& point, Ceiling& ceiling,
               BenchResult& result, std::string& error);

std::string csv_header();
std::string csv_row(const BenchResult& result);
// One human-readable line.
std::string describe(const BenchResult& result);

}  // namespace actorwire::bench
