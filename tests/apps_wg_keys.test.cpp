// `actorwire genkey`, `genpsk` and `pubkey` (apps/wg_key_commands): wg(8)'s formats byte for byte
// (44 base64 characters and a newline), genkey clamped as wg clamps, pubkey's answers for keys
// whose public keys `wg pubkey` printed, and wg's checks on its input. tests/wg_tools.sh also
// compares them with the real wg(8) where it is installed.
#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <utility>

#include "apps/wg_key_commands.hpp"

namespace actorwire::apps {
namespace {

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    read = fds[0];
    write = fds[1];
  }
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
  void close_write() {
    ::close(write);
    write = -1;
  }
  std::string drain() {
    close_write();
    std::string text;
    char buffer[256];
    ssize_t n = 0;
    while ((n = ::read(read, buffer, sizeof buffer)) > 0)
      text.append(buffer, static_cast<std::size_t>(n));
    return text;
  }
};

std::string decoded(const std::string& line) {
  EXPECT_EQ(line.size(), 45u);
  EXPECT_EQ(line.back(), '\n');
  unsigned char bytes[32];
  std::size_t length = 0;
  EXPECT_EQ(sodium_base642bin(bytes, sizeof bytes, line.data(), 44, nullptr, &length, nullptr,
                              sodium_base64_VARIANT_ORIGINAL),
            0);
  EXPECT_EQ(length, 32u);
  return {reinterpret_cast<const char*>(bytes), length};
}

struct PubkeyRun {
  int status;
  std::string out;
  std::string err;
};

PubkeyRun pubkey(const std::string& input) {
  Pipe in;
  Pipe out;
  EXPECT_EQ(::write(in.write, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  in.close_write();
  std::ostringstream err;
  const int status = pubkey_command(in.read, out.write, err);
  return {status, out.drain(), err.str()};
}

// Two keys from `command` (genkey_command or genpsk_command), decoded.
std::pair<std::string, std::string> two_keys(int (*command)(int, std::ostream&)) {
  std::ostringstream err;
  Pipe first;
  Pipe second;
  EXPECT_EQ(command(first.write, err), 0);
  EXPECT_EQ(command(second.write, err), 0);
  EXPECT_TRUE(err.str().empty()) << err.str();
  return {decoded(first.drain()), decoded(second.drain())};
}

TEST(WgKeys, GenkeyIsClampedBase64AndFresh) {
  const auto [a, b] = two_keys(genkey_command);
  EXPECT_NE(a, b);
  for (const auto& key : {a, b}) {
    EXPECT_EQ(static_cast<unsigned char>(key[0]) & 7, 0);
    EXPECT_EQ(static_cast<unsigned char>(key[31]) & 0xc0, 0x40);
  }
}

TEST(WgKeys, GenpskIsBase64AndFresh) {
  const auto [a, b] = two_keys(genpsk_command);
  EXPECT_NE(a, b);
}

TEST(WgKeys, PubkeyAnswersAsWgPubkey) {
  // Pairs printed by `wg genkey | tee /dev/stderr | wg pubkey` (tests/data/wg_quick/).
  EXPECT_EQ(pubkey("yDggV2AYg9lE2JfRJ0RDn/XtZ43M+Yr6ylg7i+gL7nU=\n").out,
            "MNv64RwZuSOpXWlH54Ei1LIuOds00ZxP1V9qw7VyGTI=\n");
  // Trailing whitespace and NUL bytes are allowed, as wg allows them.
  const PubkeyRun spaced = pubkey(
      std::string("IEjb9x7clIpFKcLQaMTz9VwvwY+mg5VxyaXqBZc/000= \t\n\n") + std::string(1, '\0'));
  EXPECT_EQ(spaced.status, 0) << spaced.err;
  EXPECT_EQ(spaced.out, "7qAeHpvbWjO+ZG5+2bsAF6gDO+fBGzMhO2V6zsibk0g=\n");
  // No newline at all.
  EXPECT_EQ(pubkey("ABcoL5qBVsgOnPI1HyLVCRkHbEyFQ1spd2nrbaxPY2s=").out,
            "20yCLgtib36rfWcVkssx4YTYa8CFFgXBTSOg0zXF6BY=\n");
}

TEST(WgKeys, PubkeyRefusesWhatWgRefuses) {
  // Like wg: 44 characters are the key; anything but whitespace after them is refused first.
  for (const std::string bad : {"yDggV2AYg9lE2JfRJ0RDn/XtZ43M+Yr6ylg7i+gL7nU= x\n",
                                " yDggV2AYg9lE2JfRJ0RDn/XtZ43M+Yr6ylg7i+gL7nU="}) {
    const PubkeyRun run = pubkey(bad);
    EXPECT_EQ(run.status, 1) << bad;
    EXPECT_EQ(run.err, "actorwire: Trailing characters found after key\n") << bad;
    EXPECT_TRUE(run.out.empty()) << bad;
  }
  for (const std::string bad : {"", "short\n", "yDggV2AYg9lE2JfRJ0RDn/XtZ43M+Yr6ylg7i+gL7n*="}) {
    const PubkeyRun run = pubkey(bad);
    EXPECT_EQ(run.status, 1) << bad;
    EXPECT_EQ(run.err, "actorwire: Key is not the correct length or format\n") << bad;
    EXPECT_TRUE(run.out.empty()) << bad;
  }
}

}  // namespace
}  // namespace actorwire::apps
