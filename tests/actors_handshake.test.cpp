// Two actorwire gateways in one process, WAN to WAN over in-process rings, no static keys: the
// Noise handshake runs between their control actors, then traffic flows both ways and every
// packet arrives byte-exact and in order. Then the WAN is attacked: replayed transport packets,
// a replayed initiation, garbage, truncated handshakes, forged and misdirected packets are all
// counted drops, and the tunnel keeps working. Under load, a cookie round trip is required.
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "actors/gateway.hpp"
#include "config/load_config.hpp"
#include "crypto/keys.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/rss.hpp"
#include "io/traffic_generator.hpp"
#include "ring_relay.hpp"

using namespace actorwire;
using namespace std::chrono_literals;

namespace {

std::string secret_base64(const crypto::SecretKey& key) {
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(out, sizeof out, key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
  return out;
}

struct Site {
  char name;                // 'a' or 'b'
  std::string wan_ip;       // 192.0.2.1 / .2
  std::string lan_subnet;   // the site's hosts (the peer's allowed_ips)
  std::string lan_gateway;  // our LAN address
  std::string lan_router;   // next hop on the LAN (static neighbour)
};

const Site kSiteA{'a', "192.0.2.1", "10.10.0.0/24", "10.98.0.1/24", "10.98.0.2"};
const Site kSiteB{'b', "192.0.2.2", "10.20.0.0/24", "10.99.0.1/24", "10.99.0.2"};

std::string wan_mac(char site) {
  return std::string("02:00:00:00:0") + site + ":01";
}

struct Param {
  bool psk;
  const char* kind;  // the topology both gateways run
  std::uint32_t workers;
};

std::string config_text(const Site& self, const Site& other, const crypto::SecretKey& private_key,
                        const crypto::PublicKey& peer_key, const std::string& psk,
                        const Param& param) {
  std::string text;
  text += "[interface]\nprivate_key = \"" + secret_base64(private_key) + "\"\n";
  text += "listen_port = 51820\n";
  text += "[[port]]\nrole = \"lan\"\ndevice = \"net_ring_" + std::string(1, self.name) +
          "lan\"\naddresses = [\"" + self.lan_gateway + "\"]\nnext_hop = \"" + self.lan_router +
          "\"\nneighbours = [{ ip = \"" + self.lan_router + "\", mac = \"02:00:00:00:0" +
          self.name + ":fe\" }]\n";
  text += "[[port]]\nrole = \"wan\"\ndevice = \"net_ring_" + std::string(1, self.name) +
          "wan\"\nmac = \"" + wan_mac(self.name) + "\"\naddresses = [\"" + self.wan_ip +
          "/24\"]\nneighbours = [{ ip = \"" + other.wan_ip + "\", mac = \"" + wan_mac(other.name) +
          "\" }]\n";
  text += "[[peer]]\npublic_key = \"" + crypto::to_base64(peer_key) + "\"\n";
  if (!psk.empty()) text += "preshared_key = \"" + psk + "\"\n";
  text +=
      "endpoint = \"" + other.wan_ip + ":51820\"\nallowed_ips = [\"" + other.lan_subnet + "\"]\n";
  text += std::string("[topology]\nkind = \"") + param.kind +
          "\"\ncrypto_workers = " + std::to_string(param.workers) + "\n";
  text +=
      "[dpdk]\neal_args = [\"--no-huge\", \"-m\", \"512\", \"--no-pci\", \"--no-shconf\", "
      "\"--file-prefix=" ACTORWIRE_TEST_NAME "\", \"--log-level=error\"]\nmbuf_count = 4096\n";
  return text;
}

config::GatewayConfig load(const std::string& text) {
  auto loaded = config::load_config_string(text, "<test>");
  for (const auto& error : loaded.errors) ADD_FAILURE() << error.to_string();
  return loaded.ok() ? *loaded.config : config::GatewayConfig{};
}

std::vector<std::uint8_t> copy_frame(rte_mbuf* mbuf) {
  const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
  return {data, data + mbuf->data_len};
}

// The WireGuard message type of a WAN frame (0 if it is not UDP).
std::uint8_t message_type(const std::vector<std::uint8_t>& frame) {
  io::ParsedFrame parsed;
  if (io::parse_frame(frame.data(), frame.size(), parsed) != io::FrameError::kNone ||
      parsed.kind != io::FrameKind::kIpv4) {
    return 0;
  }
  io::UdpView udp;
  if (io::parse_ipv4_udp(frame.data() + parsed.l3_offset, parsed.l3_length, udp) !=
      io::FrameError::kNone) {
    return 0;
  }
  return frame[parsed.l3_offset + udp.payload_offset];
}

class TwoGateways : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override { start({}); }

  void start(const actors::ControlPlaneOptions& b_control) {
    const auto key_a = crypto::random_secret_key();
    const auto key_b = crypto::random_secret_key();
    const std::string psk = GetParam().psk ? secret_base64(crypto::random_secret_key()) : "";
    config_a_ =
        load(config_text(kSiteA, kSiteB, key_a, crypto::derive_public_key(key_b), psk, GetParam()));
    config_b_ =
        load(config_text(kSiteB, kSiteA, key_b, crypto::derive_public_key(key_a), psk, GetParam()));
    std::string error;
    actors::GatewayOptions options;
    options.attach_generator = false;
    options.attach_sink = false;
    options.scheduler_threads = 1;
    a_ = actors::Gateway::start(config_a_, options, error);
    ASSERT_TRUE(a_) << error;
    options.control = b_control;
    b_ = actors::Gateway::start(config_b_, options, error);
    ASSERT_TRUE(b_) << error;
    pool_ = io::make_mbuf_pool("hs_test_pool_" + std::to_string(pool_serial_++), 4096, error);
    ASSERT_NE(pool_, nullptr) << error;
  }

  void TearDown() override {
    if (a_) a_->stop();
    if (b_) b_->stop();
    a_to_b_.clear();
    b_to_a_.clear();
    for (auto* gateway : {a_.get(), b_.get()}) {
      if (gateway == nullptr) continue;
      for (auto role : {config::PortRole::kLan, config::PortRole::kWan}) {
        for (rte_mbuf* m : drain_port(gateway->port(role))) rte_pktmbuf_free(m);
      }
    }
    a_.reset();
    b_.reset();
    if (pool_ != nullptr) rte_mempool_free(pool_);
  }

  static std::vector<rte_mbuf*> drain_all(rte_ring* ring) {
    std::vector<rte_mbuf*> out;
    void* object = nullptr;
    while (rte_ring_dequeue(ring, &object) == 0) out.push_back(static_cast<rte_mbuf*>(object));
    return out;
  }

  // Everything a port transmitted, over all its queues.
  static std::vector<rte_mbuf*> drain_port(io::Port& port) {
    std::vector<rte_mbuf*> out;
    for (std::uint16_t q = 0; q < port.queues(); ++q) {
      for (rte_mbuf* mbuf : drain_all(port.capture_ring(q))) out.push_back(mbuf);
    }
    return out;
  }

  // Puts a frame on the rx queue a NIC's RSS would pick.
  static int enqueue_rss(io::Port& port, rte_mbuf* mbuf) {
    const auto queue = io::rss_queue_for_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*),
                                               mbuf->data_len, port.queues());
    return rte_ring_enqueue(port.inject_ring(queue), mbuf);
  }

  // Moves WAN frames between the gateways; `tap` sees (and may drop: return false) each one.
  // Frames a full ring cannot take yet wait in the relay instead of being lost.
  void pump(const std::function<bool(char from, rte_mbuf*)>& tap = nullptr) {
    auto tap_from = [&tap](char from) -> test_support::RingRelay::Tap {
      if (!tap) return nullptr;
      return [&tap, from](rte_mbuf* mbuf) { return tap(from, mbuf); };
    };
    a_to_b_.pass(a_->port(config::PortRole::kWan), b_->port(config::PortRole::kWan), tap_from('a'));
    b_to_a_.pass(b_->port(config::PortRole::kWan), a_->port(config::PortRole::kWan), tap_from('b'));
  }

  void inject(actors::Gateway& gateway, const std::vector<std::uint8_t>& frame,
              config::PortRole role = config::PortRole::kWan) {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
    ASSERT_NE(mbuf, nullptr);
    auto* data = rte_pktmbuf_append(mbuf, static_cast<std::uint16_t>(frame.size()));
    std::memcpy(data, frame.data(), frame.size());
    ASSERT_EQ(enqueue_rss(gateway.port(role), mbuf), 0);
  }

  io::TrafficGenerator traffic(actors::Gateway& from, std::uint32_t source,
                               const char* destination) {
    io::TrafficPattern pattern;
    pattern.destination_mac = from.port(config::PortRole::kLan).identity().mac;
    pattern.source_ip = source;
    pattern.destination_prefix = *config::parse_ip_prefix(destination);
    pattern.flows = 8;
    pattern.ip_sizes = {64, 200, 1420, 36, 777};  // >= 36: room for the sequence number
    return io::TrafficGenerator(pattern);
  }

  // Sends `count` packets from `from`'s LAN and checks each leaves `to`'s LAN byte-exact and
  // exactly once (in order with `single`, which keeps it), pumping the WAN meanwhile.
  void send_and_check(actors::Gateway& from, actors::Gateway& to,
                      const io::TrafficGenerator& generator, std::uint64_t first,
                      std::uint64_t count,
                      const std::function<bool(char, rte_mbuf*)>& tap = nullptr) {
    for (std::uint64_t seq = first; seq < first + count; ++seq) {
      std::vector<std::uint8_t> frame(generator.frame_length(seq));
      generator.write_frame(seq, frame.data());
      inject(from, frame, config::PortRole::kLan);
    }
    const bool keeps_order = std::string(GetParam().kind) == "single";
    std::vector<bool> seen(count, false);
    std::uint64_t received = 0;
    std::uint64_t next = first;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (received < count && std::chrono::steady_clock::now() < deadline) {
      pump(tap);
      for (rte_mbuf* mbuf : drain_port(to.port(config::PortRole::kLan))) {
        const auto* data = rte_pktmbuf_mtod(mbuf, const std::uint8_t*);
        const std::size_t length = mbuf->data_len;
        const auto seq = io::TrafficGenerator::sequence_of(data + io::kEthernetHeaderSize,
                                                           length - io::kEthernetHeaderSize);
        EXPECT_TRUE(seq && *seq >= first && *seq < first + count) << "a packet we did not send";
        if (seq && *seq >= first && *seq < first + count) {
          EXPECT_FALSE(seen[*seq - first]) << "duplicate " << *seq;
          seen[*seq - first] = true;
          if (keeps_order) {
            EXPECT_EQ(*seq, next) << "out of order";
          }
          next = *seq + 1;
          std::vector<std::uint8_t> expected(generator.frame_length(*seq));
          generator.write_frame(*seq, expected.data());
          EXPECT_EQ(length, expected.size()) << "packet " << *seq;
          if (length == expected.size()) {
            EXPECT_EQ(std::memcmp(data + io::kEthernetHeaderSize,
                                  expected.data() + io::kEthernetHeaderSize,
                                  length - io::kEthernetHeaderSize),
                      0)
                << "packet " << *seq << " differs";
          }
        }
        EXPECT_EQ(
            std::memcmp(data + 6, to.port(config::PortRole::kLan).identity().mac.bytes.data(), 6),
            0);
        rte_pktmbuf_free(mbuf);
        ++received;
      }
      std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(received, count) << "packets missing";
  }

  // Lets timers and reports settle with the WAN connected.
  void settle(std::chrono::milliseconds duration) {
    const auto until = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < until) {
      pump();
      std::this_thread::sleep_for(1ms);
    }
  }

  static const actors::StageCounters& stage(actors::Gateway& gateway, const std::string& name) {
    for (const auto& counters : gateway.counters()) {
      if (counters->name == name) return *counters;
    }
    throw std::runtime_error("no stage " + name);
  }

  static std::string drops(const actors::StageCounters& c) {
    std::string out = c.name + " drops:";
    for (std::size_t r = 1; r < actors::kDropReasonCount; ++r) {
      const auto reason = static_cast<actors::DropReason>(r);
      if (const auto n = c.drops_of(reason)) {
        // Appended piecewise: GCC 12 -O3 reports a false -Wrestrict for `" " + std::string()`.
        out.append(" ").append(actors::to_string(reason)).append("=").append(std::to_string(n));
      }
    }
    return out;
  }

  // A drop reason summed over the data-plane stages (whichever topology runs).
  static std::uint64_t data_drops(actors::Gateway& gateway, actors::DropReason reason) {
    std::uint64_t total = 0;
    for (const auto& counters : gateway.counters()) {
      if (counters->name != "handshake") total += counters->drops_of(reason);
    }
    return total;
  }

  static std::string all_drops(actors::Gateway& gateway) {
    std::string out;
    for (const auto& counters : gateway.counters()) out += drops(*counters) + "; ";
    return out;
  }

  static void expect_balanced(const actors::StageCounters& c) {
    EXPECT_EQ(c.packets_in.get() + c.packets_generated.get(),
              c.packets_out.get() + c.packets_consumed.get() + c.drops_total())
        << c.name;
  }

  config::GatewayConfig config_a_;
  config::GatewayConfig config_b_;
  std::unique_ptr<actors::Gateway> a_;
  std::unique_ptr<actors::Gateway> b_;
  test_support::RingRelay a_to_b_;  // A's WAN output into B's WAN input
  test_support::RingRelay b_to_a_;
  rte_mempool* pool_ = nullptr;
  static inline int pool_serial_ = 0;
};

TEST_P(TwoGateways, HandshakeOnFirstPacketThenTrafficBothWays) {
  const auto a_to_b = traffic(*a_, 0x0A0A0005, "10.20.0.0/24");
  const auto b_to_a = traffic(*b_, 0x0A140007, "10.10.0.0/24");
  // A has no keys: the first packets wait (up to MAX_STAGED_PACKETS = 128), A initiates, B
  // responds, A sends them.
  send_and_check(*a_, *b_, a_to_b, 0, 100);
  send_and_check(*a_, *b_, a_to_b, 100, 100);
  // B (the responder) may send once A's packets confirmed the session.
  send_and_check(*b_, *a_, b_to_a, 0, 200);
  send_and_check(*a_, *b_, a_to_b, 200, 300);
  settle(50ms);

  const auto peer_a = a_->peer_counters().at(0);
  const auto peer_b = b_->peer_counters().at(0);
  EXPECT_EQ(peer_a->sessions_installed.get(), 1u);
  EXPECT_EQ(peer_b->sessions_installed.get(), 1u);
  // What one sent, the other received (keepalives included), to the byte.
  EXPECT_EQ(peer_a->tx_bytes.get(), peer_b->rx_bytes.get());
  EXPECT_EQ(peer_b->tx_bytes.get(), peer_a->rx_bytes.get());
  EXPECT_EQ(peer_a->tx_packets.get(), 500u + peer_a->keepalives_sent.get());
  // What `stats` shows per peer (read as a stats reader does, from this thread): the endpoint,
  // a handshake moments ago (A initiated; B's completed when A confirmed it), one keypair.
  const auto now = actors::Clock::now();
  const auto wall_now = std::chrono::system_clock::now();
  for (const auto& [peer, endpoint] :
       {std::pair{peer_a, kSiteB.wan_ip + ":51820"}, std::pair{peer_b, kSiteA.wan_ip + ":51820"}}) {
    const auto status = peer->status.read();
    ASSERT_TRUE(status.endpoint.has_value());
    EXPECT_EQ(config::to_string(*status.endpoint), endpoint);
    ASSERT_TRUE(status.last_handshake.has_value());
    const double unix_s = actors::to_unix_seconds(*status.last_handshake, now, wall_now);
    const double wall_s = std::chrono::duration<double>(wall_now.time_since_epoch()).count();
    EXPECT_GE(unix_s, wall_s - 60);
    EXPECT_LE(unix_s, wall_s + 1);
    ASSERT_TRUE(status.current_keypair_created.has_value());
    EXPECT_LE(now - *status.current_keypair_created, 60s);
    EXPECT_GE(now - *status.current_keypair_created, 0s);
    EXPECT_FALSE(status.previous_keypair_created.has_value()) << "one handshake, one keypair";
  }
  a_->stop();
  b_->stop();
  for (auto* gateway : {a_.get(), b_.get()}) {
    for (const auto& counters : gateway->counters()) {
      EXPECT_EQ(counters->drops_total(), 0u) << counters->name;
      expect_balanced(*counters);
    }
  }
}

TEST_P(TwoGateways, AttacksOnTheWanAreCountedDropsAndTheTunnelSurvives) {
  const auto a_to_b = traffic(*a_, 0x0A0A0005, "10.20.0.0/24");
  std::vector<std::uint8_t> initiation;
  std::vector<std::vector<std::uint8_t>> transport;
  auto record = [&](char from, rte_mbuf* mbuf) {
    if (from != 'a') return true;
    auto frame = copy_frame(mbuf);
    const std::uint8_t type = message_type(frame);
    if (type == 1 && initiation.empty()) initiation = frame;
    if (type == 4 && transport.size() < 3) transport.push_back(frame);
    return true;
  };
  send_and_check(*a_, *b_, a_to_b, 0, 50, record);
  ASSERT_FALSE(initiation.empty());
  ASSERT_EQ(transport.size(), 3u);
  const auto& control_b = stage(*b_, "handshake");
  using actors::DropReason;

  // Replayed transport packets: authenticated, but their counters were seen.
  for (const auto& frame : transport) inject(*b_, frame);
  // The replayed initiation: its timestamp is not newer than the one accepted.
  inject(*b_, initiation);
  // A forged transport packet (a flipped ciphertext bit).
  auto forged = transport[0];
  forged[forged.size() - 20] ^= 0x01;
  inject(*b_, forged);
  // An unknown receiver index.
  auto unknown = transport[1];
  io::ParsedFrame parsed;
  ASSERT_EQ(io::parse_frame(unknown.data(), unknown.size(), parsed), io::FrameError::kNone);
  const std::size_t message = parsed.l3_offset + io::kIpv4HeaderSize + io::kUdpHeaderSize;
  unknown[message + 4] ^= 0xFF;
  inject(*b_, unknown);
  // Garbage types and a truncated initiation (UDP length fixed up, checksum off).
  auto garbage = transport[2];
  garbage[message] = 9;
  inject(*b_, garbage);
  auto truncated = initiation;
  truncated.resize(message + 100);
  const std::uint16_t ip_length = static_cast<std::uint16_t>(truncated.size() - parsed.l3_offset);
  truncated[parsed.l3_offset + 2] = static_cast<std::uint8_t>(ip_length >> 8);
  truncated[parsed.l3_offset + 3] = static_cast<std::uint8_t>(ip_length);
  truncated[parsed.l3_offset + 10] = truncated[parsed.l3_offset + 11] = 0;
  const std::uint16_t checksum = io::ipv4_header_checksum(truncated.data() + parsed.l3_offset);
  // rte_ipv4_cksum's result is already in wire byte order.
  std::memcpy(truncated.data() + parsed.l3_offset + 10, &checksum, sizeof checksum);
  const std::uint16_t udp_length = static_cast<std::uint16_t>(ip_length - io::kIpv4HeaderSize);
  truncated[parsed.l3_offset + 24] = static_cast<std::uint8_t>(udp_length >> 8);
  truncated[parsed.l3_offset + 25] = static_cast<std::uint8_t>(udp_length);
  truncated[parsed.l3_offset + 26] = truncated[parsed.l3_offset + 27] = 0;  // no checksum
  inject(*b_, truncated);
  // A packet from A's LAN whose source is outside what B allows for A (10.10.0.0/24).
  const auto spoofed = traffic(*a_, 0x0A4D0001, "10.20.0.0/24");
  std::vector<std::uint8_t> spoofed_frame(spoofed.frame_length(0));
  spoofed.write_frame(0, spoofed_frame.data());
  inject(*a_, spoofed_frame, config::PortRole::kLan);
  settle(200ms);

  SCOPED_TRACE(all_drops(*b_));
  EXPECT_EQ(data_drops(*b_, DropReason::kReplayed), 3u);
  EXPECT_EQ(data_drops(*b_, DropReason::kDecryptFailed), 1u);
  EXPECT_EQ(data_drops(*b_, DropReason::kUnknownIndex), 1u);
  EXPECT_EQ(data_drops(*b_, DropReason::kBadMessage), 1u);
  EXPECT_EQ(data_drops(*b_, DropReason::kSourceNotAllowed), 1u);
  EXPECT_EQ(control_b.drops_of(DropReason::kHandshakeReplayed), 1u);
  EXPECT_EQ(control_b.drops_of(DropReason::kBadMessage), 1u);

  // The tunnel still works, and no new handshake was needed.
  send_and_check(*a_, *b_, a_to_b, 50, 100);
  EXPECT_EQ(b_->peer_counters().at(0)->sessions_installed.get(), 1u);
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  std::string name = std::string(info.param.kind) + (info.param.psk ? "_WithPsk" : "_NoPsk");
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Topologies, TwoGateways,
                         ::testing::Values(Param{false, "single", 1}, Param{true, "single", 1},
                                           Param{false, "pipeline", 2},
                                           Param{true, "workers-mutex", 2},
                                           Param{false, "workers-spinlock", 2}),
                         param_name);

class UnderLoad : public TwoGateways {
 protected:
  void SetUp() override {
    actors::ControlPlaneOptions always_under_load;
    always_under_load.under_load_backlog = 0;
    start(always_under_load);
  }
};

// B is under load: A's first initiation gets a cookie reply instead of a response; A's
// retransmission (REKEY_TIMEOUT later) carries mac2 and completes the handshake.
TEST_P(UnderLoad, CookieReplyThenHandshakeWithMac2) {
  const auto a_to_b = traffic(*a_, 0x0A0A0005, "10.20.0.0/24");
  int cookie_replies = 0;
  int initiations = 0;
  send_and_check(*a_, *b_, a_to_b, 0, 20, [&](char from, rte_mbuf* mbuf) {
    const std::uint8_t type = message_type(copy_frame(mbuf));
    if (from == 'b' && type == 3) ++cookie_replies;
    if (from == 'a' && type == 1) ++initiations;
    return true;
  });
  EXPECT_EQ(cookie_replies, 1);
  EXPECT_EQ(initiations, 2);
  EXPECT_EQ(b_->peer_counters().at(0)->sessions_installed.get(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Topologies, UnderLoad,
                         ::testing::Values(Param{false, "single", 1}, Param{false, "pipeline", 2}),
                         param_name);

}  // namespace
