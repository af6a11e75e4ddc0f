// The two ends every config loader shares (the gateway file and the cluster file): text to a
// positioned result, and a file to text. Internal to config/.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <utility>

#include "config/load_config.hpp"
#include "config/secret_file.hpp"
#include "config/toml_reader.hpp"

namespace actorwire::config::loader {

// Parses `text`, runs `load_sections(ctx, root, config)` on a fresh `Config` named after the
// source, wipes the key text from the document and collects errors and warnings; `Result` holds
// `config` only when there are no errors (like LoadResult).
template <class Result, class Config, class LoadSections>
Result load_document(std::string_view text, std::string_view source_name,
                     LoadSections&& load_sections) {
  Result result;
  Context ctx{std::string(source_name)};
  auto document = parse_document(ctx, text, source_name);
  if (!document) {
    result.errors = ctx.take_errors();
    return result;
  }
  Config config;
  config.source = std::string(source_name);
  load_sections(ctx, *document, config);
  wipe_secrets(*document);
  result.errors = ctx.take_errors();
  result.warnings = ctx.take_warnings();
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

// A loader's file entry point: reads `path` as a SecretFile, hands its text and name to
// `load_string` and puts the file's permission warning first (it has no line number); a file
// that cannot be read is one error. `Result` has `errors` and `warnings` like LoadResult.
template <class Result, class LoadString>
Result load_secret_file(const std::string& path, LoadString&& load_string) {
  const SecretFile file(path);
  if (!file.ok()) {
    Result result;
    result.errors.push_back(ConfigError{path, 0, 0, "", "cannot read file: " + file.error()});
    return result;
  }
  Result result = load_string(file.text(), path);
  if (auto warning = file.permission_warning()) {
    result.warnings.insert(result.warnings.begin(), std::move(*warning));
  }
  return result;
}

}  // namespace actorwire::config::loader
