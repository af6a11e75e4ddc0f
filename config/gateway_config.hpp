// The gateway's configuration as plain values, after validation. Produced by load_config()
// (load_config.hpp) from a TOML file; consumed by io/ and actors/.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/topology_kind.hpp"
#include "crypto/aead.hpp"
#include "crypto/keys.hpp"

namespace actorwire::config {

struct IpAddress {
  bool is_v6 = false;
  // IPv4 uses bytes[0..4) in network order; IPv6 all 16.
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress v4(std::uint32_t host_order);
  std::uint32_t v4_host_order() const;
  bool operator==(const IpAddress&) const = default;
};

struct IpPrefix {
  IpAddress address;
  std::uint8_t length = 0;  // 0..32 (IPv4) or 0..128 (IPv6)
  bool operator==(const IpPrefix&) const = default;
};

struct MacAddress {
  std::array<std::uint8_t, 6> bytes{};
  bool operator==(const MacAddress&) const = default;
};

struct Endpoint {
  IpAddress address;
  std::uint16_t port = 0;
};

struct Neighbour {
  IpAddress address;
  MacAddress mac;
};

std::optional<IpAddress> parse_ip_address(std::string_view text);
// "10.0.0.0/8", "fd00::/64"; a bare address means a host prefix (/32 or /128). Host bits set
// beyond the prefix length are rejected.
std::optional<IpPrefix> parse_ip_prefix(std::string_view text);
// Like parse_ip_prefix but host bits are allowed: an interface address such as "10.0.0.1/24".
std::optional<IpPrefix> parse_interface_address(std::string_view text);
std::optional<MacAddress> parse_mac_address(std::string_view text);
// "192.0.2.1:51820" or "[2001:db8::1]:51820".
std::optional<Endpoint> parse_endpoint(std::string_view text);
// The prefix with its host bits cleared: "10.0.0.1/24" -> "10.0.0.0/24".
IpPrefix network_of(const IpPrefix& prefix);
// Whether `address` lies inside `prefix` (same family, first `length` bits equal).
bool prefix_contains(const IpPrefix& prefix, const IpAddress& address);
std::string to_string(const IpAddress& address);
std::string to_string(const IpPrefix& prefix);
std::string to_string(const MacAddress& mac);
std::string to_string(const Endpoint& endpoint);

enum class PortRole { kLan, kWan };

// Where a key was written (empty file: a config built in code): start-up checks that find a
// problem with a value only later, on the host, still name its file:line:col like the loader.
struct KeyPosition {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;
  std::string key;  // dotted path such as "port[1].device"
};

struct PortConfig {
  PortRole role = PortRole::kLan;
  // DPDK device: a PCI address ("0000:03:00.0") or a vdev ("net_ring0", "net_tap0,iface=x",
  // "net_af_packet0,iface=veth0").
  std::string device;
  KeyPosition device_at;
  std::optional<MacAddress> mac;    // default: the device's own MAC
  std::vector<IpPrefix> addresses;  // the gateway's addresses on this port (with prefix length)
  // Default gateways on this port (WAN: towards peers), one per family: `next_hop` is IPv4,
  // `next_hop_v6` IPv6 (the TOML key `next_hop` takes one address or one of each family).
  std::optional<IpAddress> next_hop;
  std::optional<IpAddress> next_hop_v6;
  std::vector<Neighbour> neighbours;  // static ARP/ND entries; win over resolved ones
};

// Fixed transport keys instead of a handshake: the paper's benchmark mode.
struct StaticSession {
  crypto::SecretKey send_key;
  crypto::SecretKey receive_key;
  std::uint32_t send_index = 0;     // receiver index written on packets we send to the peer
  std::uint32_t receive_index = 0;  // receiver index the peer writes on packets it sends us
};

struct PeerConfig {
  crypto::PublicKey public_key;
  std::optional<crypto::SecretKey> preshared_key;
  std::optional<Endpoint> endpoint;
  std::vector<IpPrefix> allowed_ips;
  std::uint16_t persistent_keepalive = 0;  // seconds, 0 = off
  std::optional<StaticSession> static_session;
};

// An instance name ([interface] name, also a wg-quick file's stem): it becomes a socket file
// name, so like a Linux interface name: 1 to 15 letters, digits, '-', '_' or '.'.
bool is_valid_instance_name(std::string_view name);
// A user name ([interface] user) as Debian's useradd accepts it by default: 1 to 32 of a-z,
// 0-9, '_', '-', starting with a letter or '_'.
bool is_valid_user_name(std::string_view name);

struct InterfaceConfig {
  // Names the instance: its control socket is <socket dir>/<name>.sock.
  std::string name = "aw0";
  crypto::SecretKey private_key;
  std::uint16_t listen_port = 51820;
  std::vector<IpPrefix> addresses;
  std::uint16_t mtu = 1420;  // inner MTU: caps WireGuard's padding
  // SYNs through the tunnel get their TCP MSS lowered to fit `mtu` (both directions).
  bool mss_clamping = true;
  // Packets for which no peer's allowed_ips match get an ICMP "destination unreachable".
  bool icmp_unreachable = false;
  // The user `actorwire run` switches to once its ports and sockets are up (apps/privileges.hpp);
  // unset: it stays root, with only the capabilities the ports need.
  std::optional<std::string> user;
  KeyPosition user_at;
};

// 2 ms: what keeps an idle gateway (the embedded default, sink included) under 5 % of a core,
// with margin, on the small VMs CI runs on, where each timer wake-up costs ~20 us of CPU (nested
// virtualisation): 1 ms measured 4.6 %, 100 us (the wake-up goal) 23-50 % there
// (bench/README.md, "Idle cost"). Where a wake-up costs the usual few microseconds, 100 us meets
// both goals: set it so for the lowest latency after a quiet spell.
inline constexpr std::uint32_t kDefaultIdleBackoffMaxUs = 2000;
// Longer pauses save nothing measurable (the CAF scheduler and the control actor's timers cost
// more by then) and would make the first packet after a quiet spell wait that long.
inline constexpr std::uint32_t kMaxIdleBackoffMaxUs = 10000;

struct DpdkConfig {
  std::vector<std::string> eal_args{"--no-huge", "-m", "1024", "--no-pci"};
  std::uint32_t mbuf_count = 8192;
  std::uint16_t rx_descriptors = 1024;
  std::uint16_t tx_descriptors = 1024;
  // With no traffic, the polling actors pause between polls, each pause longer than the last up
  // to this many microseconds (0: never pause, busy-poll). It bounds how late the first packet
  // after a quiet spell is picked up; see kDefaultIdleBackoffMaxUs for the default's reasons.
  std::uint32_t idle_backoff_max_us = kDefaultIdleBackoffMaxUs;
};

// How the actors that poll and transmit on ports (pipeline rx/tx, workers) get CPU time:
// detached = a thread each, busy-polling (best with a core to spare per poller); scheduled =
// CAF's shared scheduler threads, pausing when idle (best when cores are scarce); auto picks
// detached when the machine has enough cores for them beside the crypto workers.
enum class IoScheduling { kAuto, kDetached, kScheduled };
std::string_view to_string(IoScheduling scheduling);
std::optional<IoScheduling> parse_io_scheduling(std::string_view text);

struct TopologyConfig {
  TopologyKind kind = TopologyKind::kSingle;
  std::uint32_t crypto_workers = 1;
  std::uint32_t batch_size = 32;
  std::uint32_t mailbox_capacity = 8;  // batches in flight per downstream actor
  std::uint32_t backoff_min_us = 1;
  std::uint32_t backoff_max_us = 1000;
  bool ordered = false;
  IoScheduling io = IoScheduling::kAuto;
};

struct CryptoConfig {
  crypto::AeadKind aead = crypto::AeadKind::kAuto;  // resolved at start-up
};

// The built-in traffic generator, attached when ports are in-process net_ring devices.
struct GeneratorConfig {
  // false: no generator even on net_ring ports, so the gateway idles (the idle-CPU test).
  bool enabled = true;
  std::uint32_t flows = 1;
  std::vector<std::uint16_t> packet_sizes{64};  // inner IP packet sizes, used round-robin
  std::uint64_t rate_pps = 0;                   // 0 = as fast as the gateway accepts
  std::uint64_t max_packets = 0;                // 0 = until stopped
};

// The Prometheus endpoint (/metrics and /stats.json over HTTP): off unless `listen` is set.
struct MetricsConfig {
  std::optional<Endpoint> listen;  // "127.0.0.1:9586" or "[::1]:9586"
};

struct GatewayConfig {
  std::string source;  // file name, or "<embedded default>"
  InterfaceConfig interface;
  std::vector<PortConfig> ports;
  std::vector<PeerConfig> peers;
  DpdkConfig dpdk;
  TopologyConfig topology;
  CryptoConfig crypto;
  GeneratorConfig generator;
  MetricsConfig metrics;
  // Where each key outside the [[peer]] tables was written (and each peer's static_session), as
  // the loader found them: a reload that changes one of them names it with its file:line:col.
  // Empty for a config built in code.
  std::vector<KeyPosition> key_positions;

  const PortConfig* port(PortRole role) const;
  // The recorded position of `key` (a dotted path such as "topology.kind"), or nullptr.
  const KeyPosition* position_of(std::string_view key) const;
};

}  // namespace actorwire::config
