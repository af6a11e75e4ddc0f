// A plain main() for a fuzz target's source, so the normal (GCC, and ASan) build replays the
// crash inputs in tests/fuzz/regressions/<target>/ without libFuzzer: each file given is run once
// through LLVMFuzzerTestOneInput, after LLVMFuzzerInitialize where the target has one. A failed
// check traps, which fails the test.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc; ++i) {
    std::ifstream file(argv[i], std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "cannot read %s\n", argv[i]);
      return 1;
    }
    const std::vector<std::uint8_t> input((std::istreambuf_iterator<char>(file)),
                                          std::istreambuf_iterator<char>());
    std::printf("replaying %s (%zu bytes)\n", argv[i], input.size());
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  return 0;
}
