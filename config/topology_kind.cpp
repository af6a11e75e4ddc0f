// Look-ups in the generated topology kind table (topology_kind.hpp).
#include "config/topology_kind.hpp"

namespace actorwire::config {

const TopologyKindInfo& topology_kind_info(TopologyKind kind) {
  return kTopologyKinds.at(static_cast<std::size_t>(kind));
}

std::string_view to_string(TopologyKind kind) {
  const auto index = static_cast<std::size_t>(kind);
  return index < kTopologyKinds.size() ? kTopologyKinds[index].name : "unknown";
}

std::optional<TopologyKind> parse_topology_kind(std::string_view text) {
  for (const auto& info : kTopologyKinds) {
    if (text == info.name) return info.kind;
  }
  return std::nullopt;
}

std::string topology_kind_names(std::string_view separator, std::string_view quote) {
  std::string out;
  for (const auto& info : kTopologyKinds) {
    if (!out.empty()) out += separator;
    out.append(quote).append(info.name).append(quote);
  }
  return out;
}

bool topology_kind_reads(TopologyKind kind, TopologyKey key) {
  return contains(topology_kind_info(kind).reads, key);
}

std::string_view to_string(TopologyKey key) {
  for (const auto& info : kTopologyKeys) {
    if (info.key == key) return info.name;
  }
  return "unknown";
}

}  // namespace actorwire::config
