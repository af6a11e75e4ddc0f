#include "apps/wg_key_commands.hpp"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "crypto/keys.hpp"

namespace actorwire::apps {
namespace {

constexpr std::size_t kBase64KeyLength = 44;

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Like wg(8): a key written into a file that others can read deserves a warning.
void warn_if_world_readable(int out_fd, std::ostream& err) {
  struct stat info {};
  if (::fstat(out_fd, &info) == 0 && S_ISREG(info.st_mode) && (info.st_mode & S_IRWXO) != 0) {
    err << "Warning: writing to world accessible file.\nConsider setting the umask to 077 and "
           "trying again.\n";
  }
}

int write_secret(const crypto::SecretKey& key, int out_fd, std::ostream& err) {
  warn_if_world_readable(out_fd, err);
  std::string text;
  text.reserve(kBase64KeyLength + 1);  // no reallocation: no unwiped copy
  crypto::append_base64(text, key);
  text += '\n';
  const bool written = write_all(out_fd, text.data(), text.size());
  sodium_memzero(text.data(), text.size());
  if (!written) {
    err << "actorwire: cannot write the key: " << std::strerror(errno) << "\n";
    return 1;
  }
  return 0;
}

// One byte of input, or -1 at the end (or on an error).
int read_byte(int fd) {
  unsigned char byte = 0;
  for (;;) {
    const ssize_t n = ::read(fd, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    return n == 1 ? byte : -1;
  }
}

}  // namespace

int genkey_command(int out_fd, std::ostream& err) {
  return write_secret(crypto::generate_private_key(), out_fd, err);
}

int genpsk_command(int out_fd, std::ostream& err) {
  // A preshared key is 32 random bytes, unclamped (wg genpsk).
  return write_secret(crypto::random_secret_key(), out_fd, err);
}

int pubkey_command(int in_fd, int out_fd, std::ostream& err) {
  // As wg(8): exactly 44 characters, then only whitespace or NUL bytes up to the end.
  char text[kBase64KeyLength];
  std::size_t length = 0;
  int byte = 0;
  while (length < sizeof text && (byte = read_byte(in_fd)) >= 0)
    text[length++] = static_cast<char>(byte);
  bool trailing = false;
  while (length == sizeof text && (byte = read_byte(in_fd)) >= 0) {
    if (byte != 0 && std::isspace(byte) == 0) {
      trailing = true;
      break;
    }
  }
  std::optional<crypto::SecretKey> key;
  if (length == sizeof text && !trailing) key = crypto::parse_secret_key_base64({text, length});
  sodium_memzero(text, sizeof text);
  if (trailing) {
    err << "actorwire: Trailing characters found after key\n";
    return 1;
  }
  if (!key) {
    err << "actorwire: Key is not the correct length or format\n";
    return 1;
  }
  const std::string public_key = crypto::to_base64(crypto::derive_public_key(*key)) + "\n";
  if (!write_all(out_fd, public_key.data(), public_key.size())) {
    err << "actorwire: cannot write the public key: " << std::strerror(errno) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace actorwire::apps
