// The UAPI's set=1 (https://www.wireguard.com/xplatform/) as a new peer set: the running config
// plus the request's operations, in the order wg(8) sends them. Pure: the caller diffs and
// applies the result (Gateway::change_peers), so `wg set` and `wg syncconf` go the same way as
// a reload. All or nothing: any malformed or unsupported line makes the whole request an errno
// and the result is not used.
//
// Interface keys: private_key and listen_port are accepted when they equal the running ones
// (wg syncconf sends them) and refused otherwise (a restart changes them: EOPNOTSUPP);
// fwmark only as 0; replace_peers=true drops every peer first. Peer keys: public_key (starts a
// peer, created unless update_only=true), remove, update_only, preshared_key (all zero: none),
// endpoint, persistent_keepalive_interval, replace_allowed_ips, allowed_ip, protocol_version
// (1 only). As in WireGuard, an allowed_ip given to one peer leaves any other peer that had it.
#pragma once

#include <string>
#include <vector>

#include "config/gateway_config.hpp"

namespace actorwire::apps {

struct UapiSetResult {
  int error = 0;        // a positive errno; 0: `next` holds the new peer set
  std::string message;  // why, for the daemon's log (never key text)
  config::GatewayConfig next;
};

// `lines`: the request's key=value lines after "set=1", without the final empty line.
UapiSetResult apply_uapi_set(const config::GatewayConfig& running,
                             const std::vector<std::string>& lines);

}  // namespace actorwire::apps
