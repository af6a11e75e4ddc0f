// Writes the seed corpora (tests/fuzz/corpus/<target>/) with the project's own code: valid
// handshake messages for the deterministic world of fuzz_world.hpp, sealed transport messages,
// frames of every kind the parsers know, configs and UAPI requests. Run by tests/fuzz/run.sh
// --seeds; its output is committed.
//   fuzz_seeds <corpus dir> <source dir>
#include <rte_ip.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "config/default_config.hpp"
#include "crypto/transport.hpp"
#include "io/headers.hpp"
#include "io/icmp.hpp"
#include "io/ndp.hpp"
#include "tests/fuzz/fuzz_world.hpp"

using namespace actorwire;
using Bytes = std::vector<std::uint8_t>;

namespace {

std::filesystem::path corpus;

void write_seed(const std::string& target, const std::string& name, const Bytes& bytes) {
  const auto dir = corpus / target;
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}
void write_seed(const std::string& target, const std::string& name, const std::string& text) {
  write_seed(target, name, Bytes(text.begin(), text.end()));
}
Bytes with_options(std::uint8_t options, std::span<const std::uint8_t> message) {
  Bytes out{options};
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

void handshake_seeds() {
  // Responder side: the peer's initiation (also under load, where it earns a cookie reply).
  fuzz::reset_random();
  fuzz::HandshakeWorld responder;
  crypto::InitiationMessage initiation;
  crypto::create_initiation(*responder.peer_state, 1234, crypto::to_tai64n(fuzz::kWallNow),
                            initiation);
  responder.peer_macs->add_macs(initiation, fuzz::kNow);
  const auto answer = responder.deliver(initiation, false);
  for (const char* target : {"handshake_responder", "handshake_structured"}) {
    write_seed(target, "initiation", with_options(0, initiation));
    write_seed(target, "initiation-under-load", with_options(1, initiation));
  }
  // A response and a cookie reply that answer nothing the gateway sent.
  write_seed("handshake_responder", "unsolicited-response",
             with_options(0, answer.datagrams.at(0).message));

  // Initiator side: the gateway's initiation (the same in every run) and the peer's answers.
  fuzz::reset_random();
  fuzz::HandshakeWorld initiator;
  const auto ours = initiator.gateway_initiates();
  auto decrypted = crypto::open_initiation(initiator.peer, ours.data());
  crypto::accept_initiation(*initiator.peer_state, std::move(*decrypted), ours.data(), fuzz::kNow);
  crypto::ResponseMessage response;
  crypto::create_response(*initiator.peer_state, 555, response);
  initiator.peer_macs->add_macs(response, fuzz::kNow);
  crypto::CookieChecker peer_checker(initiator.peer.public_key);
  crypto::CookieSource source;
  const auto cookie_reply = peer_checker.make_reply(
      ours, crypto::read_index(ours.data() + wg::kInitiationSenderOffset), source, fuzz::kNow);
  // The point of the deterministic world: a fresh one (as in each fuzz run) takes this response.
  fuzz::reset_random();
  fuzz::HandshakeWorld check;
  check.gateway_initiates();
  if (check.deliver(response, false).keypairs.size() != 1) {
    std::cerr << "fuzz_seeds: the gateway's initiation differs between runs\n";
    std::exit(1);
  }
  for (const char* target : {"handshake_initiator", "handshake_structured"}) {
    write_seed(target, "response", with_options(0, response));
    write_seed(target, "response-under-load", with_options(1, response));
  }
  write_seed("handshake_initiator", "cookie-reply", with_options(0, cookie_reply));
  write_seed("handshake_responder", "cookie-reply", with_options(0, cookie_reply));
}

void transport_seeds() {
  auto aead = crypto::make_aead(crypto::AeadKind::kLibsodium);
  for (const bool gateway_initiated : {false, true}) {
    const fuzz::Session session = fuzz::establish_session(gateway_initiated);
    for (const std::size_t length : {0, 20, 60}) {
      Bytes message(crypto::sealed_size(length), 0);
      for (std::size_t i = 0; i < length; ++i) message[wg::kTransportHeaderSize + i] = 0x45 + i;
      crypto::seal_transport(*aead, session.peer.send_key, session.peer.remote_index, length,
                             message.data(), length);
      write_seed(
          "transport",
          std::string(gateway_initiated ? "initiator" : "responder") + "-" + std::to_string(length),
          with_options(gateway_initiated ? 1 : 0, message));
    }
  }
}

void replay_seeds() {
  Bytes records;
  auto add = [&](std::uint8_t op, std::uint64_t value) {
    records.push_back(op);
    for (int i = 0; i < 8; ++i) records.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  };
  add(0, 0), add(0, 1), add(2, 64), add(1, wg::kReplayWindowSize),
      add(1, wg::kReplayWindowSize + 1);
  add(0, 1), add(2, 9000), add(1, 100), add(1, 100), add(0, wg::kRejectAfterMessages - 1);
  add(0, wg::kRejectAfterMessages), add(3, 0), add(0, 5);
  write_seed("replay_window", "edges", records);
}

// Frames: the parsers' seeds, each a whole Ethernet frame.
const config::MacAddress kMacA{{2, 0, 0, 0, 0, 1}};
const config::MacAddress kMacB{{2, 0, 0, 0, 0, 2}};
const io::Ipv6Address kV6A = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const io::Ipv6Address kV6B = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

Bytes udp_frame(bool v6, std::span<const std::uint8_t> payload) {
  io::OuterUdp outer;
  outer.source_mac = kMacB;
  outer.destination_mac = kMacA;
  if (v6) {
    outer.source.is_v6 = outer.destination.is_v6 = true;
    std::copy(kV6B.begin(), kV6B.end(), outer.source.bytes.begin());
    std::copy(kV6A.begin(), kV6A.end(), outer.destination.bytes.begin());
  } else {
    outer.source = config::IpAddress::v4(0xC0000202);
    outer.destination = config::IpAddress::v4(0xC0000201);
  }
  outer.source_port = 51820;
  outer.destination_port = 51820;
  Bytes frame(outer.overhead() + payload.size());
  std::copy(payload.begin(), payload.end(), frame.begin() + outer.overhead());
  io::write_outer_udp(frame.data(), payload.size(), outer, 1);
  return frame;
}

Bytes ipv4_frame(std::uint8_t protocol, const Bytes& l4) {
  Bytes frame(io::kEthernetHeaderSize + io::kIpv4HeaderSize + l4.size());
  io::write_ethernet_header(frame.data(), kMacA, kMacB, io::kEtherTypeIpv4);
  std::uint8_t* ip = frame.data() + io::kEthernetHeaderSize;
  ip[0] = 0x45;
  ip[2] = static_cast<std::uint8_t>(frame.size() - io::kEthernetHeaderSize) >> 8;
  ip[3] = static_cast<std::uint8_t>(frame.size() - io::kEthernetHeaderSize);
  ip[8] = 64;
  ip[9] = protocol;
  const std::uint8_t source[] = {10, 0, 0, 2}, destination[] = {192, 0, 2, 1};
  std::memcpy(ip + 12, source, 4);
  std::memcpy(ip + 16, destination, 4);
  std::copy(l4.begin(), l4.end(), ip + io::kIpv4HeaderSize);
  io::store_checksum(ip + 10, io::ipv4_header_checksum(ip));
  return frame;
}

// Frame seeds carry the frames target's options byte: 3 (fix the IPv4 header and L4 checksums).
void write_frame(const std::string& name, const Bytes& frame) {
  write_seed("frames", name, with_options(3, frame));
}

void frame_seeds() {
  Bytes arp(io::kArpFrameSize);
  io::ArpPacket request;
  request.operation = io::kArpRequest;
  request.sender_mac = kMacB;
  request.sender_ip = 0xC0000202;
  request.target_ip = 0xC0000201;
  io::write_arp_frame(arp.data(), io::kBroadcastMac, request);
  write_frame("arp-request", arp);

  Bytes keepalive(wg::kKeepaliveSize, 0);
  keepalive[0] = 4;
  write_frame("ipv4-wireguard", udp_frame(false, keepalive));
  write_frame("ipv6-wireguard", udp_frame(true, keepalive));

  // An ICMP echo request to 192.0.2.1 (checksum over the ICMP message).
  Bytes echo = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g'};
  io::store_checksum(echo.data() + 2,
                     static_cast<std::uint16_t>(~rte_raw_cksum(echo.data(), echo.size())));
  write_frame("ipv4-echo", ipv4_frame(1, echo));
  // A TCP SYN with an MSS option (clamped to the MTU).
  Bytes syn(24, 0);
  syn[12] = 6 << 4;
  syn[13] = 0x02;
  syn[20] = 2, syn[21] = 4, syn[22] = 0x05, syn[23] = 0xb4;
  write_frame("ipv4-tcp-syn", ipv4_frame(6, syn));

  Bytes ns(io::kNdFrameSize);
  io::write_neighbour_solicitation(ns.data(), kMacB, kV6B, kV6A);
  write_frame("ipv6-neighbour-solicitation", ns);
  Bytes na(io::kNdFrameSize);
  io::write_neighbour_advertisement(na.data(), kMacA, kV6A, kMacB, kV6B, true);
  write_frame("ipv6-neighbour-advertisement", na);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void config_seeds(const std::filesystem::path& source_dir) {
  write_seed("config_loader", "example", read_file(source_dir / "config/examples/gateway.toml"));
  fuzz::reset_random();
  write_seed("config_loader", "default", config::default_config_toml());
}

void uapi_seeds() {
  write_seed("uapi_request", "get", std::string("\xff") + "get=1\n\n");
  write_seed("uapi_request", "set-in-small-chunks",
             std::string("\x02") + "set=1\nreplace_peers=true\npublic_key=" +
                 crypto::to_hex(fuzz::HandshakeWorld().peer.public_key) +
                 "\nallowed_ip=10.0.0.0/8\n\nget=1\n\n");
  write_seed("uapi_request", "unknown-operation", std::string("\x10") + "frob=1\nx=y\n\n");
}

void control_request_seeds() {
  write_seed("control_request", "stats", std::string(R"({"version": 1, "command": "stats"})"));
  write_seed("control_request", "unknown", std::string(R"({"version": 1, "command": "frob"})"));
  write_seed("control_request", "old-version",
             std::string(R"({"version": 0, "command": "stats"})"));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_seeds <corpus dir> <source dir>\n";
    return 2;
  }
  fuzz::use_deterministic_random();
  corpus = argv[1];
  handshake_seeds();
  transport_seeds();
  replay_seeds();
  frame_seeds();
  config_seeds(argv[2]);
  uapi_seeds();
  control_request_seeds();
  return 0;
}
