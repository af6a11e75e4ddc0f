// The generic half of the loader: positions, "expected X, got Y" messages, unknown-key checks
// with suggestions. Key material passes through as_string by reference and is never quoted back
// by anything here.
#include "config/toml_reader.hpp"

#include <algorithm>
#include <utility>

namespace actorwire::config::loader {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

void sort_by_position(std::vector<ConfigError>& list) {
  std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
}

}  // namespace

std::string quoted(std::string_view text) {
  // Appended piecewise: GCC 12 at -O3 reports a false -Wrestrict for `"'" + std::string()`.
  std::string out;
  out.reserve(text.size() + 2);
  out.append("'").append(text).append("'");
  return out;
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string suggestion(std::string_view unknown, const std::vector<std::string_view>& known) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (const auto candidate : known) {
    const std::size_t distance = edit_distance(unknown, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best.empty() ? std::string() : "; did you mean " + quoted(best) + "?";
}

std::string join(const std::vector<std::string_view>& items) {
  std::string out;
  for (const auto item : items) {
    if (!out.empty()) out += ", ";
    out += quoted(item);
  }
  return out;
}

std::string scrub_parse_error(std::string_view description) {
  std::string out;
  std::size_t i = 0;
  while (i < description.size()) {
    const auto open = description.find('\'', i);
    if (open == std::string_view::npos) break;
    const auto close = description.find('\'', open + 1);
    if (close == std::string_view::npos) break;
    out += description.substr(i, open - i);
    if (close - open - 1 > 8) {
      out += "'<value not shown>'";
    } else {
      out += description.substr(open, close - open + 1);
    }
    i = close + 1;
  }
  out += description.substr(std::min(i, description.size()));
  return out;
}

std::string child(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

std::string element(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

// --- Context -------------------------------------------------------------------------------------

ConfigError Context::make(const toml::source_region* where, std::string key,
                          std::string message) const {
  const int line = where ? static_cast<int>(where->begin.line) : 0;
  const int column = where ? static_cast<int>(where->begin.column) : 0;
  return ConfigError{file_, line, column, std::move(key), std::move(message)};
}

KeyPosition Context::position(const toml::source_region& where, std::string key) const {
  return KeyPosition{file_, static_cast<int>(where.begin.line),
                     static_cast<int>(where.begin.column), std::move(key)};
}

void Context::error(const toml::source_region& where, std::string key, std::string message) {
  errors_.push_back(make(&where, std::move(key), std::move(message)));
}

void Context::error(std::string key, std::string message) {
  errors_.push_back(make(nullptr, std::move(key), std::move(message)));
}

void Context::warning(const toml::source_region& where, std::string key, std::string message) {
  warnings_.push_back(make(&where, std::move(key), std::move(message)));
}

void Context::warning(std::string key, std::string message) {
  warnings_.push_back(make(nullptr, std::move(key), std::move(message)));
}

std::vector<ConfigError> Context::take_errors() {
  sort_by_position(errors_);
  return std::move(errors_);
}

std::vector<std::string> Context::take_warnings() {
  sort_by_position(warnings_);
  std::vector<std::string> out;
  for (const auto& warning : warnings_) out.push_back(warning.to_string());
  return out;
}

// --- Typed access to single nodes ---------------------------------------------------------------

const std::string* as_string(Context& ctx, const toml::node& node, const std::string& path,
                             std::string_view what) {
  if (const auto* value = node.as_string()) return &value->get();
  ctx.error(node.source(), path,
            "expected a string (" + std::string(what) + "), got " + type_name(node));
  return nullptr;
}

std::optional<std::int64_t> as_integer(Context& ctx, const toml::node& node,
                                       const std::string& path, std::int64_t min,
                                       std::int64_t max) {
  const auto range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  const auto* value = node.as_integer();
  if (value == nullptr) {
    ctx.error(node.source(), path, "expected " + range + ", got " + type_name(node));
    return std::nullopt;
  }
  if (value->get() < min || value->get() > max) {
    ctx.error(node.source(), path,
              "expected " + range + ", got " + std::to_string(value->get()) + " (out of range)");
    return std::nullopt;
  }
  return value->get();
}

// --- Tables --------------------------------------------------------------------------------------

Table::Table(Context& ctx, const toml::table& table, std::string path, std::string_view display,
             const std::vector<std::string_view>& known)
    : ctx_(ctx), table_(table), path_(std::move(path)) {
  for (const auto& [key, value] : table) {
    const auto name = key.str();
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    ctx_.error(key.source(), child(path_, name),
               "unknown key " + quoted(name) + " in " + std::string(display) +
                   suggestion(name, known) + " (known keys: " + join(known) + ")");
  }
}

void Table::missing(std::string_view key, std::string_view what) {
  ctx_.error(table_.source(), path(key),
             "missing required key " + quoted(key) + " (" + std::string(what) + ")");
}

const toml::node* Table::get(std::string_view key, bool required, std::string_view what) {
  const auto* node = find(key);
  if (node == nullptr && required) missing(key, what);
  return node;
}

const std::string* Table::string(std::string_view key, bool required, std::string_view what) {
  const auto* node = get(key, required, what);
  return node == nullptr ? nullptr : as_string(ctx_, *node, path(key), what);
}

void Table::boolean(std::string_view key, bool& out) {
  const auto* node = find(key);
  if (node == nullptr) return;
  if (const auto* value = node->as_boolean()) {
    out = value->get();
  } else {
    ctx_.error(node->source(), path(key),
               "expected a boolean (true or false), got " + type_name(*node));
  }
}

const toml::array* Table::array(std::string_view key, bool required, std::string_view what) {
  const auto* node = get(key, required, what);
  if (node == nullptr) return nullptr;
  if (const auto* array = node->as_array()) return array;
  ctx_.error(node->source(), path(key),
             "expected an array (" + std::string(what) + "), got " + type_name(*node));
  return nullptr;
}

const toml::table* Table::subtable(std::string_view key) {
  const auto* node = find(key);
  if (node == nullptr) return nullptr;
  if (const auto* table = node->as_table()) return table;
  ctx_.error(node->source(), path(key), "expected a table, got " + type_name(*node));
  return nullptr;
}

const toml::table* section(Context& ctx, const toml::table& root, std::string_view name) {
  const auto* node = root.get(name);
  if (node == nullptr) return nullptr;
  if (const auto* table = node->as_table()) return table;
  ctx.error(node->source(), std::string(name),
            "expected a table [" + std::string(name) + "], got " + type_name(*node));
  return nullptr;
}

std::optional<toml::table> parse_document(Context& ctx, std::string_view text,
                                          std::string_view source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    ctx.error(error.source(), "", "TOML syntax error: " + scrub_parse_error(error.description()));
    return std::nullopt;
  }
}

}  // namespace actorwire::config::loader
