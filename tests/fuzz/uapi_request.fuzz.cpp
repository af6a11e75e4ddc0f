// The wg(8) UAPI conversation (apps/uapi_protocol.hpp) fed arbitrary bytes from a client, in
// chunks (the first byte sets their size) as a socket would deliver them: every answer is
// key=value lines ending "errno=N" and an empty line, and nothing is answered past a broken line.
#include <algorithm>
#include <string>
#include <string_view>

#include "apps/uapi_protocol.hpp"
#include "tests/fuzz/fuzz_world.hpp"

using namespace actorwire;

namespace {
config::GatewayConfig* gateway_config;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::use_deterministic_random();
  fuzz::reset_random();
  gateway_config = new config::GatewayConfig(fuzz::HandshakeWorld().config);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return -1;
  const std::size_t chunk = std::size_t{data[0]} + 1;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  apps::UapiConversation conversation(
      [](std::string& out) { apps::append_uapi_get(out, *gateway_config, nullptr); });
  std::string out;
  while (!bytes.empty()) {
    const std::size_t n = std::min(chunk, bytes.size());
    const std::size_t answered = out.size();
    conversation.feed(bytes.substr(0, n), out);
    if (out.size() != answered) {
      // Whole answers only: each ends with an errno line and an empty line.
      const std::string_view tail = std::string_view(out).substr(answered);
      if (tail.size() < 2 || tail.substr(tail.size() - 2) != "\n\n") __builtin_trap();
      if (tail.find("errno=") == std::string_view::npos) __builtin_trap();
    }
    bytes.remove_prefix(n);
  }
  return 0;
}
