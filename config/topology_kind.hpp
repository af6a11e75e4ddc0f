// Topology kinds, generated from topology_kinds.def: the enum, the name table and which
// [topology] keys each kind reads, so config messages, the embedded default, CLI help and the
// ignored-key warnings all come from that one list.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace actorwire::config {

// The [topology] keys besides `kind` (which every kind reads), as flags so that a kind's line in
// topology_kinds.def can name the set it reads.
enum class TopologyKey : std::uint8_t {
  kNone = 0,
  kCryptoWorkers = 1U << 0,
  kBatchSize = 1U << 1,
  kMailboxCapacity = 1U << 2,
  kBackoffMinUs = 1U << 3,
  kBackoffMaxUs = 1U << 4,
  kOrdered = 1U << 5,
  kIo = 1U << 6,
};

constexpr TopologyKey operator|(TopologyKey a, TopologyKey b) {
  return static_cast<TopologyKey>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}

constexpr bool contains(TopologyKey set, TopologyKey key) {
  return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(key)) != 0;
}

struct TopologyKeyInfo {
  TopologyKey key;
  std::string_view name;  // as written in [topology]
};

// In the order the example config documents them.
inline constexpr std::array<TopologyKeyInfo, 7> kTopologyKeys{{
    {TopologyKey::kCryptoWorkers, "crypto_workers"},
    {TopologyKey::kBatchSize, "batch_size"},
    {TopologyKey::kMailboxCapacity, "mailbox_capacity"},
    {TopologyKey::kBackoffMinUs, "backoff_min_us"},
    {TopologyKey::kBackoffMaxUs, "backoff_max_us"},
    {TopologyKey::kOrdered, "ordered"},
    {TopologyKey::kIo, "io"},
}};

enum class TopologyKind {
#define ACTORWIRE_TOPOLOGY(kind, name, factory, reads, summary) kind,
#include "config/topology_kinds.def"
};

struct TopologyKindInfo {
  TopologyKind kind;
  std::string_view name;  // in the config (`kind = "..."`) and on the command line
  TopologyKey reads;      // the [topology] keys it uses besides `kind`
  std::string_view summary;
};

// Indexed by the enum's value: both are generated in .def order.
inline constexpr auto kTopologyKinds = std::to_array<TopologyKindInfo>({
#define ACTORWIRE_TOPOLOGY(kind, name, factory, reads, summary) \
  {TopologyKind::kind, name, reads, summary},
#include "config/topology_kinds.def"
});

static_assert(
    [] {
      for (std::size_t i = 0; i < kTopologyKinds.size(); ++i) {
        if (static_cast<std::size_t>(kTopologyKinds[i].kind) != i) return false;
      }
      return true;
    }(),
    "kTopologyKinds must be indexable by TopologyKind");

const TopologyKindInfo& topology_kind_info(TopologyKind kind);
std::string_view to_string(TopologyKind kind);
std::optional<TopologyKind> parse_topology_kind(std::string_view text);
// Every kind's name, in table order, each wrapped in `quote`, joined by `separator`:
// topology_kind_names(" | ") == "single | workers-mutex | workers-spinlock | pipeline".
std::string topology_kind_names(std::string_view separator, std::string_view quote = {});
// Whether `kind` reads the [topology] key `key` (one flag); a key it does not read has no effect.
bool topology_kind_reads(TopologyKind kind, TopologyKey key);

std::string_view to_string(TopologyKey key);

}  // namespace actorwire::config
