// The TOML config loader on arbitrary text: it must load or give file:line:col errors, never
// crash, and what it loads must load again to the same verdict (no error depends on luck).
#include <string_view>

#include "config/load_config.hpp"

using namespace actorwire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const config::LoadResult result = config::load_config_string(text, "fuzz.toml");
  if (result.ok() != result.errors.empty()) __builtin_trap();
  for (const auto& error : result.errors) {
    if (error.message.empty()) __builtin_trap();
    (void)error.to_string();
  }
  if (config::load_config_string(text, "fuzz.toml").ok() != result.ok()) __builtin_trap();
  return 0;
}
