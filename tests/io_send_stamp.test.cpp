// The bench's send stamps (io/send_stamp.hpp): a generator frame carries its send time in the
// inner payload and in an mbuf field; a plaintext generator frame is read from its payload (so
// a stamp that came through encryption and decryption is the one read), anything else from the
// field; reading clears the field, so a recycled mbuf carries no old stamp.
#include "io/send_stamp.hpp"

#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstring>
#include <memory>

#include "dpdk_test_config.hpp"
#include "io/eal.hpp"
#include "io/headers.hpp"
#include "io/traffic_generator.hpp"

using namespace actorwire;

namespace {

class SendStamp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(io::start_eal(test_support::default_test_config().dpdk.eal_args, error)) << error;
    pool_ = io::make_mbuf_pool(ACTORWIRE_TEST_NAME "_pool", 1024, error);
    ASSERT_NE(pool_, nullptr) << error;
    ASSERT_TRUE(io::register_send_stamp(error)) << error;
  }
  static void TearDownTestSuite() {
    rte_mempool_free(pool_);
    pool_ = nullptr;
  }

  // Frame `seq` of a generator sending `ip_size`-byte packets, in a fresh mbuf.
  static rte_mbuf* generator_frame(std::uint16_t ip_size) {
    io::TrafficPattern pattern;
    pattern.source_ip = 0x0A0A0064;
    pattern.destination_prefix = *config::parse_ip_prefix("10.20.0.0/16");
    pattern.ip_sizes = {ip_size};
    io::TrafficGenerator generator(pattern);
    rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
    EXPECT_NE(mbuf, nullptr);
    if (mbuf != nullptr) {
      EXPECT_TRUE(generator.fill(mbuf, 7));
    }
    return mbuf;
  }

  static rte_mempool* pool_;
};

rte_mempool* SendStamp::pool_ = nullptr;

std::uint8_t* udp_destination_port(rte_mbuf* mbuf) {
  return rte_pktmbuf_mtod_offset(mbuf, std::uint8_t*,
                                 io::kEthernetHeaderSize + io::kIpv4HeaderSize + 2);
}

}  // namespace

TEST_F(SendStamp, APlaintextGeneratorFrameIsReadFromItsPayload) {
  rte_mbuf* mbuf = generator_frame(64);
  ASSERT_NE(mbuf, nullptr);
  io::write_send_stamp(mbuf, 123456789);
  // The sequence number stays where it was.
  EXPECT_EQ(io::TrafficGenerator::sequence_of(
                rte_pktmbuf_mtod_offset(mbuf, std::uint8_t*, io::kEthernetHeaderSize), 64),
            7u);
  // The same bytes in another mbuf (its field holds whatever it held): the payload decides.
  rte_mbuf* copy = rte_pktmbuf_alloc(pool_);
  ASSERT_NE(copy, nullptr);
  std::memcpy(rte_pktmbuf_append(copy, mbuf->data_len), rte_pktmbuf_mtod(mbuf, void*),
              mbuf->data_len);
  EXPECT_EQ(io::take_frame_times(copy).sent, 123456789u);
  EXPECT_EQ(io::take_frame_times(mbuf).sent, 123456789u);
  rte_pktmbuf_free(copy);
  rte_pktmbuf_free(mbuf);
}

TEST_F(SendStamp, AnEncryptedFrameIsReadFromTheFieldOnceAndThenCarriesNone) {
  rte_mbuf* mbuf = generator_frame(64);
  ASSERT_NE(mbuf, nullptr);
  io::write_send_stamp(mbuf, 42424242);
  // Sealing rewrote the frame: now a UDP datagram to the WireGuard port, payload ciphertext.
  udp_destination_port(mbuf)[0] = 0xCA;
  udp_destination_port(mbuf)[1] = 0x6C;  // 51820
  const io::FrameTimes times = io::take_frame_times(mbuf);
  EXPECT_EQ(times.sent, 42424242u);
  EXPECT_EQ(times.left, 0u) << "no tx callback stamped it";
  EXPECT_EQ(io::take_frame_times(mbuf).sent, 0u) << "the field is cleared when read";
  rte_pktmbuf_free(mbuf);
}

TEST_F(SendStamp, APacketTooShortForThePayloadStampStillGetsTheField) {
  rte_mbuf* mbuf = generator_frame(40);  // 12 payload bytes: the sequence number, no room
  ASSERT_NE(mbuf, nullptr);
  io::write_send_stamp(mbuf, 777);
  EXPECT_EQ(io::take_frame_times(mbuf).sent, 777u);
  rte_pktmbuf_free(mbuf);
}
