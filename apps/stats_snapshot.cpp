#include "apps/stats_snapshot.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "config/topology_kind.hpp"

namespace actorwire::apps {
namespace {

nlohmann::json actor_json(const actors::StageCounters& counters, std::uint64_t mailbox_capacity) {
  nlohmann::json drops = nlohmann::json::object();
  for (std::size_t r = 0; r < actors::kDropReasonCount; ++r) {
    const std::uint64_t count = counters.drops[r].get();
    if (count != 0) drops[std::string(to_string(static_cast<actors::DropReason>(r)))] = count;
  }
  return {
      {"name", counters.name},
      {"packets_in", counters.packets_in.get()},
      {"bytes_in", counters.bytes_in.get()},
      {"packets_out", counters.packets_out.get()},
      {"bytes_out", counters.bytes_out.get()},
      {"drops", drops},
      {"mailbox",
       {{"depth", counters.mailbox_depth.get()},
        {"high_water", counters.mailbox_high_water.get()},
        {"capacity", mailbox_capacity}}},
      {"credit_stalls", counters.credit_stalls.get()},
      {"backoff_events", counters.backoff_events.get()},
      {"backoff_ns", counters.backoff_ns.get()},
      {"batch_pool_misses", counters.batch_pool_misses.get()},
      {"lock_wait_ns", counters.lock_wait_ns.get()},
      {"busy_ns", counters.busy_ns.get()},
      {"idle_ns", counters.idle_ns.get()},
      {"icmp_sent", counters.icmp_sent.get()},
      {"icmp_suppressed", counters.icmp_suppressed.get()},
      {"mss_clamped", counters.mss_clamped.get()},
      {"packets_fragmented", counters.packets_fragmented.get()},
      {"cookie_replies_sent", counters.cookie_replies_sent.get()},
      {"noise_messages", counters.noise_messages.get()},
  };
}

nlohmann::json age_json(std::optional<actors::Clock::time_point> created,
                        actors::Clock::time_point now) {
  if (!created) return nullptr;
  return std::max(0.0, std::chrono::duration<double>(now - *created).count());
}

// What the port itself counted. rx_missed: frames that reached the port but never the gateway
// (the NIC's imissed, or for net_af_packet the kernel socket's drops), the port drops that,
// added to the stages' drops, account for every datagram that reached the WAN.
nlohmann::json port_json(const actors::Gateway& gateway, config::PortRole role) {
  const io::Port& port = gateway.port(role);
  const io::PortStats stats = port.stats();
  return {{"role", role == config::PortRole::kWan ? "wan" : "lan"},
          {"device", port.device()},
          {"rx_packets", stats.rx_packets},
          {"rx_missed", stats.rx_missed},
          {"tx_packets", stats.tx_packets},
          {"tx_errors", stats.tx_errors}};
}

}  // namespace

nlohmann::json peer_json(const actors::PeerCounters& peer, actors::Clock::time_point now,
                         std::chrono::system_clock::time_point wall_now) {
  const actors::PeerStatus::Snapshot status = peer.status.read();
  return {{"public_key", peer.public_key},
          {"rx_packets", peer.rx_packets.get()},
          {"rx_bytes", peer.rx_bytes.get()},
          {"tx_packets", peer.tx_packets.get()},
          {"tx_bytes", peer.tx_bytes.get()},
          {"keepalives_sent", peer.keepalives_sent.get()},
          {"keepalives_received", peer.keepalives_received.get()},
          {"sessions_installed", peer.sessions_installed.get()},
          {"endpoint", status.endpoint ? nlohmann::json(config::to_string(*status.endpoint))
                                       : nlohmann::json(nullptr)},
          {"last_handshake_unix_s",
           status.last_handshake
               ? nlohmann::json(actors::to_unix_seconds(*status.last_handshake, now, wall_now))
               : nlohmann::json(nullptr)},
          {"current_keypair_age_s", age_json(status.current_keypair_created, now)},
          {"previous_keypair_age_s", age_json(status.previous_keypair_created, now)}};
}

nlohmann::json stats_snapshot(const actors::Gateway& gateway,
                              std::chrono::steady_clock::time_point started) {
  const config::GatewayConfig& config = gateway.config();  // what a reload cannot change
  const std::uint64_t capacity = config.topology.mailbox_capacity;
  nlohmann::json actors = nlohmann::json::array();
  for (const auto& counters : gateway.gateway_counters()) {
    actors.push_back(actor_json(*counters, capacity));
  }
  nlohmann::json peers = nlohmann::json::array();
  const auto now = actors::Clock::now();
  const auto wall_now = std::chrono::system_clock::now();
  for (const auto& peer : gateway.peer_counters()) peers.push_back(peer_json(*peer, now, wall_now));
  return {
      {"version", kControlProtocolVersion},
      {"name", config.interface.name},
      {"topology", std::string(config::to_string(config.topology.kind))},
      {"crypto_workers", config.topology.crypto_workers},
      {"uptime_s",
       std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
      {"actors", actors},
      {"ports",
       {port_json(gateway, config::PortRole::kLan), port_json(gateway, config::PortRole::kWan)}},
      {"peers", peers}};
}

}  // namespace actorwire::apps
