#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite twice: an optimised build
# with assertions, then an AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs="$(nproc)"

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/test -j"$jobs"
ctest --test-dir build/test --output-on-failure -j"$jobs"

echo "== interop with an unmodified wireguard-go peer (network namespaces), every topology kind"
for topology in single workers-spinlock pipeline; do
  AWT_TOPOLOGY="$topology" tests/interop/interop.sh actorwire build/test/apps/actorwire
done

echo "== build and test (ASan + UBSan)"
cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=Debug -DACTORWIRE_SANITIZE=ON >/dev/null
cmake --build build/sanitize -j"$jobs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build/sanitize --output-on-failure -j"$jobs"
