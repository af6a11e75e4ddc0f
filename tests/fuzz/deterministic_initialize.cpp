// LLVMFuzzerInitialize for the targets that need nothing set up but the fixed-seed random source
// (fuzz_world.hpp); linked into them as a source, since libFuzzer's weak reference would not pull
// it out of a static library.
#include "tests/fuzz/fuzz_world.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  actorwire::fuzz::use_deterministic_random();
  return 0;
}
