#include "apps/prometheus_text.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <utility>
#include <vector>

namespace actorwire::apps {
namespace {

using Json = nlohmann::json;
using Labels = std::vector<std::pair<std::string_view, std::string>>;

// A number of the snapshot as the text format writes it: integers exactly, others shortest
// round-trip ("1e-09", "0.25"); a missing field (an older snapshot) is 0.
std::string format_value(const Json& value) {
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (!value.is_number()) return "0";
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value.get<double>());
  return {text, result.ptr};
}

double nanoseconds_to_seconds(const Json& value) {
  return value.is_number() ? value.get<double>() / 1e9 : 0.0;
}

// Writes families one after the other: HELP and TYPE, then every sample of that family.
class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    name_ = name;
    text_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    text_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }
  void sample(const Labels& labels, const Json& value) {
    text_.append(name_);
    if (!labels.empty()) {
      text_ += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i != 0) text_ += ',';
        text_.append(labels[i].first).append("=\"");
        text_.append(escape_label_value(labels[i].second)).append("\"");
      }
      text_ += '}';
    }
    text_.append(" ").append(format_value(value)).append("\n");
  }
  std::string take() { return std::move(text_); }

 private:
  std::string name_;
  std::string text_;
};

std::string text_of(const Json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

const Json& field(const Json& object, const char* key) {
  static const Json kMissing;
  const auto found = object.find(key);
  return found == object.end() ? kMissing : *found;
}

// One value per stage (or per peer): name, type, help, and how to read it from the entry.
struct SimpleFamily {
  std::string_view name;
  std::string_view type;
  std::string_view help;
  std::function<Json(const Json&)> read;
};

// Busy seconds over wall-clock seconds since start, as the live view's busy % and the paper's
// Fig. 16. Not busy / (busy + idle): a scheduled stage that backs off or waits for a message is
// neither busy nor polling, and would look ~100 % busy while mostly asleep.
double busy_ratio(const Json& actor, double uptime_s) {
  const double busy = nanoseconds_to_seconds(field(actor, "busy_ns"));
  return uptime_s > 0 ? std::min(1.0, busy / uptime_s) : 0.0;
}

const std::vector<SimpleFamily>& stage_families() {
  static const std::vector<SimpleFamily> families = {
      {"actorwire_mailbox_depth", "gauge", "Batches waiting in the stage's mailbox now.",
       [](const Json& a) { return field(field(a, "mailbox"), "depth"); }},
      {"actorwire_mailbox_high_water", "gauge", "Most batches ever waiting in the stage's mailbox.",
       [](const Json& a) { return field(field(a, "mailbox"), "high_water"); }},
      {"actorwire_mailbox_capacity", "gauge",
       "Batches in flight allowed per edge into the stage (credits, [topology] mailbox_capacity).",
       [](const Json& a) { return field(field(a, "mailbox"), "capacity"); }},
      {"actorwire_credit_stalls_total", "counter",
       "Times the stage had work but no credit from downstream (back-pressure).",
       [](const Json& a) { return field(a, "credit_stalls"); }},
      {"actorwire_backoff_events_total", "counter",
       "Times the stage backed off polling while downstream had no credit.",
       [](const Json& a) { return field(a, "backoff_events"); }},
      {"actorwire_backoff_seconds_total", "counter", "Time the stage spent backed off.",
       [](const Json& a) { return Json(nanoseconds_to_seconds(field(a, "backoff_ns"))); }},
      {"actorwire_batch_pool_misses_total", "counter",
       "Pipeline batches the stage allocated because the batch pool was empty.",
       [](const Json& a) { return field(a, "batch_pool_misses"); }},
      {"actorwire_lock_wait_seconds_total", "counter",
       "Time the stage waited for the shared peer table's lock (workers-* topologies).",
       [](const Json& a) { return Json(nanoseconds_to_seconds(field(a, "lock_wait_ns"))); }},
      {"actorwire_stage_busy_seconds_total", "counter",
       "Polling time spent in loops that moved packets.",
       [](const Json& a) { return Json(nanoseconds_to_seconds(field(a, "busy_ns"))); }},
      {"actorwire_stage_idle_seconds_total", "counter",
       "Polling time spent in loops that found nothing to do.",
       [](const Json& a) { return Json(nanoseconds_to_seconds(field(a, "idle_ns"))); }},
      {"actorwire_stage_icmp_sent_total", "counter",
       "ICMP messages the stage sent (errors and echo replies).",
       [](const Json& a) { return field(a, "icmp_sent"); }},
      {"actorwire_stage_icmp_suppressed_total", "counter",
       "ICMP errors the stage did not send (rate limit, or not allowed about that packet).",
       [](const Json& a) { return field(a, "icmp_suppressed"); }},
      {"actorwire_stage_mss_clamped_total", "counter",
       "TCP SYNs whose MSS the stage lowered to fit the tunnel.",
       [](const Json& a) { return field(a, "mss_clamped"); }},
      {"actorwire_stage_packets_fragmented_total", "counter",
       "Packets the stage split into IPv4 fragments.",
       [](const Json& a) { return field(a, "packets_fragmented"); }},
      {"actorwire_stage_cookie_replies_sent_total", "counter",
       "Cookie replies sent under load to handshake messages without a valid mac2.",
       [](const Json& a) { return field(a, "cookie_replies_sent"); }},
      {"actorwire_stage_noise_messages_total", "counter",
       "Handshake messages that reached the Noise code (past mac1, and mac2 under load).",
       [](const Json& a) { return field(a, "noise_messages"); }},
  };
  return families;
}

const std::vector<SimpleFamily>& port_families() {
  static const std::vector<SimpleFamily> families = {
      {"actorwire_port_rx_packets_total", "counter", "Frames the port received.",
       [](const Json& p) { return field(p, "rx_packets"); }},
      {"actorwire_port_rx_missed_total", "counter",
       "Frames that reached the port but not the gateway (NIC imissed, af_packet socket drops): "
       "port drops, on top of the stages' drops.",
       [](const Json& p) { return field(p, "rx_missed"); }},
      {"actorwire_port_tx_packets_total", "counter", "Frames the port transmitted.",
       [](const Json& p) { return field(p, "tx_packets"); }},
      {"actorwire_port_tx_errors_total", "counter", "Frames the port failed to transmit.",
       [](const Json& p) { return field(p, "tx_errors"); }},
  };
  return families;
}

const std::vector<SimpleFamily>& peer_families() {
  static const std::vector<SimpleFamily> families = {
      {"actorwire_peer_rx_bytes_total", "counter",
       "WireGuard message bytes received from the peer (as wg show counts transfer).",
       [](const Json& p) { return field(p, "rx_bytes"); }},
      {"actorwire_peer_tx_bytes_total", "counter", "WireGuard message bytes sent to the peer.",
       [](const Json& p) { return field(p, "tx_bytes"); }},
      {"actorwire_peer_rx_packets_total", "counter",
       "Authenticated WireGuard transport messages received from the peer.",
       [](const Json& p) { return field(p, "rx_packets"); }},
      {"actorwire_peer_tx_packets_total", "counter",
       "WireGuard transport messages sent to the peer.",
       [](const Json& p) { return field(p, "tx_packets"); }},
      {"actorwire_peer_keepalives_sent_total", "counter", "Keepalives sent to the peer.",
       [](const Json& p) { return field(p, "keepalives_sent"); }},
      {"actorwire_peer_keepalives_received_total", "counter", "Keepalives received from the peer.",
       [](const Json& p) { return field(p, "keepalives_received"); }},
      {"actorwire_peer_sessions_installed_total", "counter",
       "Transport keypairs installed for the peer (completed handshakes).",
       [](const Json& p) { return field(p, "sessions_installed"); }},
      // Known only once it happened: absent rather than a misleading 0 (1970).
      {"actorwire_peer_last_handshake_timestamp_seconds", "gauge",
       "Unix time of the peer's latest completed handshake (as wg show's latest handshake).",
       [](const Json& p) { return field(p, "last_handshake_unix_s"); }},
      {"actorwire_peer_current_keypair_age_seconds", "gauge",
       "Age of the peer's current transport keypair.",
       [](const Json& p) { return field(p, "current_keypair_age_s"); }},
      {"actorwire_peer_previous_keypair_age_seconds", "gauge",
       "Age of the peer's previous transport keypair (still accepted for packets in flight).",
       [](const Json& p) { return field(p, "previous_keypair_age_s"); }},
  };
  return families;
}

void write_simple(Exposition& out, const Json& entries, std::string_view label,
                  const char* label_field, const std::vector<SimpleFamily>& families) {
  for (const auto& family : families) {
    out.family(family.name, family.type, family.help);
    for (const auto& entry : entries) {
      const Json value = family.read(entry);
      if (value.is_number()) out.sample({{label, text_of(entry, label_field)}}, value);
    }
  }
}

// A counter family with a `direction` label: in and out of each stage.
void write_directions(Exposition& out, const Json& actors, std::string_view name,
                      std::string_view help, const char* in_field, const char* out_field) {
  out.family(name, "counter", help);
  for (const auto& actor : actors) {
    const std::string stage = text_of(actor, "name");
    out.sample({{"stage", stage}, {"direction", "in"}}, field(actor, in_field));
    out.sample({{"stage", stage}, {"direction", "out"}}, field(actor, out_field));
  }
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string prometheus_text(const Json& snapshot) {
  static const Json kNoEntries = Json::array();
  const Json& actors = field(snapshot, "actors").is_array() ? snapshot["actors"] : kNoEntries;
  const Json& peers = field(snapshot, "peers").is_array() ? snapshot["peers"] : kNoEntries;
  const Json& ports = field(snapshot, "ports").is_array() ? snapshot["ports"] : kNoEntries;
  Exposition out;
  out.family("actorwire_info", "gauge",
             "The gateway: instance name, topology and crypto workers (value always 1).");
  out.sample({{"name", text_of(snapshot, "name")},
              {"topology", text_of(snapshot, "topology")},
              {"crypto_workers", format_value(field(snapshot, "crypto_workers"))}},
             1);
  out.family("actorwire_uptime_seconds", "gauge", "Seconds since the daemon started.");
  out.sample({}, field(snapshot, "uptime_s").is_number() ? snapshot["uptime_s"] : Json(0));

  write_directions(out, actors, "actorwire_stage_packets_total",
                   "Packets a stage took in (direction in) and passed on or sent (direction out).",
                   "packets_in", "packets_out");
  write_directions(
      out, actors, "actorwire_stage_bytes_total",
      "Bytes of the packets a stage took in and passed on (frames as the stage sees them).",
      "bytes_in", "bytes_out");
  out.family("actorwire_stage_drops_total", "counter",
             "Packets a stage dropped, by reason (a reason appears once it has happened).");
  for (const auto& actor : actors) {
    const Json& drops = field(actor, "drops");
    if (!drops.is_object()) continue;
    for (const auto& [reason, count] : drops.items()) {
      out.sample({{"stage", text_of(actor, "name")}, {"reason", reason}}, count);
    }
  }
  write_simple(out, actors, "stage", "name", stage_families());
  out.family("actorwire_stage_busy_ratio", "gauge",
             "Share of wall-clock time since the daemon started that the stage spent moving "
             "packets (busy seconds / uptime).");
  const double uptime_s =
      field(snapshot, "uptime_s").is_number() ? snapshot["uptime_s"].get<double>() : 0.0;
  for (const auto& actor : actors) {
    out.sample({{"stage", text_of(actor, "name")}}, busy_ratio(actor, uptime_s));
  }

  out.family("actorwire_peer_endpoint_info", "gauge",
             "The peer's current endpoint (value always 1; changes when the peer roams).");
  for (const auto& peer : peers) {
    const std::string endpoint = text_of(peer, "endpoint");
    if (endpoint.empty()) continue;
    out.sample({{"peer", text_of(peer, "public_key")}, {"endpoint", endpoint}}, 1);
  }
  write_simple(out, peers, "peer", "public_key", peer_families());
  write_simple(out, ports, "port", "role", port_families());
  return out.take();
}

}  // namespace actorwire::apps
