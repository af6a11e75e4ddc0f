// The one-line state systemd shows for the unit (sd_notify STATUS=, `systemctl status`).
#pragma once

#include <chrono>
#include <string>

#include "actors/gateway.hpp"

namespace actorwire::apps {

// "forwarding: 1234 packets in, 1230 out, 4 dropped, up 12 s" (totals since start).
std::string daemon_status(const actors::Gateway& gateway, std::chrono::seconds uptime);

}  // namespace actorwire::apps
