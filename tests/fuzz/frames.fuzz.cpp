// Frame parsing as the WAN and LAN paths do it, on a contiguous frame: Ethernet, ARP, IPv4/IPv6,
// UDP to our address and port (classify_inbound), the WireGuard transport header, IPv6 neighbour
// discovery, ICMP echo requests (answered in place on a copy), ICMP errors about the frame, and
// TCP MSS clamping. Everything a parser accepts must lie inside the frame.
//
// The input is an options byte and the frame. Checksums stop a byte-mutating fuzzer at the first
// header, so the options ask the target to write correct ones first, as a sender would: bit 0 the
// IPv4 header checksum, bit 1 the UDP / ICMP / ICMPv6 checksum. A clear bit leaves the field as
// the input has it (wrong checksums are fuzzed too).
#include <rte_ip.h>

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

void fix_ipv4_header_checksum(std::vector<std::uint8_t>& frame) {
  if (frame.size() < io::kEthernetHeaderSize + io::kIpv4HeaderSize) return;
  if (frame[12] != 0x08 || frame[13] != 0x00) return;
  std::uint8_t* ip = frame.data() + io::kEthernetHeaderSize;
  const std::size_t header_length = std::size_t{ip[0] & 0x0Fu} * 4;
  if (header_length < io::kIpv4HeaderSize ||
      io::kEthernetHeaderSize + header_length > frame.size()) {
    return;
  }
  ip[10] = ip[11] = 0;
  io::store_checksum(ip + 10, io::ipv4_header_checksum(ip));
}

// After parse_frame: the transport checksum over what the IP header says is the packet.
void fix_transport_checksum(std::uint8_t* ip, std::size_t ip_length, bool is_v6) {
  const std::size_t header_length = is_v6 ? io::kIpv6HeaderSize : std::size_t{ip[0] & 0x0Fu} * 4;
  const std::uint8_t protocol = is_v6 ? ip[6] : ip[9];
  std::uint8_t* l4 = ip + header_length;
  const std::size_t l4_length = ip_length - header_length;
  if (protocol == io::kIpProtoUdp && l4_length >= io::kUdpHeaderSize) {
    l4[6] = l4[7] = 0;
    io::store_checksum(l4 + 6,
                       is_v6 ? rte_ipv6_udptcp_cksum(reinterpret_cast<rte_ipv6_hdr*>(ip), l4)
                             : rte_ipv4_udptcp_cksum(reinterpret_cast<rte_ipv4_hdr*>(ip), l4));
  } else if (protocol == 1 && !is_v6 && l4_length >= 4) {  // ICMP
    l4[2] = l4[3] = 0;
    io::store_checksum(l4 + 2, static_cast<std::uint16_t>(~rte_raw_cksum(l4, l4_length)));
  } else if (protocol == 58 && is_v6 && l4_length >= 4) {  // ICMPv6
    l4[2] = l4[3] = 0;
    io::store_checksum(l4 + 2, io::icmpv6_checksum(ip, l4_length));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return -1;
  const std::uint8_t options = data[0];
  // A copy of exactly the frame's bytes: ASan then sees any read past the frame.
  std::vector<std::uint8_t> frame(data + 1, data + size);
  if ((options & 1) != 0) fix_ipv4_header_checksum(frame);
  io::ParsedFrame parsed;
  if (io::parse_frame(frame.data(), frame.size(), parsed) != io::FrameError::kNone) return 0;
  if ((options & 2) != 0 && parsed.kind != io::FrameKind::kArp) {
    fix_transport_checksum(frame.data() + parsed.l3_offset, parsed.l3_length,
                           parsed.kind == io::FrameKind::kIpv6);
  }
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
