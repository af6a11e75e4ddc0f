// IPv6 neighbour discovery (io/ndp) and the IPv6 side of io/neighbours, against known answers
// built by an independent implementation (scapy, tests/data/make_ndp_vectors.py writes
// tests/data/ndp_vectors.txt): the solicitations and advertisements we send, bit for bit; the
// messages we accept (RFC 4861 7.1.1/7.1.2) and every invalid variant refused; the address
// helpers (solicited-node group, multicast MAC, EUI-64 link-local); next hops, ownership and the
// primary address of a port. Pure functions: no EAL.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "io/byte_order.hpp"
#include "io/headers.hpp"
#include "io/ndp.hpp"
#include "io/neighbours.hpp"
#include "known_answers.hpp"

using namespace actorwire;
using Bytes = std::vector<std::uint8_t>;

namespace {

// The constants of make_ndp_vectors.py.
const config::MacAddress kOurMac{{0x02, 0, 0, 0, 0, 0x01}};
const config::MacAddress kHostMac{{0x02, 0, 0, 0, 0, 0x02}};
const config::MacAddress kProxyMac{{0x02, 0, 0, 0, 0, 0x22}};
const config::MacAddress kAllNodesMac{{0x33, 0x33, 0, 0, 0, 0x01}};

io::Ipv6Address v6(const char* text) {
  const auto parsed = config::parse_ip_address(text);
  EXPECT_TRUE(parsed.has_value() && parsed->is_v6) << text;
  return parsed ? parsed->bytes : io::Ipv6Address{};
}
config::IpPrefix prefix(const char* text) {
  const auto parsed = config::parse_interface_address(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(config::IpPrefix{});
}
config::MacAddress mac(const char* text) {
  const auto parsed = config::parse_mac_address(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(config::MacAddress{});
}

// A whole Ethernet frame.
Bytes frame_of(const std::string& name) {
  return test_support::known_answer("ndp_vectors.txt", name, io::kEthernetHeaderSize + 1)
      .value_or(Bytes(io::kEthernetHeaderSize + io::kIpv6HeaderSize, 0));
}
// The IPv6 packet in it.
Bytes packet_of(const std::string& name) {
  const Bytes frame = frame_of(name);
  return Bytes(frame.begin() + io::kEthernetHeaderSize, frame.end());
}

bool parse(const Bytes& ip, io::NdMessage& out) {
  return io::parse_nd(ip.data(), ip.size(), out);
}

// The ICMPv6 checksum written afresh (RFC 1071 over big-endian words of the pseudo-header and
// the message), independent of io/ndp, for repairing a packet after a test changed it.
void recompute_checksum(Bytes& ip) {
  const std::size_t length = io::load_be16(ip.data() + 4);
  Bytes pseudo(ip.begin() + 8, ip.begin() + 40);  // source, destination
  const std::uint8_t tail[8] = {
      0, 0, static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length & 0xFF), 0, 0,
      0, 58};
  pseudo.insert(pseudo.end(), std::begin(tail), std::end(tail));
  ip[42] = ip[43] = 0;
  pseudo.insert(pseudo.end(), ip.begin() + 40, ip.begin() + 40 + static_cast<long>(length));
  if (pseudo.size() % 2 != 0) pseudo.push_back(0);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < pseudo.size(); i += 2) sum += io::load_be16(pseudo.data() + i);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  io::store_be16(ip.data() + 42, static_cast<std::uint16_t>(~sum));
}

std::string hex_of(const std::uint8_t* data, std::size_t length) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xF];
  }
  return out;
}

// Writes into a poisoned buffer larger than a frame: checks the length returned, the bytes
// written, and that nothing beyond kNdFrameSize was touched.
template <class Write>
void expect_writes(const std::string& vector, Write write) {
  const Bytes expected = frame_of(vector);
  ASSERT_EQ(expected.size(), io::kNdFrameSize) << vector;
  Bytes buffer(io::kNdFrameSize + 16, 0xAA);
  EXPECT_EQ(write(buffer.data()), io::kNdFrameSize) << vector;
  EXPECT_EQ(hex_of(buffer.data(), io::kNdFrameSize), hex_of(expected.data(), expected.size()))
      << vector;
  EXPECT_TRUE(std::all_of(buffer.begin() + io::kNdFrameSize, buffer.end(),
                          [](std::uint8_t b) { return b == 0xAA; }))
      << vector << ": wrote past the frame";
}

// --- What we send --------------------------------------------------------------------------------

TEST(NdWrite, OurSolicitationMatchesScapyBitForBit) {
  expect_writes("ns_out", [](std::uint8_t* frame) {
    return io::write_neighbour_solicitation(frame, kOurMac, v6("fd0a::1"), v6("fd0a::2"));
  });
  // The spelled-out expectations of the brief, on the vector itself.
  const Bytes ns = frame_of("ns_out");
  EXPECT_EQ(hex_of(ns.data(), 6), "3333ff000002");
  EXPECT_EQ(ns[14 + 7], 255) << "hop limit";
  EXPECT_TRUE(std::equal(ns.begin() + 14 + 24, ns.begin() + 14 + 40, v6("ff02::1:ff00:2").begin()));
}

TEST(NdWrite, ASolicitationFromTheLinkLocalAddress) {
  expect_writes("ns_out_from_link_local", [](std::uint8_t* frame) {
    return io::write_neighbour_solicitation(frame, kOurMac, io::link_local_address(kOurMac),
                                            v6("fe80::2"));
  });
}

TEST(NdWrite, ASolicitedAdvertisementGoesToTheAsker) {
  expect_writes("na_solicited_out", [](std::uint8_t* frame) {
    return io::write_neighbour_advertisement(frame, kOurMac, v6("fd0a::1"), kHostMac, v6("fd0a::2"),
                                             true);
  });
  expect_writes("na_link_local_out", [](std::uint8_t* frame) {
    return io::write_neighbour_advertisement(frame, kOurMac, v6("fe80::ff:fe00:1"), kHostMac,
                                             v6("fe80::2"), true);
  });
}

TEST(NdWrite, AnAnswerToDuplicateAddressDetectionGoesToAllNodes) {
  // The asker's addresses are irrelevant (it has none yet): all nodes, no solicited flag.
  expect_writes("na_dad_out", [](std::uint8_t* frame) {
    return io::write_neighbour_advertisement(frame, kOurMac, v6("fd0a::1"), kHostMac, v6("::"),
                                             false);
  });
  expect_writes("na_dad_out", [](std::uint8_t* frame) {
    return io::write_neighbour_advertisement(frame, kOurMac, v6("fd0a::1"), kHostMac, v6("fd0a::2"),
                                             false);
  });
}

TEST(NdWrite, WhatWeWriteParsesBack) {
  Bytes frame(io::kNdFrameSize);
  io::write_neighbour_solicitation(frame.data(), kOurMac, v6("fd0a::1"), v6("fd0a::2"));
  io::NdMessage nd;
  ASSERT_TRUE(parse(Bytes(frame.begin() + 14, frame.end()), nd));
  EXPECT_EQ(nd.type, io::kNdNeighbourSolicitation);
  EXPECT_EQ(nd.target, v6("fd0a::2"));
  EXPECT_EQ(nd.link_layer, kOurMac);
  io::write_neighbour_advertisement(frame.data(), kOurMac, v6("fd0a::1"), kHostMac, v6("::"),
                                    false);
  ASSERT_TRUE(parse(Bytes(frame.begin() + 14, frame.end()), nd));
  EXPECT_EQ(nd.type, io::kNdNeighbourAdvertisement);
  EXPECT_TRUE(nd.router);
  EXPECT_FALSE(nd.solicited);
  EXPECT_TRUE(nd.override_flag);
  EXPECT_EQ(nd.destination, v6("ff02::1"));
}

// --- Address helpers -----------------------------------------------------------------------------

TEST(NdAddresses, SolicitedNodeGroupKeepsTheLast24Bits) {
  EXPECT_EQ(io::solicited_node_address(v6("fd0a::2")), v6("ff02::1:ff00:2"));
  EXPECT_EQ(io::solicited_node_address(v6("2001:db8::abcd:ef12")), v6("ff02::1:ffcd:ef12"));
  EXPECT_EQ(io::solicited_node_address(v6("fe80::ff:fe00:1")), v6("ff02::1:ff00:1"));
  EXPECT_EQ(io::solicited_node_address(v6("2001:db8:ffff:ffff:ffff:ffff:ff12:3456")),
            v6("ff02::1:ff12:3456"));
}

TEST(NdAddresses, MulticastMacIs3333AndTheLast32Bits) {
  EXPECT_EQ(io::ipv6_multicast_mac(v6("ff02::1:ff00:2")), mac("33:33:ff:00:00:02"));
  EXPECT_EQ(io::ipv6_multicast_mac(v6("ff02::1")), kAllNodesMac);
  EXPECT_EQ(io::ipv6_multicast_mac(v6("ff05::1:3")), mac("33:33:00:01:00:03"));
  EXPECT_EQ(io::ipv6_multicast_mac(v6("ff0e::1234:5678:9abc")), mac("33:33:56:78:9a:bc"));
}

TEST(NdAddresses, LinkLocalAddressIsEui64WithTheUniversalLocalBitFlipped) {
  // scapy: in6_mactoifaceid("02:00:00:00:00:01") == "0000:00FF:FE00:0001".
  EXPECT_EQ(io::link_local_address(kOurMac), v6("fe80::ff:fe00:1"));
  // The other direction: a universal MAC gets the bit set.
  EXPECT_EQ(io::link_local_address(mac("00:11:22:33:44:55")), v6("fe80::211:22ff:fe33:4455"));
  EXPECT_EQ(io::link_local_address(mac("52:54:00:12:34:56")), v6("fe80::5054:ff:fe12:3456"));
  // The source of the vector scapy built for a solicitation from the link-local address.
  const Bytes ns = packet_of("ns_out_from_link_local");
  EXPECT_TRUE(std::equal(ns.begin() + 8, ns.begin() + 24, io::link_local_address(kOurMac).begin()));
  EXPECT_TRUE(io::is_unspecified(v6("::")));
  EXPECT_FALSE(io::is_unspecified(v6("::1")));
}

// --- nd_type -------------------------------------------------------------------------------------

TEST(NdType, TheFiveNeighbourDiscoveryMessages) {
  auto type_of = [](const std::string& name) {
    const Bytes ip = packet_of(name);
    return io::nd_type(ip.data(), ip.size());
  };
  EXPECT_EQ(type_of("rs_in"), io::kNdRouterSolicitation);
  EXPECT_EQ(type_of("ra_in"), io::kNdRouterAdvertisement);
  EXPECT_EQ(type_of("ns_in_host"), io::kNdNeighbourSolicitation);
  EXPECT_EQ(type_of("na_in"), io::kNdNeighbourAdvertisement);
  EXPECT_EQ(type_of("redirect_in"), io::kNdRedirect);
  EXPECT_EQ(io::kNdRouterSolicitation, 133);
  EXPECT_EQ(io::kNdRedirect, 137);
  // Not neighbour discovery: an echo request, and UDP whose first payload byte is 135.
  EXPECT_EQ(type_of("echo_in"), 0);
  EXPECT_EQ(type_of("udp_in"), 0);
  ASSERT_EQ(packet_of("udp_in")[io::kIpv6HeaderSize], 135);
}

TEST(NdType, TypesAroundTheRangeAndShortPacketsAreNot) {
  Bytes ip = packet_of("ns_in_host");
  for (int type : {1, 128, 129, 132, 138, 143, 255}) {
    ip[io::kIpv6HeaderSize] = static_cast<std::uint8_t>(type);
    EXPECT_EQ(io::nd_type(ip.data(), ip.size()), 0) << type;
  }
  for (int type = 133; type <= 137; ++type) {
    ip[io::kIpv6HeaderSize] = static_cast<std::uint8_t>(type);
    EXPECT_EQ(io::nd_type(ip.data(), ip.size()), type) << type;
  }
  // Fewer bytes than the ICMPv6 header: not even the type is there to trust.
  EXPECT_EQ(io::nd_type(ip.data(), io::kIpv6HeaderSize + 3), 0);
  EXPECT_EQ(io::nd_type(ip.data(), io::kIpv6HeaderSize + 4), 137);
}

// --- parse_nd: valid messages ------------------------------------------------------------------

TEST(NdParse, ASolicitationFromAHostWithItsLinkLayerAddress) {
  io::NdMessage nd;
  ASSERT_TRUE(parse(packet_of("ns_in_host"), nd));
  EXPECT_EQ(nd.type, io::kNdNeighbourSolicitation);
  EXPECT_EQ(nd.source, v6("fd0a::2"));
  EXPECT_EQ(nd.destination, v6("ff02::1:ff00:1"));
  EXPECT_EQ(nd.target, v6("fd0a::1"));
  EXPECT_EQ(nd.link_layer, kHostMac);
  EXPECT_FALSE(nd.router);
  EXPECT_FALSE(nd.solicited);
  EXPECT_FALSE(nd.override_flag);

  ASSERT_TRUE(parse(packet_of("ns_in_link_local"), nd));
  EXPECT_EQ(nd.source, v6("fe80::2"));
  EXPECT_EQ(nd.target, v6("fe80::ff:fe00:1"));
  EXPECT_EQ(nd.link_layer, kHostMac);

  ASSERT_TRUE(parse(packet_of("ns_in_other"), nd));
  EXPECT_EQ(nd.target, v6("fd0a::99"));
}

TEST(NdParse, UnknownOptionsAreSkipped) {
  io::NdMessage nd;
  ASSERT_TRUE(parse(packet_of("ns_in_with_nonce"), nd));
  EXPECT_EQ(nd.target, v6("fd0a::1"));
  EXPECT_EQ(nd.link_layer, kHostMac);
}

TEST(NdParse, SolicitationsWithoutAnOptionAndDuplicateAddressDetection) {
  io::NdMessage nd;
  // Leftovers of an earlier parse must not survive.
  nd.link_layer = kProxyMac;
  nd.router = nd.solicited = nd.override_flag = true;
  ASSERT_TRUE(parse(packet_of("ns_in_unicast_no_option"), nd));
  EXPECT_EQ(nd.destination, v6("fd0a::1"));
  EXPECT_FALSE(nd.link_layer.has_value());
  EXPECT_FALSE(nd.router || nd.solicited || nd.override_flag);

  ASSERT_TRUE(parse(packet_of("ns_in_dad"), nd));
  EXPECT_TRUE(io::is_unspecified(nd.source));
  EXPECT_EQ(nd.destination, v6("ff02::1:ff00:1"));
  EXPECT_EQ(nd.target, v6("fd0a::1"));
  EXPECT_FALSE(nd.link_layer.has_value());
}

TEST(NdParse, AdvertisementsWithTheirFlagsAndTargetLinkLayerAddress) {
  io::NdMessage nd;
  ASSERT_TRUE(parse(packet_of("na_in"), nd));
  EXPECT_EQ(nd.type, io::kNdNeighbourAdvertisement);
  EXPECT_EQ(nd.source, v6("fd0a::2"));
  EXPECT_EQ(nd.destination, v6("fd0a::1"));
  EXPECT_EQ(nd.target, v6("fd0a::2"));
  EXPECT_EQ(nd.link_layer, kHostMac);
  EXPECT_FALSE(nd.router);
  EXPECT_TRUE(nd.solicited);
  EXPECT_TRUE(nd.override_flag);

  ASSERT_TRUE(parse(packet_of("na_in_proxy"), nd));
  EXPECT_EQ(nd.link_layer, kProxyMac) << "the option, not the Ethernet source";

  ASSERT_TRUE(parse(packet_of("na_in_no_option"), nd));
  EXPECT_FALSE(nd.link_layer.has_value());
  EXPECT_TRUE(nd.router);
  EXPECT_TRUE(nd.solicited);
  EXPECT_FALSE(nd.override_flag);

  ASSERT_TRUE(parse(packet_of("na_in_no_override"), nd));
  EXPECT_EQ(nd.link_layer, kProxyMac);
  EXPECT_TRUE(nd.solicited);
  EXPECT_FALSE(nd.override_flag);

  ASSERT_TRUE(parse(packet_of("na_in_unsolicited"), nd));
  EXPECT_EQ(nd.destination, v6("ff02::1"));
  EXPECT_EQ(nd.target, v6("fd0a::77"));
  EXPECT_FALSE(nd.router);
  EXPECT_FALSE(nd.solicited);
  EXPECT_TRUE(nd.override_flag);
  EXPECT_EQ(nd.link_layer, kHostMac);
}

TEST(NdParse, OurOwnMessagesAreValid) {
  for (const char* name : {"ns_out", "ns_out_from_link_local", "na_solicited_out",
                           "na_link_local_out", "na_dad_out"}) {
    io::NdMessage nd;
    EXPECT_TRUE(parse(packet_of(name), nd)) << name;
    EXPECT_EQ(nd.link_layer, kOurMac) << name;
  }
}

// --- parse_nd: what RFC 4861 7.1 refuses ---------------------------------------------------------

TEST(NdParse, EveryInvalidVariantIsRefused) {
  for (const char* name :
       {"bad_ns_hop_limit_64", "bad_na_hop_limit_64", "bad_ns_checksum", "bad_ns_code_1",
        "bad_ns_option_length_0", "bad_na_option_length_0", "bad_ns_option_overrun",
        "bad_ns_dad_with_ll", "bad_ns_dad_unicast", "bad_ns_target_multicast",
        "bad_na_target_multicast", "bad_na_solicited_multicast", "bad_ns_too_short"}) {
    io::NdMessage nd;
    EXPECT_FALSE(parse(packet_of(name), nd)) << name;
  }
}

TEST(NdParse, OtherMessagesAreNotNeighbourSolicitationsOrAdvertisements) {
  for (const char* name : {"rs_in", "ra_in", "redirect_in", "echo_in", "udp_in"}) {
    io::NdMessage nd;
    EXPECT_FALSE(parse(packet_of(name), nd)) << name;
  }
}

// The controls: each invalid vector becomes valid once its one fault is repaired, so each
// refusal above is for that fault and not for something else.
TEST(NdParse, RepairingTheOneFaultMakesEachInvalidVariantValid) {
  io::NdMessage nd;
  auto repaired = [&](const char* name, auto&& fix) {
    Bytes ip = packet_of(name);
    fix(ip);
    recompute_checksum(ip);
    return parse(ip, nd);
  };
  EXPECT_TRUE(repaired("bad_ns_hop_limit_64", [](Bytes& ip) { ip[7] = 255; }));
  EXPECT_TRUE(repaired("bad_na_hop_limit_64", [](Bytes& ip) { ip[7] = 255; }));
  EXPECT_TRUE(repaired("bad_ns_checksum", [](Bytes&) {}));
  EXPECT_TRUE(repaired("bad_ns_code_1", [](Bytes& ip) { ip[41] = 0; }));
  EXPECT_TRUE(repaired("bad_ns_option_length_0", [](Bytes& ip) { ip[40 + 25] = 1; }));
  EXPECT_TRUE(repaired("bad_na_option_length_0", [](Bytes& ip) { ip[40 + 25] = 1; }));
  EXPECT_TRUE(repaired("bad_ns_option_overrun", [](Bytes& ip) { ip[40 + 25] = 1; }));
  EXPECT_TRUE(repaired("bad_ns_dad_with_ll", [](Bytes& ip) {
    ip.resize(ip.size() - 8);  // without the option
    io::store_be16(ip.data() + 4, 24);
  }));
  EXPECT_TRUE(repaired("bad_ns_dad_unicast", [](Bytes& ip) {
    const auto group = v6("ff02::1:ff00:1");
    std::copy(group.begin(), group.end(), ip.begin() + 24);
  }));
  EXPECT_TRUE(repaired("bad_ns_target_multicast", [](Bytes& ip) {
    const auto target = v6("fd0a::1");
    std::copy(target.begin(), target.end(), ip.begin() + 48);
  }));
  EXPECT_TRUE(repaired("bad_na_target_multicast", [](Bytes& ip) {
    const auto target = v6("fd0a::2");
    std::copy(target.begin(), target.end(), ip.begin() + 48);
  }));
  EXPECT_TRUE(repaired("bad_na_solicited_multicast", [](Bytes& ip) { ip[44] &= ~0x40; }));
  EXPECT_TRUE(repaired("bad_ns_too_short", [](Bytes& ip) {
    ip.resize(ip.size() + 4, 0);  // the rest of the target (fd0a::)
    io::store_be16(ip.data() + 4, 24);
  }));
}

TEST(NdParse, ASingleFlippedBitAnywhereInTheMessageFailsTheChecksum) {
  const Bytes good = packet_of("ns_in_host");
  io::NdMessage nd;
  ASSERT_TRUE(parse(good, nd));
  // Source, destination (pseudo-header) and every ICMPv6 byte are covered.
  for (std::size_t at = 8; at < good.size(); ++at) {
    Bytes bad = good;
    bad[at] ^= 0x10;
    EXPECT_FALSE(parse(bad, nd)) << "byte " << at;
  }
}

// --- The IPv6 neighbour table ------------------------------------------------------------------

TEST(Ipv6NeighbourTable, StaticEntriesWinAndLearningReportsChanges) {
  io::Ipv6NeighbourTable table;
  EXPECT_EQ(table.find(v6("fd0a::2")), nullptr);
  EXPECT_TRUE(table.learn(v6("fd0a::2"), kHostMac));
  ASSERT_NE(table.find(v6("fd0a::2")), nullptr);
  EXPECT_EQ(*table.find(v6("fd0a::2")), kHostMac);
  EXPECT_FALSE(table.learn(v6("fd0a::2"), kHostMac)) << "nothing changed";
  EXPECT_TRUE(table.learn(v6("fd0a::2"), kProxyMac));
  EXPECT_EQ(*table.find(v6("fd0a::2")), kProxyMac);
  table.add_static(v6("fd0a::5"), kOurMac);
  EXPECT_FALSE(table.learn(v6("fd0a::5"), kHostMac)) << "a static entry is not overridden";
  EXPECT_EQ(*table.find(v6("fd0a::5")), kOurMac);
  table.add_static(v6("fd0a::2"), kAllNodesMac);  // a static entry replaces a learned one
  EXPECT_EQ(*table.find(v6("fd0a::2")), kAllNodesMac);
  EXPECT_FALSE(table.learn(v6("fd0a::2"), kHostMac));
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.find(v6("fd0a::3")), nullptr);
}

// --- PortIdentity, IPv6 ------------------------------------------------------------------------

io::PortIdentity dual_stack_port() {
  io::PortIdentity port;
  port.mac = kOurMac;
  port.addresses = {prefix("192.0.2.1/24"), prefix("fd0a::1/64"), prefix("2001:db8:0:8::1/61")};
  port.next_hop = config::parse_ip_address("fd0a::fe");
  return port;
}

TEST(PortIdentityV6, OnLinkDestinationsAreTheirOwnNextHop) {
  const io::PortIdentity port = dual_stack_port();
  for (const char* on_link : {"fd0a::2", "fd0a::1", "fd0a::ffff:ffff:ffff:ffff", "2001:db8:0:8::5",
                              "2001:db8:0:f::5", "2001:db8:0:c:1:2:3:4"}) {
    EXPECT_EQ(port.next_hop_for_v6(v6(on_link)), v6(on_link)) << on_link;
  }
}

TEST(PortIdentityV6, OffLinkDestinationsGoThroughTheIpv6NextHop) {
  const io::PortIdentity port = dual_stack_port();
  // Outside the /64 (its last prefix bit), outside the /61 on both sides, elsewhere.
  for (const char* off_link : {"fd0a:0:0:1::2", "fd0b::1", "2001:db8:0:7::5", "2001:db8:0:10::5",
                               "2001:db8::5", "2606:4700::1111"}) {
    EXPECT_EQ(port.next_hop_for_v6(v6(off_link)), v6("fd0a::fe")) << off_link;
  }
}

TEST(PortIdentityV6, WithoutAnIpv6NextHopOffLinkHasNone) {
  io::PortIdentity port = dual_stack_port();
  port.next_hop = config::parse_ip_address("192.0.2.254");  // an IPv4 one does not count
  EXPECT_EQ(port.next_hop_for_v6(v6("2001:db8::5")), std::nullopt);
  EXPECT_EQ(port.next_hop_for_v6(v6("fd0a::5")), v6("fd0a::5"));
  // Bytes of an IPv4 address are no IPv6 prefix: c000:0201:: is not on-link.
  EXPECT_EQ(port.next_hop_for_v6(v6("c000:201::")), std::nullopt);
  port.next_hop.reset();
  EXPECT_EQ(port.next_hop_for_v6(v6("2001:db8::5")), std::nullopt);
}

TEST(PortIdentityV6, LinkLocalIsAlwaysOnLink) {
  io::PortIdentity port;
  port.mac = kOurMac;
  port.addresses = {prefix("192.0.2.1/24")};  // no IPv6 address at all, no next hop
  EXPECT_EQ(port.next_hop_for_v6(v6("fe80::2")), v6("fe80::2"));
  EXPECT_EQ(port.next_hop_for_v6(v6("fe80::1:2:3:4")), v6("fe80::1:2:3:4"));
  EXPECT_EQ(port.next_hop_for_v6(v6("febf::1")), v6("febf::1")) << "fe80::/10";
  EXPECT_EQ(port.next_hop_for_v6(v6("fec0::1")), std::nullopt) << "outside fe80::/10";
  EXPECT_EQ(port.next_hop_for_v6(v6("fd0a::2")), std::nullopt);
  // Also with a next hop configured: link-local never goes through it.
  const io::PortIdentity dual = dual_stack_port();
  EXPECT_EQ(dual.next_hop_for_v6(v6("fe80::2")), v6("fe80::2"));
}

TEST(PortIdentityV6, AHostPrefixIsOnLinkForItselfOnly) {
  io::PortIdentity port;
  port.mac = kOurMac;
  port.addresses = {prefix("fd0a::1/128")};
  port.next_hop = config::parse_ip_address("fe80::fe");
  EXPECT_EQ(port.next_hop_for_v6(v6("fd0a::1")), v6("fd0a::1"));
  EXPECT_EQ(port.next_hop_for_v6(v6("fd0a::2")), v6("fe80::fe"));
}

TEST(PortIdentityV6, OwnsItsAddressesAndItsLinkLocalAddress) {
  const io::PortIdentity port = dual_stack_port();
  EXPECT_TRUE(port.owns_v6(v6("fd0a::1")));
  EXPECT_TRUE(port.owns_v6(v6("2001:db8:0:8::1")));
  EXPECT_TRUE(port.owns_v6(v6("fe80::ff:fe00:1"))) << "EUI-64 link-local of 02:00:00:00:00:01";
  EXPECT_FALSE(port.owns_v6(v6("fd0a::2")));
  EXPECT_FALSE(port.owns_v6(v6("fe80::1")));
  EXPECT_FALSE(port.owns_v6(v6("fe80::200:ff:fe00:1"))) << "the U/L bit not flipped";
  EXPECT_FALSE(port.owns_v6(v6("::")));
  // The bytes of its IPv4 address, read as IPv6, are not its address.
  io::Ipv6Address v4_bytes{};
  v4_bytes[0] = 192;
  v4_bytes[2] = 2;
  v4_bytes[3] = 1;
  EXPECT_FALSE(port.owns_v6(v4_bytes));
  // And the port still owns its IPv4 address.
  EXPECT_TRUE(port.owns(0xC0000201));
}

TEST(PortIdentityV6, PrimaryIsTheFirstIpv6AddressElseTheLinkLocalOne) {
  io::PortIdentity port = dual_stack_port();
  EXPECT_EQ(port.primary_ipv6(), v6("fd0a::1")) << "skips the IPv4 address before it";
  port.addresses = {prefix("192.0.2.1/24")};
  EXPECT_EQ(port.primary_ipv6(), v6("fe80::ff:fe00:1"));
  port.addresses.clear();
  port.mac = mac("00:11:22:33:44:55");
  EXPECT_EQ(port.primary_ipv6(), v6("fe80::211:22ff:fe33:4455"));
}

}  // namespace
