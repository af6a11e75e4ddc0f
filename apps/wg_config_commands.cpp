#include "apps/wg_config_commands.hpp"

#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/load_config.hpp"
#include "config/wg_quick.hpp"

namespace actorwire::apps {
namespace {

// A string that holds key text: wiped when it goes.
struct WipedText {
  std::string text;
  ~WipedText() { sodium_memzero(text.data(), text.size()); }
};

bool write_all(int fd, const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int import_command(const std::string& path, const config::WgQuickImportOptions& options, int out_fd,
                   std::ostream& err) {
  const config::WgQuickParse parsed = config::parse_wg_quick_file(path);
  for (const auto& warning : parsed.warnings) err << "warning: " << warning << "\n";
  if (!parsed.ok()) {
    for (const auto& error : parsed.errors) err << error << "\n";
    err << "actorwire: " << path << ": not converted\n";
    return 2;
  }
  WipedText toml{config::gateway_toml_from_wg_quick(*parsed.file, path, options)};
  // The converted text must load. Ports left as placeholders get in-process devices for this
  // check only, so that everything else is checked now.
  config::WgQuickImportOptions checked = options;
  if (checked.lan_device.empty()) checked.lan_device = "net_ring0";
  if (checked.wan_device.empty()) checked.wan_device = "net_ring1";
  const WipedText check_text{config::gateway_toml_from_wg_quick(*parsed.file, path, checked)};
  const config::LoadResult loaded =
      config::load_config_string(check_text.text, "<converted " + path + ">");
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) err << error.to_string() << "\n";
    err << "actorwire: " << path << ": the converted config does not load (above); not written\n";
    return 2;
  }
  if (!write_all(out_fd, toml.text)) {
    err << "actorwire: cannot write the config: " << std::strerror(errno) << "\n";
    return 1;
  }
  return 0;
}

int export_command(const std::string& config_path, const std::string& peer, std::ostream& out,
                   std::ostream& err) {
  const config::LoadResult loaded = config::load_config_file(config_path);
  for (const auto& warning : loaded.warnings) err << "warning: " << warning << "\n";
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) err << error.to_string() << "\n";
    return 2;
  }
  std::string error;
  const config::PeerConfig* found = config::find_peer(*loaded.config, peer, error);
  if (found == nullptr) {
    err << "actorwire: " << config_path << ": " << error << "\n";
    return 2;
  }
  out << config::peer_wg_quick(*loaded.config, *found);
  return 0;
}

}  // namespace actorwire::apps
