// Reading a file that holds key material without leaving copies behind: the buffer grows by hand
// and is wiped (sodium_memzero) when the SecretFile goes, and wipe_secrets clears the key strings
// in the parsed TOML document. Internal to the loader.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>

namespace actorwire::config::loader {

class SecretFile {
 public:
  // Far above any config (10,000 peers take ~2 MB); anything larger is refused, not read on.
  static constexpr std::size_t kMaxSize = std::size_t{64} << 20;
  // Reads the whole file (regular file, pipe, ...); check ok() afterwards.
  explicit SecretFile(std::string path);
  ~SecretFile();
  SecretFile(const SecretFile&) = delete;
  SecretFile& operator=(const SecretFile&) = delete;

  bool ok() const { return error_.empty(); }
  // Why the file could not be read (strerror text); empty when ok().
  const std::string& error() const { return error_; }
  // Valid while this object lives; wiped afterwards.
  std::string_view text() const { return text_; }
  // Like wg(8): a key file readable by group or others deserves a warning with the fix.
  std::optional<std::string> permission_warning() const;

 private:
  void read(int fd);
  void wipe();

  std::string path_;
  std::string text_;
  std::string error_;
  unsigned mode_ = 0;  // st_mode
};

// The parsed document holds copies of the key text; wipe them before it is freed.
void wipe_secrets(toml::table& root);

}  // namespace actorwire::config::loader
