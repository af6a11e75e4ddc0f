// The control plane state machine without CAF: every byte of each handshake message corrupted
// in turn is refused and counted exactly once; replays, floods, unknown peers; under load a
// cookie reply first, then mac2 and the per-source rate limit.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

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

// Forged and replayed handshake messages, each refused under its own reason, change nothing:
// no answer, no keys, no endpoint (they come from another address), the same timers and the
// same last handshake. Only what got past mac1 (and names a handshake of ours) reaches Noise.
TEST_F(ControlPlaneTest, ForgedHandshakeMessagesChangeNoPeerState) {
  const auto first = initiation();
  const auto accepted = deliver(first);
  ASSERT_EQ(accepted.keypairs.size(), 1u);
  const std::uint32_t keypair_index = accepted.keypairs[0].keypair.local_index;
  // The remote's first data confirms the session: now there is a last handshake to keep.
  actors::PeerActivity confirmed;
  confirmed.entries.emplace_back();
  confirmed.entries[0].peer = 0;
  confirmed.entries[0].handshake_confirmed = t0 + 10ms;
  confirmed.entries[0].data_received = t0 + 10ms;
  control_->handle_activity(confirmed, t0 + 10ms);
  const auto before = control_->status(0);
  const auto deadline_before = control_->next_deadline();
  ASSERT_TRUE(before.endpoint.has_value());
  ASSERT_TRUE(before.last_handshake.has_value());
  const std::uint64_t noise_before = counters_->noise_messages.get();
  const auto spoofed = *config::parse_endpoint("203.0.113.9:4444");

  // Builds a response- or cookie-shaped message with valid macs (a response must pass mac1 to
  // reach the index check; a cookie reply carries none).
  auto shaped = [&](std::uint8_t type, std::size_t size, std::uint32_t receiver) {
    std::vector<std::uint8_t> message(size, 0x5A);
    message[0] = type;
    message[1] = message[2] = message[3] = 0;
    const std::size_t receiver_offset =
        type == 2 ? wg::kResponseReceiverOffset : wg::kCookieReplyReceiverOffset;
    std::memcpy(message.data() + receiver_offset, &receiver, sizeof receiver);
    if (type == 2) remote_macs_->add_macs(message, t0);
    return message;
  };
  crypto::LocalIdentity stranger(crypto::random_secret_key());
  crypto::Handshake stranger_state(stranger, local_public_, std::nullopt);
  crypto::InitiationMessage unknown_key;
  ASSERT_TRUE(crypto::create_initiation(stranger_state, 9, crypto::to_tai64n(wall_), unknown_key));
  crypto::CookieMaker(local_public_).add_macs(unknown_key, t0);
  auto bad_mac1 = initiation(5s);
  bad_mac1[wg::kInitiationMac1Offset] ^= 0x01;
  const auto older = initiation(-10s);  // signed correctly, timestamp before the accepted one

  using actors::DropReason;
  struct Forgery {
    const char* what;
    std::vector<std::uint8_t> message;
    DropReason reason;
    bool reaches_noise;
  };
  const std::vector<Forgery> forgeries = {
      {"replayed initiation", {first.begin(), first.end()}, DropReason::kHandshakeReplayed, true},
      {"stale TAI64N", {older.begin(), older.end()}, DropReason::kHandshakeReplayed, true},
      {"unknown static key",
       {unknown_key.begin(), unknown_key.end()},
       DropReason::kUnknownPeer,
       true},
      {"bad mac1", {bad_mac1.begin(), bad_mac1.end()}, DropReason::kBadMac1, false},
      {"response to no initiation", shaped(2, wg::kResponseSize, 0x0BADF00D),
       DropReason::kUnexpectedResponse, false},
      {"response to a finished handshake", shaped(2, wg::kResponseSize, keypair_index),
       DropReason::kUnexpectedResponse, false},
      {"cookie reply for no request", shaped(3, wg::kCookieReplySize, 0x0BADF00D),
       DropReason::kUnexpectedCookieReply, false},
  };
  auto at = t0 + 2s;  // past the flood limit's 20 ms after the accepted initiation
  for (const Forgery& forgery : forgeries) {
    SCOPED_TRACE(forgery.what);
    const std::uint64_t drops = counters_->drops_total();
    const std::uint64_t reason_drops = counters_->drops_of(forgery.reason);
    const std::uint64_t noise = counters_->noise_messages.get();
    const auto out = control_->handle_handshake(forgery.message, spoofed, at);
    at += 1s;
    EXPECT_EQ(counters_->drops_total(), drops + 1);
    EXPECT_EQ(counters_->drops_of(forgery.reason), reason_drops + 1);
    EXPECT_EQ(counters_->noise_messages.get(), noise + (forgery.reaches_noise ? 1 : 0));
    EXPECT_TRUE(out.datagrams.empty());
    EXPECT_TRUE(out.keypairs.empty());
    EXPECT_TRUE(out.endpoints.empty());
    EXPECT_TRUE(out.send_keepalive.empty());
    EXPECT_TRUE(out.drop_staged.empty());
    EXPECT_TRUE(out.zero_keys.empty());
    const auto after = control_->status(0);
    ASSERT_TRUE(after.endpoint.has_value());
    EXPECT_EQ(config::to_string(*after.endpoint), config::to_string(*before.endpoint))
        << "a forgery must not move the endpoint";
    EXPECT_EQ(after.last_handshake, before.last_handshake);
    EXPECT_EQ(after.last_handshake_wall, before.last_handshake_wall);
    EXPECT_EQ(after.handshake_attempts, before.handshake_attempts);
    EXPECT_EQ(after.handshake_in_progress, before.handshake_in_progress);
    EXPECT_EQ(control_->next_deadline(), deadline_before) << "timers moved";
  }
  EXPECT_EQ(counters_->noise_messages.get(), noise_before + 3);
}

// Under load, initiations without a valid mac2 get a cookie reply each and never reach the
// Noise code, from however many sources; the counters say so.
TEST_F(ControlPlaneTest, UnderLoadWithoutMac2NothingReachesNoise) {
  make(0);  // always under load
  constexpr int kSources = 300;
  for (int i = 0; i < kSources; ++i) {
    auto source = *config::parse_endpoint("198.18.0.1:1000");
    source.address = config::IpAddress::v4(0xC6120000u + static_cast<std::uint32_t>(i));
    const auto message = initiation(std::chrono::seconds(i));
    const auto out = control_->handle_handshake(message, source, t0 + std::chrono::milliseconds(i));
    ASSERT_EQ(out.datagrams.size(), 1u);
    EXPECT_EQ(out.datagrams[0].message.size(), wg::kCookieReplySize);
    EXPECT_EQ(config::to_string(out.datagrams[0].destination), config::to_string(source));
    EXPECT_TRUE(out.keypairs.empty());
  }
  EXPECT_EQ(counters_->cookie_replies_sent.get(), static_cast<std::uint64_t>(kSources));
  EXPECT_EQ(counters_->noise_messages.get(), 0u);
  EXPECT_EQ(counters_->drops_total(), 0u) << "answered, not dropped";
  EXPECT_FALSE(control_->status(0).last_handshake.has_value());
}

}  // namespace
