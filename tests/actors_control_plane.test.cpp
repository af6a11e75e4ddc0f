// The control plane state machine without CAF: every byte of each handshake message corrupted
// in turn is refused and counted exactly once; replays, floods, unknown peers; under load a
// cookie reply first, then mac2 and the per-source rate limit.
#include <gtest/gtest.h>

#include "actors/control/control_plane.hpp"
#include "crypto/cookie.hpp"
#include "crypto/noise.hpp"

using namespace actorwire;
using namespace std::chrono_literals;

namespace {

const actors::Clock::time_point t0 = actors::Clock::time_point() + 1000s;

class ControlPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override { make(); }

  void make(std::size_t under_load_backlog = 32) {
    config_.interface.private_key = crypto::random_secret_key();
    config::PeerConfig peer;
    peer.public_key = remote_.public_key;
    peer.endpoint = source_;
    config_.peers = {peer};
    actors::ControlPlaneOptions options;
    options.under_load_backlog = under_load_backlog;
    options.wall_clock = [this] { return wall_; };
    control_ = std::make_unique<actors::ControlPlane>(config_, counters_, options);
    local_public_ = crypto::derive_public_key(config_.interface.private_key);
    remote_state_ = std::make_unique<crypto::Handshake>(remote_, local_public_, std::nullopt);
    remote_macs_ = std::make_unique<crypto::CookieMaker>(local_public_);
  }

  // An initiation from the remote peer, as a real one would send it.
  crypto::InitiationMessage initiation(std::chrono::seconds clock_offset = 0s) {
    crypto::InitiationMessage message;
    EXPECT_TRUE(crypto::create_initiation(*remote_state_, 1234,
                                          crypto::to_tai64n(wall_ + clock_offset), message));
    remote_macs_->add_macs(message, t0);
    return message;
  }

  actors::ControlOutput deliver(std::span<const std::uint8_t> message,
                                actors::Clock::time_point at = t0) {
    return control_->handle_handshake(message, source_, at);
  }

  crypto::LocalIdentity remote_{crypto::random_secret_key()};
  config::GatewayConfig config_;
  config::Endpoint source_ = *config::parse_endpoint("192.0.2.2:51820");
  std::chrono::system_clock::time_point wall_ = std::chrono::system_clock::now();
  std::shared_ptr<actors::StageCounters> counters_ =
      std::make_shared<actors::StageCounters>("handshake");
  std::unique_ptr<actors::ControlPlane> control_;
  crypto::PublicKey local_public_;
  std::unique_ptr<crypto::Handshake> remote_state_;  // the remote peer's view
  std::unique_ptr<crypto::CookieMaker> remote_macs_;
};

TEST_F(ControlPlaneTest, AValidInitiationIsAnsweredAndInstallsResponderKeys) {
  const auto message = initiation();
  const auto out = deliver(message);
  ASSERT_EQ(out.datagrams.size(), 1u);
  EXPECT_EQ(out.datagrams[0].message.size(), wg::kResponseSize);
  EXPECT_EQ(out.datagrams[0].destination.port, source_.port);
  ASSERT_EQ(out.keypairs.size(), 1u);
  EXPECT_FALSE(out.keypairs[0].keypair.initiator);
  EXPECT_EQ(out.keypairs[0].keypair.remote_index, 1234u);
  EXPECT_EQ(counters_->drops_total(), 0u);
  // The remote side accepts the response.
  EXPECT_TRUE(crypto::consume_response(*remote_state_, out.datagrams[0].message.data()));
}

TEST_F(ControlPlaneTest, EveryCorruptedInitiationByteIsCountedOnce) {
  const auto original = initiation();
  for (std::size_t byte = 0; byte < wg::kInitiationMac2Offset; ++byte) {
    auto corrupted = original;
    corrupted[byte] ^= 0x20;
    const std::uint64_t before = counters_->drops_total();
    const auto out = deliver(corrupted);
    EXPECT_TRUE(out.keypairs.empty()) << byte;
    EXPECT_TRUE(out.datagrams.empty()) << byte;
    EXPECT_EQ(counters_->drops_total(), before + 1) << "byte " << byte;
  }
  // mac2 is only looked at under load: a flipped mac2 byte is accepted now.
  auto flipped_mac2 = original;
  flipped_mac2[wg::kInitiationMac2Offset] ^= 1;
  EXPECT_EQ(deliver(flipped_mac2).keypairs.size(), 1u);
  // Type and reserved bytes: bad_message; everything else up to mac2: bad_mac1.
  EXPECT_EQ(counters_->drops_of(actors::DropReason::kBadMessage), 4u);
  EXPECT_EQ(counters_->drops_of(actors::DropReason::kBadMac1), wg::kInitiationMac2Offset - 4);
}

TEST_F(ControlPlaneTest, ReplayedFloodedAndUnknownInitiations) {
  const auto first = initiation();
  ASSERT_EQ(deliver(first).keypairs.size(), 1u);
  EXPECT_TRUE(deliver(first, t0 + 5s).keypairs.empty());
  EXPECT_EQ(counters_->drops_of(actors::DropReason::kHandshakeReplayed), 1u);
  // A newer one 10 ms later: flood.
  EXPECT_TRUE(deliver(initiation(1s), t0 + 10ms).keypairs.empty());
  EXPECT_EQ(counters_->drops_of(actors::DropReason::kHandshakeFlood), 1u);
  // Someone who knows our public key (mac1 is fine) but is not a configured peer.
  crypto::LocalIdentity stranger(crypto::random_secret_key());
  crypto::Handshake stranger_state(stranger, local_public_, std::nullopt);
  crypto::InitiationMessage message;
  ASSERT_TRUE(crypto::create_initiation(stranger_state, 9, crypto::to_tai64n(wall_), message));
  crypto::CookieMaker(local_public_).add_macs(message, t0);
  EXPECT_TRUE(deliver(message).keypairs.empty());
  EXPECT_EQ(counters_->drops_of(actors::DropReason::kUnknownPeer), 1u);
}

TEST_F(ControlPlaneTest, EveryCorruptedResponseByteIsCountedOnce) {
  // We initiate; the remote answers; each corruption of its answer is refused, and the real
  // answer still works afterwards (a forged response cannot cancel the handshake).
  const auto out = control_->initiate(0, t0);
  ASSERT_EQ(out.datagrams.size(), 1u);
  const auto& ours = out.datagrams[0].message;
  auto decrypted = crypto::open_initiation(remote_, ours.data());
  ASSERT_TRUE(decrypted);
  ASSERT_EQ(crypto::accept_initiation(*remote_state_, std::move(*decrypted), ours.data(), t0),
            crypto::InitiationVerdict::kAccepted);
  crypto::ResponseMessage response;
  ASSERT_TRUE(crypto::create_response(*remote_state_, 555, response));
  remote_macs_->add_macs(response, t0);
  for (std::size_t byte = 0; byte < wg::kResponseMac2Offset; ++byte) {
    if (byte >= wg::kResponseSenderOffset && byte < wg::kResponseReceiverOffset) {
      continue;  // the sender index is covered by mac1 only: see below
    }
    auto corrupted = response;
    corrupted[byte] ^= 0x04;
    const std::uint64_t before = counters_->drops_total();
    EXPECT_TRUE(deliver(corrupted).keypairs.empty()) << byte;
    EXPECT_EQ(counters_->drops_total(), before + 1) << "byte " << byte;
  }
  const auto accepted = deliver(response);
  ASSERT_EQ(accepted.keypairs.size(), 1u);
  EXPECT_TRUE(accepted.keypairs[0].keypair.initiator);
  EXPECT_EQ(accepted.keypairs[0].keypair.remote_index, 555u);
  // The same response again: the handshake is over.
  EXPECT_TRUE(deliver(response).keypairs.empty());
}

TEST_F(ControlPlaneTest, UnderLoadACookieFirstThenMac2AndTheRateLimit) {
  make(0);  // always under load
  const auto first = initiation();
  const auto out = deliver(first);
  EXPECT_TRUE(out.keypairs.empty());
  ASSERT_EQ(out.datagrams.size(), 1u);
  ASSERT_EQ(out.datagrams[0].message.size(), wg::kCookieReplySize);
  ASSERT_TRUE(remote_macs_->consume_reply(out.datagrams[0].message, t0));
  // With the cookie, mac2 proves the source: accepted.
  EXPECT_EQ(deliver(initiation(1s), t0 + 100ms).keypairs.size(), 1u);
  // 20 per second and source, bursts of 5: the accepted one took a token at 100 ms; at 200 ms
  // the bucket is full again (5). Six at once: five pass the limiter (and then fail as
  // floods, which is fine), the sixth is refused by it.
  for (int i = 2; i < 8; ++i) deliver(initiation(std::chrono::seconds(i)), t0 + 200ms);
  EXPECT_EQ(counters_->drops_of(actors::DropReason::kRateLimited), 1u);
}

}  // namespace
