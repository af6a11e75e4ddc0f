// SecretFile and wipe_secrets: the only places where the loader handles raw file text and the
// key strings toml++ copied out of it.
#include "config/secret_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace actorwire::config::loader {

SecretFile::SecretFile(std::string path) : path_(std::move(path)) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error_ = std::strerror(errno);
    return;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
    const int error = S_ISDIR(info.st_mode) ? EISDIR : errno;
    ::close(fd);
    error_ = std::strerror(error);
    return;
  }
  mode_ = static_cast<unsigned>(info.st_mode);
  text_.reserve(S_ISREG(info.st_mode) ? static_cast<std::size_t>(info.st_size) + 1 : 4096);
  read(fd);
  ::close(fd);
}

SecretFile::~SecretFile() {
  wipe();
}

void SecretFile::read(int fd) {
  // Growing the buffer by hand (instead of letting std::string reallocate) wipes each old one, so
  // no stale copy of the private key is left in freed memory.
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error_ = std::strerror(errno);
    if (n <= 0) break;
    if (text_.size() + static_cast<std::size_t>(n) > SecretFile::kMaxSize) {
      // /dev/zero, a runaway pipe: a clear error instead of reading until memory runs out.
      error_ = "larger than " + std::to_string(SecretFile::kMaxSize >> 20) + " MiB";
      break;
    }
    if (text_.size() + static_cast<std::size_t>(n) > text_.capacity()) {
      std::string bigger;
      bigger.reserve(2 * (text_.size() + static_cast<std::size_t>(n)));
      bigger.append(text_);
      wipe();
      text_.swap(bigger);
    }
    text_.append(chunk, static_cast<std::size_t>(n));
  }
  sodium_memzero(chunk, sizeof(chunk));
  if (!error_.empty()) wipe();
}

void SecretFile::wipe() {
  sodium_memzero(text_.data(), text_.size());
}

std::optional<std::string> SecretFile::permission_warning() const {
  if ((mode_ & 077) == 0) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%04o", mode_ & 07777);
  return path_ + ": the file is readable by group or others (mode " + mode +
         ") but holds a private key; run: chmod 600 " + path_;
}

void wipe_secrets(toml::table& root) {
  const auto wipe = [](toml::node_view<toml::node> node) {
    if (auto* text = node.as_string()) sodium_memzero(text->get().data(), text->get().size());
  };
  wipe(root["interface"]["private_key"]);
  if (auto* peers = root["peer"].as_array()) {
    for (auto& peer : *peers) {
      const auto view = toml::node_view<toml::node>(peer);
      wipe(view["preshared_key"]);
      wipe(view["static_session"]["send_key"]);
      wipe(view["static_session"]["receive_key"]);
    }
  }
}

}  // namespace actorwire::config::loader
