// ARP responder and neighbour table: answer for our own addresses only, learn senders that
// talk to us, never let ARP override a static neighbour.
#include <gtest/gtest.h>

#include "io/neighbours.hpp"

using namespace actorwire;

namespace {

io::PortIdentity wan_port() {
  io::PortIdentity port;
  port.mac = *config::parse_mac_address("02:00:00:00:01:01");
  port.addresses = {*config::parse_interface_address("192.0.2.1/24")};
  port.next_hop = config::parse_ip_address("192.0.2.254");
  return port;
}

io::ArpPacket request(std::uint32_t sender, std::uint32_t target) {
  io::ArpPacket arp;
  arp.operation = io::kArpRequest;
  arp.sender_mac = *config::parse_mac_address("02:00:00:00:09:09");
  arp.sender_ip = sender;
  arp.target_ip = target;
  return arp;
}

}  // namespace

TEST(Arp, RequestForOurAddressIsAnsweredAndTheSenderLearned) {
  io::NeighbourTable table;
  io::ArpPacket reply;
  ASSERT_EQ(io::process_arp(request(0xC0000209, 0xC0000201), wan_port(), table, reply),
            io::ArpAction::kReply);
  EXPECT_EQ(reply.operation, io::kArpReply);
  EXPECT_EQ(reply.sender_ip, 0xC0000201u);
  EXPECT_EQ(reply.sender_mac, wan_port().mac);
  EXPECT_EQ(reply.target_ip, 0xC0000209u);
  ASSERT_NE(table.find(0xC0000209), nullptr);
  EXPECT_EQ(*table.find(0xC0000209), *config::parse_mac_address("02:00:00:00:09:09"));
}

TEST(Arp, RequestForSomebodyElseIsIgnored) {
  io::NeighbourTable table;
  io::ArpPacket reply;
  EXPECT_EQ(io::process_arp(request(0xC0000209, 0xC0000277), wan_port(), table, reply),
            io::ArpAction::kIgnore);
  EXPECT_EQ(table.size(), 0u);
}

TEST(Arp, ReplyToOurRequestIsLearnedButStaticEntriesWin) {
  io::NeighbourTable table;
  const auto static_mac = *config::parse_mac_address("02:00:00:00:00:fe");
  table.add_static(0xC00002FE, static_mac);
  io::ArpPacket arp = request(0xC00002FE, 0xC0000201);
  arp.operation = io::kArpReply;
  io::ArpPacket reply;
  EXPECT_EQ(io::process_arp(arp, wan_port(), table, reply), io::ArpAction::kLearned);
  EXPECT_EQ(*table.find(0xC00002FE), static_mac);
  EXPECT_FALSE(table.learn(0xC00002FE, arp.sender_mac));
  EXPECT_TRUE(table.learn(0xC0000205, arp.sender_mac));
}

TEST(NextHop, OnLinkDestinationsAreDirectOthersGoViaTheNextHop) {
  const auto port = wan_port();
  EXPECT_EQ(port.next_hop_for(0xC0000207), 0xC0000207u);
  EXPECT_EQ(port.next_hop_for(0xCB007101), 0xC00002FEu);
  io::PortIdentity no_gateway = port;
  no_gateway.next_hop.reset();
  EXPECT_FALSE(no_gateway.next_hop_for(0xCB007101).has_value());
}

TEST(Arp, RequestFrameRoundTrips) {
  std::uint8_t frame[io::kArpFrameSize];
  const auto arp = io::make_arp_request(wan_port(), 0xC00002FE);
  ASSERT_EQ(io::write_arp_frame(frame, io::kBroadcastMac, arp), io::kArpFrameSize);
  io::ParsedFrame parsed;
  ASSERT_EQ(io::parse_frame(frame, sizeof frame, parsed), io::FrameError::kNone);
  ASSERT_EQ(parsed.kind, io::FrameKind::kArp);
  const auto back = io::read_arp(frame + parsed.l3_offset);
  EXPECT_EQ(back.operation, io::kArpRequest);
  EXPECT_EQ(back.sender_ip, 0xC0000201u);
  EXPECT_EQ(back.target_ip, 0xC00002FEu);
  EXPECT_EQ(back.sender_mac, wan_port().mac);
}

// A dual-stack port has a next hop per family; each family only ever uses its own.
TEST(NextHop, EachFamilyUsesItsOwnNextHop) {
  io::PortIdentity port = wan_port();
  port.addresses.push_back(*config::parse_interface_address("2001:db8:1::1/64"));
  port.next_hop_v6 = config::parse_ip_address("2001:db8:1::fe");
  const auto off_link_v4 = config::parse_ip_address("198.51.100.7")->v4_host_order();
  EXPECT_EQ(port.next_hop_for(off_link_v4),
            config::parse_ip_address("192.0.2.254")->v4_host_order());
  EXPECT_EQ(port.next_hop_for_v6(config::parse_ip_address("2001:db8:9::7")->bytes),
            config::parse_ip_address("2001:db8:1::fe")->bytes);
  EXPECT_EQ(port.next_hop_for_v6(config::parse_ip_address("2001:db8:1::7")->bytes),
            config::parse_ip_address("2001:db8:1::7")->bytes)
      << "on-link";
  port.next_hop_v6.reset();
  EXPECT_FALSE(port.next_hop_for_v6(config::parse_ip_address("2001:db8:9::7")->bytes))
      << "the IPv4 next hop is no way to an IPv6 destination";
}
