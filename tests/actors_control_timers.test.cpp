// The handshake/control actor under CAF's deterministic test coordinator: no threads, no
// sleeping; time only moves when the test advances the actor clock. A stub data-plane actor
// records what the control actor decides.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "actors/control/handshake_actor.hpp"
#include "actors/runtime/messages.hpp"
#include "caf/all.hpp"
#include "caf/scheduler/test_coordinator.hpp"
#include "crypto/noise.hpp"

using namespace actorwire;
using namespace std::chrono_literals;

namespace {

using Outputs = std::vector<actors::ControlOutput>;

caf::behavior recorder(caf::event_based_actor*, std::shared_ptr<Outputs> outputs) {
  return {[outputs](actors::ControlOutput& out) { outputs->push_back(std::move(out)); }};
}

// The actor system's config, set to CAF's deterministic test scheduler.
struct TestingConfig : caf::actor_system_config {
  TestingConfig() { set("scheduler.policy", caf::atom("testing")); }
};

class ControlActor : public ::testing::Test {
 protected:
  ControlActor()
      : remote_key_(crypto::random_secret_key()),
        remote_identity_(remote_key_),
        system_(system_config_),
        sched_(dynamic_cast<caf::scheduler::test_coordinator&>(system_.scheduler())) {}

  void start(std::uint16_t persistent_keepalive = 0) {
    config_.interface.private_key = crypto::random_secret_key();
    config::PeerConfig peer;
    peer.public_key = remote_identity_.public_key;
    peer.endpoint = config::parse_endpoint("192.0.2.2:51820");
    peer.persistent_keepalive = persistent_keepalive;
    config_.peers.push_back(peer);
    auto context = std::make_shared<actors::HandshakeActorContext>();
    context->config = &config_;
    context->counters = counters_;
    control_ = actors::spawn_handshake_actor(system_, context);
    data_plane_ = system_.spawn(recorder, outputs_);
    caf::anon_send(control_, actors::data_plane_atom::value, data_plane_);
    sched_.run();
  }

  ~ControlActor() override {
    caf::anon_send_exit(control_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(data_plane_, caf::exit_reason::user_shutdown);
    sched_.run();
  }

  actors::Clock::time_point now() { return sched_.clock().now(); }

  // Advances the actor clock in tick-sized steps, running every message in between.
  void advance(std::chrono::milliseconds duration) {
    for (auto elapsed = 0ms; elapsed < duration; elapsed += actors::tuning::kControlTickInterval) {
      sched_.advance_time(actors::tuning::kControlTickInterval);
      sched_.run();
    }
  }

  void activity(const actors::PeerActivityEntry& entry) {
    actors::PeerActivity report;
    report.entries.push_back(entry);
    caf::anon_send(control_, report);
    sched_.run();
  }

  std::vector<std::vector<std::uint8_t>> datagrams_of_type(std::uint8_t type) const {
    std::vector<std::vector<std::uint8_t>> out;
    for (const auto& output : *outputs_) {
      for (const auto& datagram : output.datagrams) {
        if (!datagram.message.empty() && datagram.message[0] == type) {
          out.push_back(datagram.message);
        }
      }
    }
    return out;
  }

  template <class F>
  std::size_t count(F&& field) const {
    std::size_t n = 0;
    for (const auto& output : *outputs_) n += field(output).size();
    return n;
  }

  crypto::SecretKey remote_key_;
  crypto::LocalIdentity remote_identity_;
  TestingConfig system_config_;
  caf::actor_system system_;
  caf::scheduler::test_coordinator& sched_;
  config::GatewayConfig config_;
  std::shared_ptr<actors::StageCounters> counters_ =
      std::make_shared<actors::StageCounters>("handshake");
  std::shared_ptr<Outputs> outputs_ = std::make_shared<Outputs>();
  caf::actor control_;
  caf::actor data_plane_;
};

actors::PeerActivityEntry wants_handshake() {
  actors::PeerActivityEntry entry;
  entry.wants_handshake = true;
  return entry;
}

TEST_F(ControlActor, RetransmitsEveryRekeyTimeoutThenGivesUp) {
  start();
  activity(wants_handshake());
  ASSERT_EQ(datagrams_of_type(1).size(), 1u);
  EXPECT_EQ((*outputs_)[0].datagrams[0].destination.port, 51820);
  advance(4900ms);
  EXPECT_EQ(datagrams_of_type(1).size(), 1u) << "not before REKEY_TIMEOUT";
  advance(500ms);
  EXPECT_EQ(datagrams_of_type(1).size(), 2u) << "once REKEY_TIMEOUT + jitter passed";
  // More requests from the data plane do not add initiations in between.
  activity(wants_handshake());
  EXPECT_EQ(datagrams_of_type(1).size(), 2u);
  advance(100s);
  EXPECT_EQ(datagrams_of_type(1).size(), 1u + wg::kMaxTimerHandshakes);
  EXPECT_EQ(count([](const auto& o) { return o.drop_staged; }), 1u);
  advance(30s);
  EXPECT_EQ(datagrams_of_type(1).size(), 1u + wg::kMaxTimerHandshakes) << "gave up";
}

TEST_F(ControlActor, ResponseInstallsKeysAndStopsRetransmission) {
  start();
  activity(wants_handshake());
  const auto initiations = datagrams_of_type(1);
  ASSERT_EQ(initiations.size(), 1u);
  // Play the remote peer with the crypto layer.
  crypto::Handshake remote(remote_identity_,
                           crypto::derive_public_key(config_.interface.private_key), std::nullopt);
  auto decrypted = crypto::open_initiation(remote_identity_, initiations[0].data());
  ASSERT_TRUE(decrypted);
  ASSERT_EQ(crypto::accept_initiation(remote, std::move(*decrypted), initiations[0].data(), now()),
            crypto::InitiationVerdict::kAccepted);
  crypto::ResponseMessage response;
  ASSERT_TRUE(crypto::create_response(remote, 77, response));
  crypto::CookieMaker macs(crypto::derive_public_key(config_.interface.private_key));
  macs.add_macs(response, now());
  const auto remote_keys = crypto::derive_session(remote);
  ASSERT_TRUE(remote_keys);

  actors::HandshakeIn in;
  in.message.assign(response.begin(), response.end());
  in.source = *config::parse_endpoint("192.0.2.2:51820");
  caf::anon_send(control_, in);
  sched_.run();
  ASSERT_EQ(count([](const auto& o) { return o.keypairs; }), 1u);
  const auto& keypair = outputs_->back().keypairs.at(0).keypair;
  EXPECT_TRUE(keypair.initiator);
  EXPECT_EQ(keypair.remote_index, 77u);
  EXPECT_TRUE(keypair.send_key.equals(remote_keys->receive_key));
  EXPECT_TRUE(keypair.receive_key.equals(remote_keys->send_key));
  advance(20s);
  EXPECT_EQ(datagrams_of_type(1).size(), 1u) << "no retransmission after the response";
  EXPECT_EQ(counters_->drops_total(), 0u);

  // The same response again is refused (the handshake is over) and counted.
  caf::anon_send(control_, in);
  sched_.run();
  EXPECT_EQ(counters_->drops_of(actors::DropReason::kUnexpectedResponse), 1u);

  // Data received and nothing sent back for KEEPALIVE_TIMEOUT: a keepalive.
  actors::PeerActivityEntry received;
  received.data_received = now();
  activity(received);
  advance(9900ms);
  EXPECT_EQ(count([](const auto& o) { return o.send_keepalive; }), 0u);
  advance(200ms);
  EXPECT_EQ(count([](const auto& o) { return o.send_keepalive; }), 1u);

  // Data sent and nothing authenticated back for 15 s: a new handshake.
  actors::PeerActivityEntry sent;
  sent.data_sent = now();
  activity(sent);
  advance(14900ms);
  EXPECT_EQ(datagrams_of_type(1).size(), 1u);
  advance(500ms);
  EXPECT_EQ(datagrams_of_type(1).size(), 2u);

  // No new session for 3 x REJECT_AFTER_TIME after the last one: keys are zeroed. (The new
  // handshake above keeps retransmitting and gives up meanwhile.)
  advance(540s);
  EXPECT_EQ(count([](const auto& o) { return o.zero_keys; }), 1u);
}

TEST_F(ControlActor, PersistentKeepaliveBringsTheTunnelUpAtStart) {
  start(25);
  EXPECT_EQ(datagrams_of_type(1).size(), 1u);
}

TEST_F(ControlActor, GarbageIsCountedNotFatal) {
  start();
  actors::HandshakeIn in;
  in.source = *config::parse_endpoint("198.51.100.9:4444");
  for (std::size_t length : {0, 1, 3, 4, 63, 64, 91, 92, 147, 148, 149, 500}) {
    in.message.assign(length, 0x01);
    if (length > 0) in.message[0] = 1;
    if (length >= 4) in.message[1] = in.message[2] = in.message[3] = 0;
    caf::anon_send(control_, in);
  }
  sched_.run();
  EXPECT_EQ(counters_->packets_in.get(), 12u);
  EXPECT_EQ(counters_->drops_total(), 12u);
  EXPECT_EQ(counters_->drops_of(actors::DropReason::kBadMac1), 1u) << "the one of right size";
  // The actor still works.
  activity(wants_handshake());
  EXPECT_EQ(datagrams_of_type(1).size(), 1u);
}

}  // namespace
