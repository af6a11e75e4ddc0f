// One frame of `actorwire stats` as text (apps/stats_frame.hpp), the numbers' formats, and
// reading snapshots that lack fields.
#include <gtest/gtest.h>

#include <algorithm>

#include "apps/stats_format.hpp"
#include "apps/stats_frame.hpp"
#include "stats_samples.hpp"

namespace actorwire::apps {
namespace {

using testing::advanced;

// The first line containing `needle`, or -1.
int line_with(const Frame& frame, const std::string& needle) {
  for (std::size_t i = 0; i < frame.lines.size(); ++i) {
    if (frame.lines[i].find(needle) != std::string::npos) return static_cast<int>(i);
  }
  return -1;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

StatsSample with_peer(StatsSample sample) {
  PeerSample peer;
  peer.public_key = "SHy3zMv63hs31wo5cep0gRlaHLXksQZplnkFSxVzR3A=";
  peer.rx_bytes = 1000;
  peer.tx_bytes = 5000;
  sample.peers.push_back(peer);
  return sample;
}

TEST(StatsFrame, PipelineIsDrawnAsWired) {
  const StatsSample before = testing::pipeline(2);
  const StatsSample now = advanced(before, {{"rx", 0.1, 1000}, {"lookup", 0.1, 1000}});
  const Frame frame = render_frame(&before, now, {});
  const int names = line_with(frame, "| rx ");
  ASSERT_GE(names, 0) << frame.text();
  const std::string& row = frame.lines[static_cast<std::size_t>(names)];
  const auto rx = row.find("rx");
  const auto lookup = row.find("lookup");
  const auto crypto0 = row.find("crypto0");
  const auto tx = row.find("| tx");
  ASSERT_NE(lookup, std::string::npos) << frame.text();
  ASSERT_NE(crypto0, std::string::npos) << frame.text();
  ASSERT_NE(tx, std::string::npos) << frame.text();
  EXPECT_LT(rx, lookup);
  EXPECT_LT(lookup, crypto0);
  EXPECT_LT(crypto0, tx);
  EXPECT_NE(row.find("--->"), std::string::npos) << row;  // rx to lookup
  EXPECT_NE(row.find("-+->"), std::string::npos) << row;  // lookup fans out to the workers
  // crypto1 stacked under crypto0, in the same column, entered by an arrow.
  const int second = line_with(frame, "crypto1");
  ASSERT_GT(second, names);
  EXPECT_EQ(frame.lines[static_cast<std::size_t>(second)].find("crypto1"), crypto0);
  EXPECT_NE(frame.lines[static_cast<std::size_t>(second)].find("+->| crypto1"), std::string::npos);
  // The handshake actor apart, a line of its own below the graph.
  const int handshake = line_with(frame, "handshake (control)");
  EXPECT_GT(handshake, second);
  EXPECT_EQ(frame.lines[0].rfind("actorwire aw0: pipeline, 2 crypto workers, 0 peers", 0), 0u)
      << frame.lines[0];
}

TEST(StatsFrame, RatesAndTotals) {
  const StatsSample before = testing::pipeline(2);
  const StatsSample now = advanced(before, {{"rx", 0.25, 2000}}, 2.0);  // 1000 packets/s
  FrameOptions options;
  const Frame rates = render_frame(&before, now, options);
  EXPECT_NE(line_with(rates, "in  1.00kpps 800kbps"), -1) << rates.text();
  EXPECT_NE(line_with(rates, "busy  25%"), -1) << rates.text();
  EXPECT_NE(line_with(rates, "[rates per second]"), -1);
  options.mode = FigureMode::kTotals;
  const Frame totals = render_frame(&before, now, options);
  EXPECT_NE(line_with(totals, "in  2.00kpk  200kB"), -1) << totals.text();
  EXPECT_NE(line_with(totals, "[totals]"), -1);
  EXPECT_EQ(line_with(totals, "pps"), -1) << totals.text();
}

TEST(StatsFrame, MailboxBarAndDrops) {
  StatsSample before = testing::pipeline(2);
  before.actors[1].drops = {{"no_peer", 5}};
  StatsSample now = advanced(before, {{"lookup", 0.5, 100}});
  now.actors[1].mailbox_depth = 2;
  now.actors[1].mailbox_high_water = 6;
  now.actors[1].drops = {{"no_peer", 15}, {"tx_full", 1}, {"no_session", 3}};
  const Frame frame = render_frame(&before, now, {});
  EXPECT_NE(line_with(frame, "mbox [##---.] 2/6/8"), -1) << frame.text();
  EXPECT_NE(line_with(frame, "drops 14/s"), -1) << frame.text();
  EXPECT_NE(line_with(frame, " no_peer 10/s"), -1) << frame.text();
  EXPECT_NE(line_with(frame, " +2 more (--json)"), -1) << frame.text();
}

TEST(StatsFrame, TheBottleneckIsMarkedOnItsBoxOnly) {
  const StatsSample before = testing::pipeline(2);
  const StatsSample now = advanced(
      before, {{"rx", 0.2, 1000, 0, 40}, {"lookup", 0.3, 1000, 500}, {"crypto1", 1.0, 500}});
  const Frame frame = render_frame(&before, now, {});
  EXPECT_EQ(count_of(frame.text(), kBottleneckMarker), 1u) << frame.text();
  const int marker = line_with(frame, kBottleneckMarker);
  const int name = line_with(frame, "| crypto1");
  ASSERT_GE(marker, 0);
  EXPECT_EQ(name, marker + 1) << frame.text();
  EXPECT_EQ(frame.lines[static_cast<std::size_t>(marker)].find("+== BOTTLENECK"),
            frame.lines[static_cast<std::size_t>(name)].find("| crypto1"));
  EXPECT_NE(line_with(frame, "bottleneck: crypto1 (busy 100%"), -1) << frame.text();
  ASSERT_EQ(frame.emphasis.size(), 2u);
  EXPECT_EQ(frame.emphasis[0].line, static_cast<std::size_t>(marker));
  EXPECT_EQ(frame.emphasis[0].length, kBoxWidth);
}

TEST(StatsFrame, NoBottleneckSaysSo) {
  const StatsSample before = testing::pipeline(2);
  const Frame frame = render_frame(&before, advanced(before, {}), {});
  EXPECT_EQ(line_with(frame, kBottleneckMarker), -1);
  EXPECT_NE(line_with(frame, "bottleneck: none"), -1) << frame.text();
}

TEST(StatsFrame, FirstSnapshotHasNoRatesYet) {
  const StatsSample now = with_peer(testing::pipeline(1));
  const Frame frame = render_frame(nullptr, now, {});
  EXPECT_NE(line_with(frame, "busy    -"), -1) << frame.text();
  EXPECT_NE(line_with(frame, "in  -"), -1) << frame.text();
  EXPECT_NE(line_with(frame, "bottleneck: (needs two snapshots)"), -1) << frame.text();
}

TEST(StatsFrame, PeerFieldsAbsentShowADash) {
  const StatsSample before = with_peer(testing::single());
  StatsSample now = advanced(before, {});
  now.peers[0].rx_bytes += 2048;
  const Frame frame = render_frame(&before, now, {});
  const int row = line_with(frame, "SHy3zMv63hs3..");
  ASSERT_GE(row, 0) << frame.text();
  const std::string& line = frame.lines[static_cast<std::size_t>(row)];
  EXPECT_NE(line.find(" - "), std::string::npos) << line;  // endpoint, handshake
  EXPECT_NE(line.find("2.05kB/s"), std::string::npos) << line;
  EXPECT_NE(line.find("- / -"), std::string::npos) << line;  // keypair ages
}

TEST(StatsFrame, PeerFieldsPresent) {
  StatsSample now = with_peer(testing::single());
  now.peers[0].endpoint = "[2001:db8::2]:51820";
  now.peers[0].last_handshake_unix_s = 1000;
  now.peers[0].current_keypair_age_s = 95;
  now.peers[0].previous_keypair_age_s = 215;
  FrameOptions options;
  options.mode = FigureMode::kTotals;
  options.now_unix_s = 1012;
  const Frame frame = render_frame(nullptr, now, options);
  const int row = line_with(frame, "SHy3zMv63hs3..");
  ASSERT_GE(row, 0) << frame.text();
  const std::string& line = frame.lines[static_cast<std::size_t>(row)];
  EXPECT_NE(line.find("[2001:db8::2]:51820"), std::string::npos) << line;
  EXPECT_NE(line.find("12s ago"), std::string::npos) << line;
  EXPECT_NE(line.find("1.00kB"), std::string::npos) << line;
  EXPECT_NE(line.find("1m35s / 3m35s"), std::string::npos) << line;
}

TEST(StatsFrame, WorkersSideBySideWithoutArrows) {
  const StatsSample before = testing::workers(3);
  const Frame frame = render_frame(&before, advanced(before, {{"worker1", 0.5, 10}}), {});
  const int row = line_with(frame, "| worker0");
  ASSERT_GE(row, 0) << frame.text();
  const std::string& line = frame.lines[static_cast<std::size_t>(row)];
  EXPECT_NE(line.find("| worker2"), std::string::npos) << line;
  EXPECT_EQ(line.find("->"), std::string::npos) << line;
  EXPECT_NE(line_with(frame, "handshake (control)"), -1);
}

TEST(StatsFrame, SmallTerminalIsCutNotBroken) {
  const StatsSample before = with_peer(testing::pipeline(4));
  const StatsSample now = advanced(
      before, {{"rx", 0.2, 1000, 0, 40}, {"lookup", 0.3, 1000, 500}, {"crypto3", 1.0, 500}});
  for (const std::size_t width : {0u, 1u, 20u, 80u}) {
    for (const std::size_t height : {1u, 3u, 24u}) {
      FrameOptions options;
      options.width = width;
      options.height = height;
      options.legend = true;
      const Frame frame = render_frame(&before, now, options);
      ASSERT_LE(frame.lines.size(), height);
      for (const std::string& line : frame.lines) {
        if (width > 0) {
          EXPECT_LE(line.size(), width);
        }
      }
      EXPECT_EQ(frame.lines.back(),
                std::string(kLegend).substr(0, width == 0 ? std::string::npos : width));
      for (const Emphasis& emphasis : frame.emphasis) {
        ASSERT_LT(emphasis.line, frame.lines.size());
        EXPECT_LE(emphasis.column + emphasis.length, frame.lines[emphasis.line].size());
      }
    }
  }
}

TEST(StatsFrame, OnlyPrintableAscii) {
  StatsSample now = testing::single();
  now.name = "a\x1b[2Jb";
  now.actors[0].name = "sin\xc3\xa9gle";
  const Frame frame = render_frame(nullptr, now, {});
  for (const std::string& line : frame.lines) {
    for (const char c : line) EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << line;
  }
}

TEST(StatsFormat, CompactNumbers) {
  EXPECT_EQ(compact_number(0), "0");
  EXPECT_EQ(compact_number(-3), "0");
  EXPECT_EQ(compact_number(7.5), "7.5");
  EXPECT_EQ(compact_number(999), "999");
  EXPECT_EQ(compact_number(1000), "1.00k");
  EXPECT_EQ(compact_number(12345), "12.3k");
  EXPECT_EQ(compact_number(1.63e6), "1.63M");
  EXPECT_EQ(compact_number(999.9e6), "1.00G");
  EXPECT_EQ(compact_number(18e9), "18.0G");
  EXPECT_EQ(age_text(95), "1m35s");
  EXPECT_EQ(age_text(59), "59s");
  EXPECT_EQ(age_text(3 * 3600 + 7 * 60), "3h07m");
  EXPECT_EQ(age_text(-5), "0s");
}

TEST(StatsSampleParse, MissingAndWrongFieldsReadAsZeroOrAbsent) {
  const auto json = nlohmann::json::parse(R"({
    "version": 1, "name": "aw0", "topology": "pipeline", "crypto_workers": "two",
    "actors": [{"name": "rx", "packets_in": -4, "drops": {"no_peer": 3, "odd": "x"},
                "mailbox": null}, 7, null],
    "peers": [{"public_key": "k", "endpoint": null, "last_handshake_unix_s": null,
               "current_keypair_age_s": 12.5}]
  })");
  const StatsSample sample = parse_stats_sample(json);
  EXPECT_EQ(sample.crypto_workers, 0u);
  ASSERT_EQ(sample.actors.size(), 1u);
  EXPECT_EQ(sample.actors[0].packets_in, 0u);
  EXPECT_EQ(sample.actors[0].drops_total(), 3u);
  ASSERT_EQ(sample.peers.size(), 1u);
  EXPECT_FALSE(sample.peers[0].endpoint.has_value());
  EXPECT_FALSE(sample.peers[0].last_handshake_unix_s.has_value());
  EXPECT_EQ(sample.peers[0].current_keypair_age_s, 12.5);
  EXPECT_NO_THROW(parse_stats_sample(nlohmann::json::array()));
  EXPECT_NO_THROW(parse_stats_sample(nlohmann::json()));
}

}  // namespace
}  // namespace actorwire::apps
