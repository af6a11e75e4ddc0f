// One control-socket snapshot (apps/stats_snapshot.cpp) read into plain structs for the stats
// view. Reading never throws: a field that is missing, null or of the wrong type reads as 0
// (counters) or absent (the optional peer fields), so a daemon one version older or newer
// still shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace actorwire::apps {

struct ActorSample {
  std::string name;
  std::uint64_t packets_in = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t bytes_out = 0;
  std::vector<std::pair<std::string, std::uint64_t>> drops;  // by reason, as the daemon lists them
  std::uint64_t mailbox_depth = 0;
  std::uint64_t mailbox_high_water = 0;
  std::uint64_t mailbox_capacity = 0;
  std::uint64_t credit_stalls = 0;
  std::uint64_t backoff_events = 0;
  std::uint64_t backoff_ns = 0;
  std::uint64_t busy_ns = 0;
  std::uint64_t idle_ns = 0;

  std::uint64_t drops_total() const;
  std::uint64_t drops_of(const std::string& reason) const;
};

struct PeerSample {
  std::string public_key;
  std::optional<std::string> endpoint;
  std::uint64_t rx_bytes = 0;
  std::uint64_t tx_bytes = 0;
  std::optional<double> last_handshake_unix_s;
  std::optional<double> current_keypair_age_s;
  std::optional<double> previous_keypair_age_s;
};

struct StatsSample {
  std::string name;
  std::string topology;
  std::uint64_t crypto_workers = 0;
  double uptime_s = 0;  // the daemon's clock: rates divide by its differences
  std::vector<ActorSample> actors;
  std::vector<PeerSample> peers;

  const ActorSample* actor(const std::string& name) const;
  const PeerSample* peer(const std::string& public_key) const;
};

StatsSample parse_stats_sample(const nlohmann::json& snapshot);

}  // namespace actorwire::apps
