// Shared by the tests that face a running gateway from its WAN side (actors_forgery,
// actors_wan_flood_accounting): the topology a test instance runs, and a UDP datagram put on
// the WAN port's rx ring as the wire would deliver it (the queue a NIC's RSS picks).
#pragma once

#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "dataplane_test_support.hpp"
#include "io/headers.hpp"
#include "io/port.hpp"
#include "io/rss.hpp"
#include "poll_until.hpp"

namespace actorwire::test_support {

struct TopologyParam {
  const char* kind;
  std::uint32_t workers;
};

inline std::string topology_param_name(const ::testing::TestParamInfo<TopologyParam>& info) {
  std::string name = info.param.kind;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

// `payload` in a UDP datagram with `outer`'s headers (both checksums right) on the WAN port's
// rx ring. A full ring would be a NIC that was not polled in time; the test waits instead (up to
// 10 s), so that every datagram reaches the gateway and must be counted by it.
inline void inject_datagram(io::Port& wan, rte_mempool* pool, const io::OuterIpv4Udp& outer,
                            const std::vector<std::uint8_t>& payload) {
  using namespace std::chrono_literals;
  rte_mbuf* mbuf = udp_frame(pool, outer, payload);
  ASSERT_NE(mbuf, nullptr);
  const std::uint16_t queue =
      io::rss_queue_for_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*), mbuf->data_len, wan.queues());
  ASSERT_TRUE(poll_until(
      10s, "room in the WAN rx ring",
      [&] { return rte_ring_enqueue(wan.inject_ring(queue), mbuf) == 0; },
      [] { std::this_thread::sleep_for(std::chrono::microseconds(20)); }));
}

}  // namespace actorwire::test_support
