// The Prometheus rendering of a stats snapshot (apps/prometheus_text.hpp), from a snapshot
// written out by hand: the exact sample lines (names, labels, seconds from nanoseconds, the busy
// ratio; per port, what it received, missed and sent), HELP and TYPE before every family's samples,
// counters ending in _total, unknown peer state left out rather than written as 0, and label values
// escaped.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "apps/prometheus_text.hpp"

using actorwire::apps::escape_label_value;
using actorwire::apps::prometheus_text;

namespace {

const char* const kPeerKey = "SHy3zMv63hs31wo5cep0gRlaHLXksQZplnkFSxVzR3A=";
const char* const kQuietPeerKey = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

nlohmann::json known_snapshot() {
  return nlohmann::json::parse(std::string(R"({
    "version": 1, "name": "edge1", "topology": "pipeline", "crypto_workers": 2, "uptime_s": 12.5,
    "actors": [
      {"name": "rx", "packets_in": 1000, "bytes_in": 64000, "packets_out": 990,
       "bytes_out": 63360, "drops": {"no_peer": 7, "tx_full": 3},
       "mailbox": {"depth": 2, "high_water": 8, "capacity": 8}, "credit_stalls": 42,
       "backoff_events": 5, "backoff_ns": 1500000, "batch_pool_misses": 6, "lock_wait_ns": 0,
       "busy_ns": 3000000000, "idle_ns": 1000000000, "icmp_sent": 1, "icmp_suppressed": 2,
       "mss_clamped": 3, "packets_fragmented": 4},
      {"name": "handshake", "packets_in": 0, "bytes_in": 0, "packets_out": 0, "bytes_out": 0,
       "drops": {}, "mailbox": {"depth": 0, "high_water": 0, "capacity": 8},
       "credit_stalls": 0, "backoff_events": 0, "backoff_ns": 0, "lock_wait_ns": 0,
       "busy_ns": 0, "idle_ns": 0, "icmp_sent": 0, "icmp_suppressed": 0, "mss_clamped": 0,
       "packets_fragmented": 0, "cookie_replies_sent": 4, "noise_messages": 9}
    ],
    "ports": [
      {"role": "lan", "device": "net_ring0", "rx_packets": 1000, "rx_missed": 0,
       "tx_packets": 12, "tx_errors": 0},
      {"role": "wan", "device": "net_af_packet1,iface=wan", "rx_packets": 240000,
       "rx_missed": 133, "tx_packets": 990, "tx_errors": 1}
    ],
    "peers": [
      {"public_key": ")") + kPeerKey +
                               R"(", "rx_packets": 10, "rx_bytes": 1280,
       "tx_packets": 20, "tx_bytes": 2560, "keepalives_sent": 1, "keepalives_received": 2,
       "sessions_installed": 3, "endpoint": "[2001:db8::2]:51820",
       "last_handshake_unix_s": 1767225600.25, "current_keypair_age_s": 30.5,
       "previous_keypair_age_s": 150},
      {"public_key": ")" + kQuietPeerKey +
                               R"(", "rx_packets": 0, "rx_bytes": 0,
       "tx_packets": 0, "tx_bytes": 0, "keepalives_sent": 0, "keepalives_received": 0,
       "sessions_installed": 0, "endpoint": null, "last_handshake_unix_s": null,
       "current_keypair_age_s": null, "previous_keypair_age_s": null}
    ]})");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::vector<std::string>& lines, const std::string& wanted) {
  for (const auto& line : lines) {
    if (line == wanted) return true;
  }
  return false;
}

TEST(PrometheusText, AKnownSnapshotGivesTheseSamples) {
  const std::string text = prometheus_text(known_snapshot());
  const auto lines = lines_of(text);
  const std::string peer = std::string("{peer=\"") + kPeerKey + "\"}";
  for (const std::string& expected : {
           std::string(R"(actorwire_info{name="edge1",topology="pipeline",crypto_workers="2"} 1)"),
           std::string("actorwire_uptime_seconds 12.5"),
           std::string(R"(actorwire_stage_packets_total{stage="rx",direction="in"} 1000)"),
           std::string(R"(actorwire_stage_packets_total{stage="rx",direction="out"} 990)"),
           std::string(R"(actorwire_stage_bytes_total{stage="rx",direction="in"} 64000)"),
           std::string(R"(actorwire_stage_bytes_total{stage="rx",direction="out"} 63360)"),
           std::string(R"(actorwire_stage_drops_total{stage="rx",reason="no_peer"} 7)"),
           std::string(R"(actorwire_stage_drops_total{stage="rx",reason="tx_full"} 3)"),
           std::string(R"(actorwire_stage_cookie_replies_sent_total{stage="handshake"} 4)"),
           std::string(R"(actorwire_stage_noise_messages_total{stage="handshake"} 9)"),
           std::string(R"(actorwire_port_rx_packets_total{port="wan"} 240000)"),
           std::string(R"(actorwire_port_rx_missed_total{port="wan"} 133)"),
           std::string(R"(actorwire_port_rx_missed_total{port="lan"} 0)"),
           std::string(R"(actorwire_port_tx_packets_total{port="lan"} 12)"),
           std::string(R"(actorwire_port_tx_errors_total{port="wan"} 1)"),
           std::string(R"(actorwire_mailbox_depth{stage="rx"} 2)"),
           std::string(R"(actorwire_mailbox_high_water{stage="rx"} 8)"),
           std::string(R"(actorwire_mailbox_capacity{stage="rx"} 8)"),
           std::string(R"(actorwire_credit_stalls_total{stage="rx"} 42)"),
           std::string(R"(actorwire_backoff_events_total{stage="rx"} 5)"),
           std::string(R"(actorwire_backoff_seconds_total{stage="rx"} 0.0015)"),
           std::string(R"(actorwire_lock_wait_seconds_total{stage="rx"} 0)"),
           std::string(R"(actorwire_stage_busy_seconds_total{stage="rx"} 3)"),
           std::string(R"(actorwire_stage_idle_seconds_total{stage="rx"} 1)"),
           std::string(R"(actorwire_stage_busy_ratio{stage="rx"} 0.24)"),  // 3 s of 12.5
           std::string(R"(actorwire_stage_busy_ratio{stage="handshake"} 0)"),
           std::string(R"(actorwire_stage_icmp_sent_total{stage="rx"} 1)"),
           std::string(R"(actorwire_stage_icmp_suppressed_total{stage="rx"} 2)"),
           std::string(R"(actorwire_stage_mss_clamped_total{stage="rx"} 3)"),
           std::string(R"(actorwire_stage_packets_fragmented_total{stage="rx"} 4)"),
           std::string(R"(actorwire_batch_pool_misses_total{stage="rx"} 6)"),
           std::string("actorwire_peer_rx_bytes_total") + peer + " 1280",
           std::string("actorwire_peer_tx_bytes_total") + peer + " 2560",
           std::string("actorwire_peer_rx_packets_total") + peer + " 10",
           std::string("actorwire_peer_tx_packets_total") + peer + " 20",
           std::string("actorwire_peer_keepalives_sent_total") + peer + " 1",
           std::string("actorwire_peer_keepalives_received_total") + peer + " 2",
           std::string("actorwire_peer_sessions_installed_total") + peer + " 3",
           std::string("actorwire_peer_last_handshake_timestamp_seconds") + peer + " 1767225600.25",
           std::string("actorwire_peer_current_keypair_age_seconds") + peer + " 30.5",
           std::string("actorwire_peer_previous_keypair_age_seconds") + peer + " 150",
           std::string("actorwire_peer_endpoint_info{peer=\"") + kPeerKey +
               R"(",endpoint="[2001:db8::2]:51820"} 1)",
           std::string("# TYPE actorwire_stage_packets_total counter"),
           std::string("# TYPE actorwire_stage_busy_ratio gauge"),
       }) {
    EXPECT_TRUE(has_line(lines, expected)) << "missing: " << expected << "\nin:\n" << text;
  }
  // The quiet peer has traffic counters (0) but no handshake, keypairs or endpoint: absent,
  // not 0 (a 0 timestamp would read as 1970).
  const std::string quiet = std::string("{peer=\"") + kQuietPeerKey + "\"}";
  EXPECT_TRUE(has_line(lines, "actorwire_peer_rx_bytes_total" + quiet + " 0"));
  for (const auto& line : lines) {
    if (line.find(kQuietPeerKey) == std::string::npos) continue;
    EXPECT_EQ(line.find("handshake_timestamp"), std::string::npos) << line;
    EXPECT_EQ(line.find("keypair_age"), std::string::npos) << line;
    EXPECT_EQ(line.find("endpoint_info"), std::string::npos) << line;
  }
}

// The format's rules as promtool checks them: every sample's family was introduced by HELP and
// TYPE first, each family once, counters end in _total, values are numbers.
TEST(PrometheusText, EveryFamilyHasHelpAndTypeBeforeItsSamples) {
  const auto lines = lines_of(prometheus_text(known_snapshot()));
  std::map<std::string, std::string> type_of;
  std::map<std::string, int> help_count;
  std::string current;
  std::size_t samples = 0;
  for (const auto& line : lines) {
    ASSERT_FALSE(line.empty());
    if (line.rfind("# HELP ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_EQ(++help_count[name], 1) << "family written twice: " << name;
      current = name;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_EQ(name, current) << "TYPE without its HELP";
      type_of[name] = line.substr(line.rfind(' ') + 1);
      if (type_of[name] == "counter") {
        EXPECT_TRUE(name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0) << name;
      } else {
        EXPECT_EQ(type_of[name], "gauge") << name;
      }
      continue;
    }
    const std::string name = line.substr(0, line.find_first_of("{ "));
    EXPECT_EQ(name, current) << "a sample outside its family: " << line;
    EXPECT_TRUE(type_of.count(name)) << line;
    const std::string value = line.substr(line.rfind(' ') + 1);
    EXPECT_NO_THROW((void)std::stod(value)) << line;
    ++samples;
  }
  EXPECT_GT(samples, 40u);
}

TEST(PrometheusText, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label_value("plain-name_0"), "plain-name_0");
  EXPECT_EQ(escape_label_value(R"(a"b)"), R"(a\"b)");
  EXPECT_EQ(escape_label_value(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(escape_label_value("a\nb"), R"(a\nb)");
  auto snapshot = known_snapshot();
  snapshot["actors"][0]["name"] = "we\"ird\\stage\nname";
  const auto lines = lines_of(prometheus_text(snapshot));
  EXPECT_TRUE(has_line(lines, R"(actorwire_mailbox_depth{stage="we\"ird\\stage\nname"} 2)"));
}

TEST(PrometheusText, AnEmptyOrPartialSnapshotStillRenders) {
  const auto lines = lines_of(prometheus_text(nlohmann::json::object()));
  EXPECT_TRUE(has_line(lines, R"(actorwire_info{name="",topology="",crypto_workers="0"} 1)"));
  EXPECT_TRUE(has_line(lines, "actorwire_uptime_seconds 0"));
}

}  // namespace
