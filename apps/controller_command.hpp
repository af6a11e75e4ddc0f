// `actorwire controller -c cluster.toml`: loads the cluster file, publishes the controller actor
// (mutual TLS, or plain TCP when the file says plain_tcp_for_tests) and serves nodes until
// SIGINT/SIGTERM. Exit 0 on a signal, 2 for a bad file, 1 when it cannot listen.
#pragma once

#include <ostream>
#include <string>

namespace actorwire::apps {

int controller_command(const std::string& config_path, std::ostream& out, std::ostream& err);

}  // namespace actorwire::apps
