#include "bench/sweep.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>
#include <string_view>

namespace actorwire::bench {
namespace {

std::string where(const std::string& path, const toml::node& node) {
  std::ostringstream out;
  out << path << ":" << node.source().begin.line << ":" << node.source().begin.column << ": ";
  return out.str();
}

// The array `key` of `set`, each element converted by `convert`; `fallback` when absent.
template <class T, class Convert>
bool read_list(const std::string& path, const toml::table& set, const char* key,
               std::vector<T> fallback, Convert convert, std::vector<T>& out, std::string& error) {
  const toml::node* node = set.get(key);
  if (node == nullptr) {
    out = std::move(fallback);
    return true;
  }
  const toml::array* array = node->as_array();
  if (array == nullptr || array->empty()) {
    error = where(path, *node) + key + ": expected a non-empty array";
    return false;
  }
  out.clear();
  for (const toml::node& element : *array) {
    T value{};
    if (!convert(element, value)) {
      error = where(path, element) + key + ": bad element";
      return false;
    }
    out.push_back(value);
  }
  return true;
}

// Each point from `first` on, once per peer count in turn (peers vary fastest, so that a noisy
// machine's drift hits every count alike).
void vary_peers(std::vector<BenchPoint>& points, std::size_t first,
                const std::vector<std::int64_t>& peer_counts) {
  std::vector<BenchPoint> varied;
  for (std::size_t i = first; i < points.size(); ++i) {
    for (const std::int64_t peers : peer_counts) {
      varied.push_back(points[i]);
      varied.back().peers = static_cast<std::uint32_t>(peers);
    }
  }
  points.resize(first);
  points.insert(points.end(), varied.begin(), varied.end());
}

}  // namespace

bool load_sweep(const std::string& path, std::uint16_t mtu, std::vector<BenchPoint>& points,
                std::string& error) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    error = out.str();
    return false;
  }
  const double duration = root["duration"].value_or(2.0);
  const double warmup = root["warmup"].value_or(0.5);
  const toml::array* sets = root["set"].as_array();
  if (sets == nullptr || sets->empty()) {
    error = path + ": no [[set]] tables";
    return false;
  }
  for (const toml::node& set_node : *sets) {
    const toml::table* set = set_node.as_table();
    if (set == nullptr) {
      error = where(path, set_node) + "set: expected tables";
      return false;
    }
    for (const auto& [key, value] : *set) {
      static constexpr std::string_view known[] = {"figure",   "topology", "crypto_workers",
                                                   "flows",    "peers",    "size",
                                                   "rate_pps", "ordered",  "direction"};
      if (std::find(std::begin(known), std::end(known), key.str()) == std::end(known)) {
        error = where(path, value) + "unknown key '" + std::string(key.str()) + "'";
        return false;
      }
    }
    const std::string figure = (*set)["figure"].value_or(std::string());
    std::vector<config::TopologyKind> topologies;
    std::vector<std::int64_t> workers, flows, peer_counts, rates;
    std::vector<std::string> sizes;
    std::vector<bool> ordered;
    std::vector<std::string> directions;
    const auto as_topology = [](const toml::node& n, config::TopologyKind& out) {
      const auto text = n.value<std::string>();
      const auto kind = text ? config::parse_topology_kind(*text) : std::nullopt;
      if (kind) out = *kind;
      return kind.has_value();
    };
    const auto as_positive = [](const toml::node& n, std::int64_t& out) {
      const auto v = n.value<std::int64_t>();
      if (v && *v >= 0) out = *v;
      return v && *v >= 0;
    };
    const auto as_size = [](const toml::node& n, std::string& out) {
      if (auto text = n.value<std::string>(); text && *text == "imix") {
        out = *text;
        return true;
      }
      const auto v = n.value<std::int64_t>();
      if (v && *v >= 36 && *v <= 1500) out = std::to_string(*v);
      return v && *v >= 36 && *v <= 1500;
    };
    const auto as_direction = [](const toml::node& n, std::string& out) {
      const auto text = n.value<std::string>();
      const bool known = text && (*text == "encrypt" || *text == "decrypt" || *text == "both");
      if (known) out = *text;
      return known;
    };
    const auto as_bool = [](const toml::node& n, bool& out) {
      const auto v = n.value<bool>();
      if (v) out = *v;
      return v.has_value();
    };
    const auto as_peer_count = [](const toml::node& n, std::int64_t& out) {
      const auto v = n.value<std::int64_t>();
      const bool valid = v && *v >= 1 && *v <= kMaxPopulationPeers;
      if (valid) out = *v;
      return valid;
    };
    const std::size_t first_of_set = points.size();
    if (!read_list(path, *set, "topology", {config::TopologyKind::kSingle}, as_topology, topologies,
                   error) ||
        !read_list(path, *set, "crypto_workers", {std::int64_t{1}}, as_positive, workers, error) ||
        !read_list(path, *set, "flows", {std::int64_t{1}}, as_positive, flows, error) ||
        !read_list(path, *set, "peers", {std::int64_t{0}}, as_peer_count, peer_counts, error) ||
        !read_list(path, *set, "size", {std::string("64")}, as_size, sizes, error) ||
        !read_list(path, *set, "rate_pps", {std::int64_t{0}}, as_positive, rates, error) ||
        !read_list(path, *set, "ordered", {false}, as_bool, ordered, error) ||
        !read_list(path, *set, "direction", {std::string("encrypt")}, as_direction, directions,
                   error)) {
      return false;
    }
    for (auto topology : topologies) {
      for (auto w : workers) {
        for (auto f : flows) {
          for (const auto& size : sizes) {
            for (auto rate : rates) {
              for (bool o : ordered) {
                for (const auto& direction : directions) {
                  BenchPoint point;
                  point.direction = direction;
                  point.figure = figure;
                  point.topology = topology;
                  point.crypto_workers = static_cast<std::uint32_t>(std::max<std::int64_t>(w, 1));
                  point.flows = static_cast<std::uint32_t>(std::clamp<std::int64_t>(f, 1, 65536));
                  point.size_label = size;
                  point.sizes =
                      size == "imix"
                          ? imix_sizes(mtu)
                          : std::vector<std::uint16_t>{static_cast<std::uint16_t>(std::stoi(size))};
                  point.rate_pps = static_cast<std::uint64_t>(rate);
                  point.ordered = o;
                  point.duration_s = duration;
                  point.warmup_s = warmup;
                  points.push_back(point);
                }
              }
            }
          }
        }
      }
    }
    vary_peers(points, first_of_set, peer_counts);
  }
  return true;
}

}  // namespace actorwire::bench
