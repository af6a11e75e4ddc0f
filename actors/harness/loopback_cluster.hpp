// A whole cluster in one process, for tests and the bench: a controller and named nodes, each in
// its own CAF actor system (as on its own machine), talking BASP over plain TCP on 127.0.0.1.
// What every node was last told to serve is recorded, as the gateway's peer-change path would
// receive it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "caf/all.hpp"
#include "config/cluster_config.hpp"

namespace actorwire::actors::harness {

class LoopbackCluster {
 public:
  // `peers` generated peers, one /16 each, with endpoints; check ok() afterwards.
  LoopbackCluster(std::size_t peers, std::chrono::milliseconds node_timeout,
                  std::chrono::milliseconds rejoin_hold);
  ~LoopbackCluster();
  LoopbackCluster(const LoopbackCluster&) = delete;
  LoopbackCluster& operator=(const LoopbackCluster&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  void start_node(const std::string& name,
                  std::chrono::milliseconds beat = std::chrono::milliseconds(100));
  // Like a killed process: the node's system goes and its connection closes.
  void kill_node(const std::string& name);
  // Like a hung one: connected, but its beats stop.
  void mute_node(const std::string& name);

  // Every peer on exactly one of `nodes`, each of them serving at least one.
  bool covered_by(const std::set<std::string>& nodes) const;
  std::map<std::string, std::set<std::string>> served() const;  // node -> public keys
  std::map<std::string, std::string> identities() const;        // node -> private key text
  std::string progress() const;                                 // "gw1:20 gw2:19 of 60 peers"
  std::vector<std::string> log() const;                         // the controller's lines
  std::vector<std::string> status();                            // the controller's view
  const std::vector<std::string>& peer_keys() const { return peer_keys_; }

 private:
  struct Node;
  struct Shared {
    mutable std::mutex mutex;
    std::map<std::string, std::set<std::string>> served;
    std::map<std::string, std::string> identities;
    std::vector<std::string> log;
  };

  std::string error_;
  std::vector<std::string> peer_keys_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::unique_ptr<caf::actor_system_config> controller_config_;
  std::unique_ptr<caf::actor_system> controller_system_;
  caf::actor controller_;
  std::uint16_t port_ = 0;
  std::map<std::string, std::unique_ptr<Node>> nodes_;
};

}  // namespace actorwire::actors::harness
