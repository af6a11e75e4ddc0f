// Frame parsing as the WAN and LAN paths do it, on a contiguous frame: Ethernet, ARP, IPv4/IPv6,
// UDP to our address and port (classify_inbound), the WireGuard transport header, IPv6 neighbour
// discovery, ICMP echo requests (answered in place on a copy), ICMP errors about the frame, and
// TCP MSS clamping. Everything a parser accepts must lie inside the frame.
#include <vector>

#include "crypto/transport.hpp"
#include "io/decapsulation.hpp"
#include "io/headers.hpp"
#include "io/icmp.hpp"
#include "io/ndp.hpp"
#include "io/tcp_mss.hpp"

using namespace actorwire;

namespace {
const std::uint32_t kOurIpv4 = 0xC0000201;  // 192.0.2.1
const io::Ipv6Address kOurIpv6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A copy of exactly `size` bytes: ASan then sees any read past the frame.
  std::vector<std::uint8_t> frame(data, data + size);
  io::ParsedFrame parsed;
  if (io::parse_frame(frame.data(), frame.size(), parsed) != io::FrameError::kNone) return 0;
  if (parsed.kind == io::FrameKind::kArp) {
    (void)io::read_arp(frame.data() + parsed.l3_offset);
    return 0;
  }
  if (parsed.l3_offset + parsed.l3_length > frame.size()) __builtin_trap();
  const bool is_v6 = parsed.kind == io::FrameKind::kIpv6;
  std::uint8_t* ip = frame.data() + parsed.l3_offset;
  const std::size_t ip_length = parsed.l3_length;
  const io::IpInfo info = io::read_ip_info(ip, is_v6);
  if (info.header_length > ip_length) __builtin_trap();

  io::InboundUdp inbound;
  io::FrameError frame_error = io::FrameError::kNone;
  if (io::classify_inbound(frame.data(), parsed, kOurIpv4, &kOurIpv6, 51820, inbound,
                           frame_error) == io::InboundError::kNone) {
    if (inbound.message_offset + inbound.message_length > frame.size()) __builtin_trap();
    if (inbound.kind == io::InboundKind::kTransport) {
      (void)crypto::parse_transport_header(frame.data() + inbound.message_offset,
                                           inbound.message_length);
    }
    (void)io::udp_checksum_ok(frame.data() + inbound.ip_offset, inbound.is_v6);
  }
  if (!is_v6) {
    io::UdpView udp;
    if (io::parse_ipv4_udp(ip, ip_length, udp) == io::FrameError::kNone &&
        udp.payload_offset + udp.payload_length > ip_length) {
      __builtin_trap();
    }
  } else if (io::nd_type(ip, ip_length) != 0) {
    io::NdMessage nd;
    (void)io::parse_nd(ip, ip_length, nd);
  }
  for (const auto error : {io::IcmpError::kTooBig, io::IcmpError::kNoRoute}) {
    if (!io::icmp_error_allowed(ip, ip_length, is_v6, error)) continue;
    std::uint8_t answer[io::kIcmpErrorMaxSize];
    const std::size_t n =
        io::write_icmp_error(answer, ip, ip_length, is_v6, info.destination, error, 1280, 1);
    if (n > sizeof answer) __builtin_trap();
  }
  if (io::is_echo_request(ip, ip_length, is_v6)) io::make_echo_reply(ip, ip_length, is_v6);
  (void)io::clamp_tcp_mss(ip, ip_length, is_v6, 1380);
  return 0;
}
