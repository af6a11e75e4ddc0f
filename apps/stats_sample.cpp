#include "apps/stats_sample.hpp"

#include <algorithm>

namespace actorwire::apps {
namespace {

std::uint64_t counter(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return 0;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return 0;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer())
    return static_cast<std::uint64_t>(std::max<std::int64_t>(it->get<std::int64_t>(), 0));
  return static_cast<std::uint64_t>(std::max(it->get<double>(), 0.0));
}

std::string text(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::optional<double> number(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

ActorSample parse_actor(const nlohmann::json& json) {
  ActorSample actor;
  actor.name = text(json, "name");
  actor.packets_in = counter(json, "packets_in");
  actor.bytes_in = counter(json, "bytes_in");
  actor.packets_out = counter(json, "packets_out");
  actor.bytes_out = counter(json, "bytes_out");
  if (const auto drops = json.find("drops"); drops != json.end() && drops->is_object()) {
    for (const auto& [reason, count] : drops->items()) {
      if (count.is_number()) actor.drops.emplace_back(reason, counter(*drops, reason.c_str()));
    }
  }
  if (const auto mailbox = json.find("mailbox"); mailbox != json.end()) {
    actor.mailbox_depth = counter(*mailbox, "depth");
    actor.mailbox_high_water = counter(*mailbox, "high_water");
    actor.mailbox_capacity = counter(*mailbox, "capacity");
  }
  actor.credit_stalls = counter(json, "credit_stalls");
  actor.backoff_events = counter(json, "backoff_events");
  actor.backoff_ns = counter(json, "backoff_ns");
  actor.busy_ns = counter(json, "busy_ns");
  actor.idle_ns = counter(json, "idle_ns");
  return actor;
}

PeerSample parse_peer(const nlohmann::json& json) {
  PeerSample peer;
  peer.public_key = text(json, "public_key");
  if (const auto endpoint = json.find("endpoint");
      endpoint != json.end() && endpoint->is_string()) {
    peer.endpoint = endpoint->get<std::string>();
  }
  peer.rx_bytes = counter(json, "rx_bytes");
  peer.tx_bytes = counter(json, "tx_bytes");
  peer.last_handshake_unix_s = number(json, "last_handshake_unix_s");
  peer.current_keypair_age_s = number(json, "current_keypair_age_s");
  peer.previous_keypair_age_s = number(json, "previous_keypair_age_s");
  return peer;
}

}  // namespace

std::uint64_t ActorSample::drops_total() const {
  std::uint64_t total = 0;
  for (const auto& [reason, count] : drops) total += count;
  return total;
}

std::uint64_t ActorSample::drops_of(const std::string& reason) const {
  for (const auto& [name, count] : drops) {
    if (name == reason) return count;
  }
  return 0;
}

const ActorSample* StatsSample::actor(const std::string& actor_name) const {
  for (const ActorSample& candidate : actors) {
    if (candidate.name == actor_name) return &candidate;
  }
  return nullptr;
}

const PeerSample* StatsSample::peer(const std::string& public_key) const {
  for (const PeerSample& candidate : peers) {
    if (candidate.public_key == public_key) return &candidate;
  }
  return nullptr;
}

StatsSample parse_stats_sample(const nlohmann::json& snapshot) {
  StatsSample sample;
  sample.name = text(snapshot, "name");
  sample.topology = text(snapshot, "topology");
  sample.crypto_workers = counter(snapshot, "crypto_workers");
  sample.uptime_s = number(snapshot, "uptime_s").value_or(0);
  if (!snapshot.is_object()) return sample;
  if (const auto actors = snapshot.find("actors"); actors != snapshot.end() && actors->is_array()) {
    for (const auto& actor : *actors) {
      if (actor.is_object()) sample.actors.push_back(parse_actor(actor));
    }
  }
  if (const auto peers = snapshot.find("peers"); peers != snapshot.end() && peers->is_array()) {
    for (const auto& peer : *peers) {
      if (peer.is_object()) sample.peers.push_back(parse_peer(peer));
    }
  }
  return sample;
}

}  // namespace actorwire::apps
