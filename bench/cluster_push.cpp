// How fast the cluster's controller pushes peers to its nodes over CAF's remote messaging, and
// how long a failover takes, on loopback: a controller and N nodes, each in its own actor system
// (actors/harness/loopback_cluster.hpp, plain TCP). Control messages only: packets never cross
// nodes, so this is the rate at which a cluster (re)configures, not a data-path figure.
//
//   cluster_push [--peers 10000] [--nodes 3] [--timeout-ms 600]
//
// Prints: the time until every peer was on a node after the nodes started (peers pushed per
// second), the failover after one node's connection closed (its peers on the others), the
// failover after a node hung (its beats stopped; bounded by --timeout-ms), and the return after
// the rejoin hold.
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"
#include "actors/harness/loopback_cluster.hpp"

namespace {

using namespace std::chrono_literals;
using actorwire::actors::harness::LoopbackCluster;
using Clock = std::chrono::steady_clock;

// Milliseconds until `cluster` is covered by `nodes`, or -1 after 60 s.
double wait_ms(const LoopbackCluster& cluster, const std::set<std::string>& nodes) {
  const auto start = Clock::now();
  while (!cluster.covered_by(nodes)) {
    if (Clock::now() - start > 60s) return -1;
    std::this_thread::sleep_for(1ms);
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cluster controller push rate and failover on loopback"};
  std::size_t peers = 10000;
  int nodes = 3;
  int timeout_ms = 600;
  app.add_option("--peers", peers, "peers in the cluster")->check(CLI::Range(1, 1000000));
  app.add_option("--nodes", nodes, "gateway nodes")->check(CLI::Range(2, 32));
  app.add_option("--timeout-ms", timeout_ms, "node_timeout_ms")->check(CLI::Range(100, 60000));
  CLI11_PARSE(app, argc, argv);

  const auto hold = 500ms;
  LoopbackCluster cluster(peers, std::chrono::milliseconds(timeout_ms), hold);
  if (!cluster.ok()) {
    std::fprintf(stderr, "cannot start the controller: %s\n", cluster.error().c_str());
    return 1;
  }
  std::set<std::string> all;
  for (int i = 1; i <= nodes; ++i) all.insert("gw" + std::to_string(i));
  for (const auto& name : all) cluster.start_node(name);
  const double first = wait_ms(cluster, all);
  std::printf("initial assignment: %zu peers on %d nodes in %.1f ms (%.0f peers/s pushed)\n", peers,
              nodes, first, first > 0 ? peers / (first / 1000.0) : 0.0);

  auto survivors = all;
  survivors.erase("gw2");
  const auto moving = cluster.served().at("gw2").size();
  cluster.kill_node("gw2");
  const double closed = wait_ms(cluster, survivors);
  std::printf("failover, connection closed: %zu peers moved in %.1f ms\n", moving, closed);

  cluster.start_node("gw2");
  const double back = wait_ms(cluster, all);
  std::printf("return of gw2 after the %lld ms hold: %.1f ms\n",
              static_cast<long long>(hold.count()), back);

  const auto hung = cluster.served().at("gw2").size();
  cluster.mute_node("gw2");
  const double silent = wait_ms(cluster, survivors);
  std::printf("failover, node hung (node_timeout_ms %d): %zu peers moved in %.1f ms\n", timeout_ms,
              hung, silent);
  return first < 0 || closed < 0 || back < 0 || silent < 0 ? 1 : 0;
}
