// wg-quick(8) configuration files (the INI format of /etc/wireguard/wg0.conf): reading one into
// plain values, for `actorwire import`. Pure: text in, values and messages out.
//
// The format as wg(8) and wg-quick(8) read it: `[Interface]` and `[Peer]` sections, `Key = value`
// lines, keys and section names case-insensitive, `#` starts a comment anywhere on a line, list
// values separated by commas, a key may repeat (its lists add up).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/gateway_config.hpp"
#include "crypto/keys.hpp"

namespace actorwire::config {

struct WgQuickPeer {
  std::size_t line = 0;  // of its [Peer] header
  std::optional<crypto::PublicKey> public_key;
  std::optional<crypto::SecretKey> preshared_key;
  std::optional<Endpoint> endpoint;
  // A host-name endpoint ("vpn.example.com:51820"): kept as text, since actorwire resolves none.
  std::string unresolved_endpoint;
  std::vector<IpPrefix> allowed_ips;  // host bits cleared, as wg(8) does
  std::uint16_t persistent_keepalive = 0;
};

struct WgQuickInterface {
  std::optional<crypto::SecretKey> private_key;
  std::optional<std::uint16_t> listen_port;
  std::vector<IpPrefix> addresses;
  std::optional<std::uint16_t> mtu;
};

struct WgQuickFile {
  WgQuickInterface interface;
  std::vector<WgQuickPeer> peers;
};

struct WgQuickParse {
  std::optional<WgQuickFile> file;    // set only when there are no errors
  std::vector<std::string> errors;    // "wg0.conf:12:14: PublicKey: ..."
  std::vector<std::string> warnings;  // keys with no meaning here, junk lines, masked prefixes
  bool ok() const { return errors.empty(); }
};

// Reads a wg-quick file; `source` names it in messages. Messages never contain key text.
WgQuickParse parse_wg_quick(std::string_view text, std::string_view source);
// Reads the file ("-": stdin) into a buffer that is wiped afterwards, then parses it; a file that
// cannot be read is an error, one readable by group or others a warning (like wg(8)).
WgQuickParse parse_wg_quick_file(const std::string& path);

}  // namespace actorwire::config
