#include "apps/actor_graph.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

namespace actorwire::apps {
namespace {

// N when `name` is `prefix` followed by decimal digits only, as in "crypto12".
std::optional<unsigned long> numbered(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return std::nullopt;
  unsigned long number = 0;
  for (const char c : name.substr(prefix.size())) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0 || number > 1'000'000) return std::nullopt;
    number = number * 10 + static_cast<unsigned long>(c - '0');
  }
  return number;
}

// The actors named prefix<N>, in the order of N.
std::vector<std::size_t> numbered_actors(const StatsSample& sample, std::string_view prefix) {
  std::vector<std::pair<unsigned long, std::size_t>> found;
  for (std::size_t i = 0; i < sample.actors.size(); ++i) {
    if (auto n = numbered(sample.actors[i].name, prefix)) found.emplace_back(*n, i);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::size_t> indices;
  indices.reserve(found.size());
  for (const auto& [n, index] : found) indices.push_back(index);
  return indices;
}

std::optional<std::size_t> named(const StatsSample& sample, std::string_view name) {
  for (std::size_t i = 0; i < sample.actors.size(); ++i) {
    if (sample.actors[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace

int ActorGraph::column_of(std::size_t index) const {
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (std::find(columns[c].begin(), columns[c].end(), index) != columns[c].end()) {
      return static_cast<int>(c);
    }
  }
  return -1;
}

ActorGraph layout_actor_graph(const StatsSample& sample) {
  ActorGraph graph;
  if (sample.topology == "pipeline") {
    graph.wired = true;
    for (const std::string_view stage : {"rx", "lookup"}) {
      if (auto index = named(sample, stage)) graph.columns.push_back({*index});
    }
    if (auto workers = numbered_actors(sample, "crypto"); !workers.empty()) {
      graph.columns.push_back(std::move(workers));
    }
    if (auto index = named(sample, "tx")) graph.columns.push_back({*index});
  } else if (sample.topology.rfind("workers", 0) == 0) {
    for (const std::size_t index : numbered_actors(sample, "worker")) {
      graph.columns.push_back({index});
    }
  } else if (sample.topology == "single") {
    if (auto index = named(sample, "single")) graph.columns.push_back({*index});
  }
  for (std::size_t i = 0; i < sample.actors.size(); ++i) {
    if (graph.column_of(i) < 0) graph.apart.push_back(i);
  }
  return graph;
}

}  // namespace actorwire::apps
