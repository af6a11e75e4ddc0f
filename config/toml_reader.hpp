// Reading a toml++ document with positioned messages: the Context that collects errors and
// warnings, typed access to single nodes (one `as<Format>` for every value written as text) and
// Table for a table with a fixed set of keys. Knows TOML and ConfigError, not the gateway's
// sections; internal to the loader.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/load_config.hpp"

namespace actorwire::config::loader {

std::string quoted(std::string_view text);
// "a string", "an integer", ... for "expected X, got Y" messages.
std::string type_name(const toml::node& node);
// "; did you mean 'x'?" when one known name is close to the unknown one, else "".
std::string suggestion(std::string_view unknown, const std::vector<std::string_view>& known);
// "'a', 'b', 'c'".
std::string join(const std::vector<std::string_view>& items);
// toml++ quotes offending text in some messages; long quoted parts are replaced so that a
// mistyped (unquoted) key can never leak through.
std::string scrub_parse_error(std::string_view description);

// "a.b" (or "b" at the top level) and "a[3]": the dotted paths messages name.
std::string child(std::string_view path, std::string_view key);
std::string element(std::string_view path, std::size_t index);

// Collects problems with their source positions; nothing is thrown.
class Context {
 public:
  explicit Context(std::string file) : file_(std::move(file)) {}

  void error(const toml::source_region& where, std::string key, std::string message);
  void error(std::string key, std::string message);  // no position: e.g. a missing section
  void warning(const toml::source_region& where, std::string key, std::string message);
  void warning(std::string key, std::string message);

  KeyPosition position(const toml::source_region& where, std::string key) const;

  // Both lists: problems without a position first, then in file order.
  std::vector<ConfigError> take_errors();
  std::vector<std::string> take_warnings();

 private:
  ConfigError make(const toml::source_region* where, std::string key, std::string message) const;

  std::string file_;
  std::vector<ConfigError> errors_;
  std::vector<ConfigError> warnings_;
};

// The document, or nullopt after reporting the TOML syntax error (its message scrubbed).
std::optional<toml::table> parse_document(Context& ctx, std::string_view text,
                                          std::string_view source_name);

// --- Typed access to single nodes ---------------------------------------------------------------

// The string itself (never copied: it may be key material), or nullptr after reporting "expected
// a string (`what`), got ...".
const std::string* as_string(Context& ctx, const toml::node& node, const std::string& path,
                             std::string_view what);

std::optional<std::int64_t> as_integer(Context& ctx, const toml::node& node,
                                       const std::string& path, std::int64_t min, std::int64_t max);

// A value written as a TOML string in some text format. `Format` provides
//   using Value = ...;
//   static constexpr std::string_view kWhat;  // "an IP address": for "expected a string (...)"
//   static std::optional<Value> parse(std::string_view text);
//   static std::string problem(std::string_view text);  // why `text` does not parse
// and the value is returned when it parses; otherwise the problem is reported at the node.
template <class Format>
std::optional<typename Format::Value> as(Context& ctx, const toml::node& node,
                                         const std::string& path) {
  const auto* text = as_string(ctx, node, path, Format::kWhat);
  if (text == nullptr) return std::nullopt;
  auto value = Format::parse(*text);
  if (!value) ctx.error(node.source(), path, Format::problem(*text));
  return value;
}

// --- Tables --------------------------------------------------------------------------------------

// One TOML table with a fixed set of keys: unknown keys are reported on construction, typed
// getters report missing and mistyped values.
class Table {
 public:
  // `display` names the table in messages ("[interface]", "a neighbours entry").
  Table(Context& ctx, const toml::table& table, std::string path, std::string_view display,
        const std::vector<std::string_view>& known);

  const toml::table& table() const { return table_; }
  const std::string& path() const { return path_; }
  std::string path(std::string_view key) const { return child(path_, key); }
  const toml::node* find(std::string_view key) const { return table_.get(key); }

  void missing(std::string_view key, std::string_view what);
  // Returns the node for `key`, reporting it when required and absent.
  const toml::node* get(std::string_view key, bool required, std::string_view what);
  const std::string* string(std::string_view key, bool required, std::string_view what);

  // Assigns `out` when the key is present and valid.
  template <typename T>
  void integer(std::string_view key, T& out, std::int64_t min, std::int64_t max) {
    if (const auto* node = find(key)) {
      if (auto value = as_integer(ctx_, *node, path(key), min, max)) out = static_cast<T>(*value);
    }
  }

  void boolean(std::string_view key, bool& out);
  const toml::array* array(std::string_view key, bool required, std::string_view what);

  // Calls `each(node, path)` for every element of the array at `key`.
  template <typename F>
  void each(std::string_view key, std::string_view what, F&& each) {
    if (const auto* array = this->array(key, false, what)) {
      for (std::size_t i = 0; i < array->size(); ++i) each(*array->get(i), element(path(key), i));
    }
  }

  const toml::table* subtable(std::string_view key);

 private:
  Context& ctx_;
  const toml::table& table_;
  std::string path_;
};

// A top-level section that must be a single table ([interface], [dpdk], ...); nullptr when absent
// or (reported) not a table.
const toml::table* section(Context& ctx, const toml::table& root, std::string_view name);

// A top-level array of tables ([[port]], [[peer]]); calls `each(table, path)` for each.
template <typename F>
void sections(Context& ctx, const toml::table& root, std::string_view name, F&& each) {
  const auto* node = root.get(name);
  if (node == nullptr) return;
  const auto* array = node->as_array();
  if (array == nullptr) {
    const std::string written = std::string(name);
    ctx.error(
        node->source(), written,
        "expected an array of tables written as [[" + written + "]], got " + type_name(*node) +
            (node->is_table() ? " (write [[" + written + "]] instead of [" + written + "])" : ""));
    return;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& entry = *array->get(i);
    const auto path = element(name, i);
    if (const auto* table = entry.as_table()) {
      each(*table, path);
    } else {
      ctx.error(entry.source(), path, "expected a table, got " + type_name(entry));
    }
  }
}

}  // namespace actorwire::config::loader
