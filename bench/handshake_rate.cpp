// How many handshake initiations per second the control plane turns into responses on one core:
// ControlPlane::handle_handshake, the call the handshake actor makes for every HandshakeIn, fed
// with initiations built beforehand (crypto/noise, as remote initiators build them) from
// `--peers` configured peers, each from its own source endpoint.
//
//   handshake_rate [--peers 1000] [--initiations 20000] [--seconds 0.5]
//
// Three regimes, each on a fresh ControlPlane:
//   response           not under load (backlog 0): mac1, open_initiation (1 DH), peer lookup,
//                      timestamp, create_response (1 key generation + 2 DH), session derivation;
//   cookie reply       under load, mac2 missing: mac1, mac2 check, a cookie reply (no DH);
//   response + mac2    under load, every initiation carries a valid mac2 (each initiator got a
//                      cookie first): the response path plus mac2 and the per-source rate limit.
// Then where a flood is refused, per stage (mac1, mac2, Noise), as refusals per second.
// Every output is checked (one response, or one cookie reply, per initiation) and counted;
// "now" is simulated (1 ms per message, so no peer hits the 50/s flood limit or the per-source
// rate limit) and steady_clock times the loop only. Then the primitives underneath, with the
// libraries the code uses (libsodium X25519, libb2 BLAKE2s through crypto/blake2s), so the
// numbers can be judged: a response costs about 4 X25519 operations.
#include <sodium.h>

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

#include "actors/common/stage_counters.hpp"
#include "actors/control/control_plane.hpp"
#include "bench/handshake_initiators.hpp"
#include "crypto/blake2s.hpp"
#include "crypto/cookie.hpp"
#include "crypto/keys.hpp"
#include "crypto/noise.hpp"
#include "crypto/tai64n.hpp"

namespace {

using namespace actorwire;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const actors::Clock::time_point kT0 = actors::Clock::time_point() + 1000s;
const std::chrono::system_clock::time_point kWall0 =
    std::chrono::system_clock::time_point() + std::chrono::seconds(1700000000);
constexpr auto kStep = 1ms;  // simulated time between two messages

void usage(const char* program) {
  std::fprintf(stderr, "usage: %s [--peers N>=100] [--initiations N] [--seconds S]\n", program);
  std::exit(2);
}

bool parse_count(const char* text, std::size_t& out) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (*text == '\0' || *text == '-' || *end != '\0' || value == 0 || value > (1ULL << 24)) {
    return false;
  }
  out = static_cast<std::size_t>(value);
  return true;
}

config::Endpoint endpoint_of(std::size_t peer) {
  // 198.18.0.0/15 (benchmarking), one address and port per peer.
  config::Endpoint endpoint;
  endpoint.address = config::IpAddress::v4(0xC6120000u + static_cast<std::uint32_t>(peer) + 1);
  endpoint.port = static_cast<std::uint16_t>(20000 + peer % 40000);
  return endpoint;
}

struct Population {
  config::GatewayConfig config;
  std::vector<std::unique_ptr<bench::Initiator>> remotes;
};

Population make_population(std::size_t peers) {
  Population population;
  population.config.interface.private_key = crypto::random_secret_key();
  const crypto::PublicKey gateway =
      crypto::derive_public_key(population.config.interface.private_key);
  population.remotes = bench::make_initiators(gateway, peers, std::nullopt);
  for (const auto& remote : population.remotes) {
    config::PeerConfig peer;
    peer.public_key = remote->identity.public_key;
    population.config.peers.push_back(peer);
  }
  return population;
}

// `count` initiations, round robin over the peers; a peer's k-th carries a timestamp
// first_second + k seconds after kWall0 (strictly increasing per peer, as a real clock).
std::vector<bench::Initiation> build_initiations(Population& population, std::size_t count,
                                                 actors::Clock::time_point macs_at,
                                                 std::size_t first_second) {
  bench::InitiationPlan plan;
  plan.count = count;
  plan.first_timestamp = kWall0 + std::chrono::seconds(first_second);
  plan.step = std::chrono::seconds(1);
  plan.first_sender_index = 1;
  plan.macs_at = macs_at;
  return bench::build_initiations(population.remotes, plan);
}

std::unique_ptr<actors::ControlPlane> make_control(
    const Population& population, std::size_t under_load_backlog,
    std::shared_ptr<actors::StageCounters> counters) {
  actors::ControlPlaneOptions options;
  options.under_load_backlog = under_load_backlog;
  options.wall_clock = [] { return kWall0; };
  options.random_seed = 1;
  return std::make_unique<actors::ControlPlane>(population.config, std::move(counters), options);
}

struct RegimeResult {
  std::size_t messages = 0;
  std::size_t expected_outputs = 0;  // responses or cookie replies, as the regime expects
  double seconds = 0;
};

// Feeds every initiation once, at kT0 + start + k * kStep, with `backlog`; counts outputs of
// `expected_size` bytes.
RegimeResult run_regime(actors::ControlPlane& control,
                        const std::vector<bench::Initiation>& initiations, std::size_t backlog,
                        std::size_t expected_size, actors::Clock::time_point start) {
  RegimeResult result;
  result.messages = initiations.size();
  const auto began = SteadyClock::now();
  for (std::size_t k = 0; k < initiations.size(); ++k) {
    const bench::Initiation& initiation = initiations[k];
    const auto out =
        control.handle_handshake(initiation.message, endpoint_of(initiation.peer),
                                 start + kStep * static_cast<std::int64_t>(k), backlog);
    if (out.datagrams.size() == 1 && out.datagrams[0].message.size() == expected_size) {
      ++result.expected_outputs;
    }
  }
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - began).count();
  return result;
}

void print_regime(const char* name, const RegimeResult& result,
                  const actors::StageCounters& counters) {
  const double rate = static_cast<double>(result.expected_outputs) / result.seconds;
  std::printf("%-18s %8zu of %8zu answered  %9.0f /s  %8.2f us each  (drops %llu)\n", name,
              result.expected_outputs, result.messages, rate,
              1e6 * result.seconds / static_cast<double>(result.messages),
              static_cast<unsigned long long>(counters.drops_total()));
}

// Feeds every message once (1 ms apart, from its peer's endpoint) to a control plane that must
// refuse each under `reason` without an answer, or (reason kNone) answer each with a cookie
// reply; returns refusals per second, or 0 if any message was not handled that way.
double refusal_rate(actors::ControlPlane& control, const std::vector<bench::Initiation>& messages,
                    const actors::StageCounters& counters, actors::DropReason reason) {
  const std::uint64_t before = reason == actors::DropReason::kNone
                                   ? counters.cookie_replies_sent.get()
                                   : counters.drops_of(reason);
  std::size_t answered = 0;
  const auto began = SteadyClock::now();
  for (std::size_t k = 0; k < messages.size(); ++k) {
    const auto out = control.handle_handshake(messages[k].message, endpoint_of(messages[k].peer),
                                              kT0 + kStep * static_cast<std::int64_t>(k), 1);
    answered += out.datagrams.size();
  }
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - began).count();
  const std::uint64_t after = reason == actors::DropReason::kNone
                                  ? counters.cookie_replies_sent.get()
                                  : counters.drops_of(reason);
  const bool as_expected = after - before == messages.size() &&
                           answered == (reason == actors::DropReason::kNone ? messages.size() : 0);
  return as_expected ? static_cast<double>(messages.size()) / seconds : 0.0;
}

// Where one core refuses a flood of initiations, per stage: mac1 (a wrong mac1: one keyed
// BLAKE2s), mac2 (under load without mac2: the mac2 check and a cookie reply, no DH) and Noise
// (valid mac1, not under load, from a static key nobody configured: the initiation is opened,
// 2 DH, then refused). Returns the number of stages that did not refuse every message as
// expected.
int print_refusals(std::size_t peers, std::size_t count) {
  Population population = make_population(peers);
  const auto gateway = crypto::derive_public_key(population.config.interface.private_key);
  auto valid = build_initiations(population, count, kT0, 1);
  std::vector<bench::Initiation> bad_mac1 = valid;
  for (bench::Initiation& initiation : bad_mac1) {
    initiation.message[wg::kInitiationMac1Offset] ^= 0x01;
  }
  auto strangers = bench::make_initiators(gateway, peers, std::nullopt);
  bench::InitiationPlan plan;
  plan.count = count;
  plan.first_timestamp = kWall0;
  plan.macs_at = kT0;
  const auto unknown_key = bench::build_initiations(strangers, plan);

  auto counters = std::make_shared<actors::StageCounters>("handshake");
  auto calm = make_control(population, 32, counters);
  const double mac1 = refusal_rate(*calm, bad_mac1, *counters, actors::DropReason::kBadMac1);
  const std::uint64_t noise_before = counters->noise_messages.get();
  const double noise =
      refusal_rate(*calm, unknown_key, *counters, actors::DropReason::kUnknownPeer);
  const bool noise_counted = counters->noise_messages.get() - noise_before == count;
  auto loaded_counters = std::make_shared<actors::StageCounters>("handshake");
  auto loaded = make_control(population, 0, loaded_counters);  // always under load
  const double mac2 = refusal_rate(*loaded, valid, *loaded_counters, actors::DropReason::kNone);
  const bool mac2_kept_out = loaded_counters->noise_messages.get() == 0;

  std::printf("\nrefused per stage (one core, %zu initiations each):\n", count);
  auto line = [](const char* stage, double rate) {
    std::printf("  %-44s %9.0f /s  %8.2f us each\n", stage, rate, rate > 0 ? 1e6 / rate : 0.0);
  };
  line("mac1 (bad mac1: dropped)", mac1);
  line("mac2 (under load, no mac2: cookie reply)", mac2);
  line("Noise (unknown static key: 2 DH, dropped)", noise);
  std::printf("  reached Noise: %s under load without mac2, %s with an unknown key\n",
              mac2_kept_out ? "none" : "SOME", noise_counted ? "every one" : "NOT every one");
  return (mac1 == 0) + (mac2 == 0) + (noise == 0) + !mac2_kept_out + !noise_counted;
}

// Calls `operation` in batches until `seconds` have passed; returns operations per second.
template <class Operation>
double rate_of(double seconds, Operation&& operation) {
  for (int i = 0; i < 64; ++i) operation();  // warm-up
  std::size_t done = 0;
  const auto began = SteadyClock::now();
  double elapsed = 0;
  do {
    for (int i = 0; i < 256; ++i) operation();
    done += 256;
    elapsed = std::chrono::duration<double>(SteadyClock::now() - began).count();
  } while (elapsed < seconds);
  return static_cast<double>(done) / elapsed;
}

volatile std::uint8_t g_sink;  // keeps the primitives' results alive

void print_primitives(double seconds) {
  std::uint8_t scalar[crypto_scalarmult_SCALARBYTES];
  std::uint8_t point[crypto_scalarmult_BYTES];
  std::uint8_t out[crypto_scalarmult_BYTES];
  randombytes_buf(scalar, sizeof(scalar));
  crypto_scalarmult_base(point, scalar);
  const double dh = rate_of(seconds, [&] {
    if (crypto_scalarmult(out, scalar, point) != 0) std::abort();
    scalar[0] ^= out[0];  // a dependency chain: no call can be skipped or overlapped
  });
  const double base = rate_of(seconds, [&] {
    crypto_scalarmult_base(out, scalar);
    scalar[0] ^= out[0];
  });
  std::uint8_t data[148] = {};
  randombytes_buf(data, sizeof(data));
  crypto::Hash hash{};
  const double blake_hash = rate_of(seconds, [&] {
    hash = crypto::blake2s_hash({hash, crypto::Bytes(data, 64)});
  });
  crypto::Mac mac{};
  const double blake_mac = rate_of(seconds, [&] {
    mac = crypto::blake2s_mac(crypto::Bytes(hash.data(), 32), {crypto::Bytes(data, 116)});
    data[0] ^= mac[0];
  });
  crypto::SecretKey keys[3];
  const double kdf3 = rate_of(
      seconds, [&] { crypto::kdf(crypto::as_bytes(keys[0]), crypto::Bytes(data, 32), keys); });
  g_sink = static_cast<std::uint8_t>(out[0] ^ hash[0] ^ mac[0] ^ keys[2].data()[0]);
  std::printf("\nprimitives (one core):\n");
  std::printf("  X25519 scalarmult (libsodium)       %9.0f /s  %8.2f us\n", dh, 1e6 / dh);
  std::printf("  X25519 scalarmult_base (libsodium)  %9.0f /s  %8.2f us\n", base, 1e6 / base);
  std::printf("  BLAKE2s-256, 32+64 bytes (libb2)    %9.0f /s  %8.2f us\n", blake_hash,
              1e6 / blake_hash);
  std::printf("  BLAKE2s-128 keyed, 116 bytes (mac1) %9.0f /s  %8.2f us\n", blake_mac,
              1e6 / blake_mac);
  std::printf("  KDF3 (3 x HMAC-BLAKE2s + 1)         %9.0f /s  %8.2f us\n", kdf3, 1e6 / kdf3);
  const double floor_us = 3e6 / dh + 1e6 / base;
  std::printf("  responder DH floor: 3 scalarmult + 1 base = %.2f us -> at most %.0f responses/s\n",
              floor_us, 1e6 / floor_us);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t peers = 1000;
  std::size_t count = 20000;
  double seconds = 0.5;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--peers" && i + 1 < argc) {
      // At least 100: a peer's initiations are then >= 100 ms of simulated time apart, below
      // the flood limit (50/s) and the per-source rate limit (20/s).
      if (!parse_count(argv[++i], peers) || peers < 100) usage(argv[0]);
    } else if (arg == "--initiations" && i + 1 < argc) {
      if (!parse_count(argv[++i], count)) usage(argv[0]);
    } else if (arg == "--seconds" && i + 1 < argc) {
      char* end = nullptr;
      seconds = std::strtod(argv[++i], &end);
      if (*end != '\0' || !(seconds > 0 && seconds <= 60)) usage(argv[0]);
    } else {
      usage(argv[0]);
    }
  }
  if (sodium_init() < 0) return 1;
  std::printf("handshake_rate: %zu peers, %zu initiations per regime, one core\n", peers, count);

  // 1. Not under load: every initiation answered with a response.
  int failures = 0;
  {
    Population population = make_population(peers);
    const auto initiations = build_initiations(population, count, kT0, 1);
    auto counters = std::make_shared<actors::StageCounters>("handshake");
    auto control = make_control(population, 32, counters);
    const auto result = run_regime(*control, initiations, 0, wg::kResponseSize, kT0);
    if (control->under_load(kT0 + kStep * static_cast<std::int64_t>(count))) ++failures;
    print_regime("response", result, *counters);
    if (result.expected_outputs != result.messages) ++failures;
  }
  // 2. Under load, no mac2: cookie replies. 3. Under load, valid mac2: responses.
  {
    Population population = make_population(peers);
    auto counters = std::make_shared<actors::StageCounters>("handshake");
    auto control = make_control(population, 0, counters);  // 0: always under load
    // One initiation per peer, answered with a cookie reply, which the peer consumes: its next
    // initiations carry mac2.
    const auto first = build_initiations(population, peers, kT0, 1);
    const auto cookie_time = kT0 - 10s;
    for (const bench::Initiation& initiation : first) {
      const auto out =
          control->handle_handshake(initiation.message, endpoint_of(initiation.peer), cookie_time);
      if (out.datagrams.size() != 1 || !population.remotes[initiation.peer]->macs.consume_reply(
                                           out.datagrams[0].message, cookie_time)) {
        std::fprintf(stderr, "no cookie for peer %zu\n", initiation.peer);
        return 1;
      }
    }
    const auto with_mac2 = build_initiations(population, count, cookie_time, 2);
    // Regime 2 uses the same messages with mac2 zeroed (mac1 stays valid: it does not cover
    // mac2), so both regimes see the same peers and sources.
    std::vector<bench::Initiation> without_mac2 = with_mac2;
    for (bench::Initiation& initiation : without_mac2) {
      std::memset(initiation.message.data() + wg::kInitiationMac2Offset, 0, wg::kMacSize);
    }
    // The cookie secret lives 120 s; both regimes end well within it.
    const auto cookies = run_regime(*control, without_mac2, 1, wg::kCookieReplySize, kT0);
    print_regime("cookie reply", cookies, *counters);
    if (cookies.expected_outputs != cookies.messages) ++failures;
    const std::uint64_t drops_before = counters->drops_total();
    const auto responses = run_regime(*control, with_mac2, 1, wg::kResponseSize, kT0 + 30s);
    print_regime("response + mac2", responses, *counters);
    if (responses.expected_outputs != responses.messages || counters->drops_total() != drops_before)
      ++failures;
  }
  failures += print_refusals(peers, count);
  print_primitives(seconds);
  if (failures != 0) {
    std::fprintf(stderr, "FAILED: %d regime(s) did not answer every initiation as expected\n",
                 failures);
    return 1;
  }
  return 0;
}
