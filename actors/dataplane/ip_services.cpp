#include "actors/dataplane/ip_services.hpp"

#include <algorithm>
#include <cstring>

#include "io/ipv4_fragmentation.hpp"
#include "io/tcp_mss.hpp"

namespace actorwire::actors {

namespace {

std::optional<config::IpAddress> first_of_family(const io::PortIdentity& port, bool is_v6) {
  for (const config::IpPrefix& prefix : port.addresses) {
    if (prefix.address.is_v6 == is_v6) return prefix.address;
  }
  return std::nullopt;
}

// The source of a validated IP packet: where an error about it goes.
config::IpAddress offending_source(const std::uint8_t* ip, bool is_v6) {
  config::IpAddress address;
  address.is_v6 = is_v6;
  constexpr std::size_t kV4Source = 12;
  constexpr std::size_t kV6Source = 8;
  std::memcpy(address.bytes.data(), ip + (is_v6 ? kV6Source : kV4Source), is_v6 ? 16 : 4);
  return address;
}

}  // namespace

IpServices::IpServices(const DataPlaneEnv& env)
    : pool_(env.pool),
      mtu_(env.mtu),
      mss_v4_(io::mss_for_mtu(env.mtu, false)),
      mss_v6_(io::mss_for_mtu(env.mtu, true)),
      mss_clamping_(env.mss_clamping),
      icmp_unreachable_(env.icmp_unreachable) {
  auto add_own = [this](const config::IpAddress& address) {
    if (address.is_v6) {
      own_v6_.push_back(address.bytes);
    } else {
      std::uint32_t raw;
      std::memcpy(&raw, address.bytes.data(), sizeof raw);
      own_v4_.push_back(raw);
    }
  };
  for (const config::IpAddress& address : env.tunnel_addresses) add_own(address);
  for (const io::Port* port : {env.lan, env.wan}) {
    if (port == nullptr) continue;
    for (const config::IpPrefix& prefix : port->identity().addresses) add_own(prefix.address);
    own_v6_.push_back(io::link_local_address(port->identity().mac));
  }
  if (env.lan != nullptr) {
    lan_v4_ = first_of_family(env.lan->identity(), false);
    // Without a configured IPv6 address, ICMPv6 errors come from the link-local one.
    lan_v6_ = first_of_family(env.lan->identity(), true);
    if (!lan_v6_) {
      config::IpAddress link_local;
      link_local.is_v6 = true;
      link_local.bytes = io::link_local_address(env.lan->identity().mac);
      lan_v6_ = link_local;
    }
    lan_mac_ = env.lan->identity().mac;
  }
  if (env.wan != nullptr) wan_mac_ = env.wan->identity().mac;
}

bool IpServices::for_gateway(const std::uint8_t* ip, bool is_v6) const {
  if (is_v6) {
    return std::any_of(own_v6_.begin(), own_v6_.end(), [&](const io::Ipv6Address& own) {
      return std::memcmp(own.data(), ip + 24, 16) == 0;
    });
  }
  std::uint32_t destination;
  std::memcpy(&destination, ip + 16, sizeof destination);
  return std::find(own_v4_.begin(), own_v4_.end(), destination) != own_v4_.end();
}

bool IpServices::answer_echo(rte_mbuf* mbuf, const io::ParsedFrame& frame, bool on_wan,
                             StageCounters& counters) {
  auto* ethernet = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
  std::uint8_t* ip = ethernet + frame.l3_offset;
  const bool is_v6 = frame.kind == io::FrameKind::kIpv6;
  if (!io::is_echo_request(ip, frame.l3_length, is_v6)) return false;
  io::make_echo_reply(ip, frame.l3_length, is_v6);
  std::memcpy(ethernet, ethernet + 6, 6);  // back to the sender
  std::memcpy(ethernet + 6, (on_wan ? wan_mac_ : lan_mac_).bytes.data(), 6);
  // Drop the sender's Ethernet padding, if any: the reply is as long as the request.
  rte_pktmbuf_trim(mbuf,
                   static_cast<std::uint16_t>(mbuf->data_len - frame.l3_offset - frame.l3_length));
  counters.icmp_sent.add(1);
  return true;
}

rte_mbuf* IpServices::make_error(const rte_mbuf* offending, const io::ParsedFrame& frame,
                                 io::IcmpError error, Clock::time_point now,
                                 StageCounters& counters) {
  const auto* ethernet = rte_pktmbuf_mtod(offending, const std::uint8_t*);
  const std::uint8_t* ip = ethernet + frame.l3_offset;
  const bool is_v6 = frame.kind == io::FrameKind::kIpv6;
  const std::optional<config::IpAddress>& source = is_v6 ? lan_v6_ : lan_v4_;
  if (!source || !io::icmp_error_allowed(ip, frame.l3_length, is_v6, error) ||
      !limiter_.allow(offending_source(ip, is_v6), is_v6 && error == io::IcmpError::kTooBig, now)) {
    counters.icmp_suppressed.add(1);
    return nullptr;
  }
  rte_mbuf* mbuf = rte_pktmbuf_alloc(pool_);
  auto* out = mbuf == nullptr ? nullptr
                              : reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(
                                    mbuf, io::kEthernetHeaderSize + io::kIcmpErrorMaxSize));
  if (out == nullptr) {
    if (mbuf != nullptr) rte_pktmbuf_free(mbuf);
    counters.icmp_suppressed.add(1);
    return nullptr;
  }
  const std::size_t length = io::write_icmp_error(
      out + io::kEthernetHeaderSize, ip, frame.l3_length, is_v6, *source, error, mtu_, ip_id_++);
  config::MacAddress sender;
  std::memcpy(sender.bytes.data(), ethernet + 6, 6);
  io::write_ethernet_header(out, sender, lan_mac_, is_v6 ? io::kEtherTypeIpv6 : io::kEtherTypeIpv4);
  rte_pktmbuf_trim(mbuf, static_cast<std::uint16_t>(io::kIcmpErrorMaxSize - length));
  counters.packets_generated.add(1);
  counters.icmp_sent.add(1);
  return mbuf;
}

void IpServices::clamp_mss(std::uint8_t* ip, std::size_t length, bool is_v6,
                           StageCounters& counters) const {
  if (io::clamp_tcp_mss(ip, length, is_v6, is_v6 ? mss_v6_ : mss_v4_)) counters.mss_clamped.add(1);
}

std::size_t IpServices::fragment(rte_mbuf* mbuf, const io::ParsedFrame& frame, rte_mbuf** out,
                                 StageCounters& counters) {
  const std::size_t count =
      io::fragment_ipv4_frame(mbuf, frame.l3_offset, frame.l3_length, mtu_, pool_, out);
  if (count == 0) return 0;
  rte_pktmbuf_free(mbuf);
  counters.packets_consumed.add(1);
  counters.packets_generated.add(count);
  counters.packets_fragmented.add(1);
  return count;
}

IpServices::Inbound IpServices::inbound(std::uint8_t* inner, std::size_t length, bool is_v6,
                                        StageCounters& counters, DropReason& reason) const {
  if (for_gateway(inner, is_v6)) {
    if (!io::is_echo_request(inner, length, is_v6)) {
      reason = DropReason::kForGateway;
      return Inbound::kDrop;
    }
    io::make_echo_reply(inner, length, is_v6);
    counters.icmp_sent.add(1);
    return Inbound::kEcho;
  }
  if (mss_clamping_) clamp_mss(inner, length, is_v6, counters);
  return Inbound::kForward;
}

}  // namespace actorwire::actors
