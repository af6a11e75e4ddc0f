#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: an optimised build with
# assertions, the interop test against wireguard-go for every topology kind, an
# AddressSanitizer + UndefinedBehaviorSanitizer build, then the libFuzzer targets. Every stage
# runs even when an earlier one failed (a failure must not hide the others); a stage that needs a
# build that failed is reported as skipped. The end is a table of stages with their times; the
# exit status is 1 if any stage failed or was skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"
export jobs
# A stage that hangs is killed and reported; CI's own limit (90 min) must never be what stops
# us. The whole script takes about 10 minutes on a 2-core machine.
stage_limit_s="${AWT_STAGE_LIMIT_S:-1500}"

stage_names=()
stage_results=()
stage_seconds=()
failed=0

# stage NAME COMMAND...: runs one stage with a time limit and records its result.
stage() {
  local name="$1" start status
  shift
  echo "== $name"
  start=$SECONDS
  if declare -F "$1" >/dev/null; then
    # A function of this script: timeout runs programs, so hand it to a child bash.
    export -f "$1"
    timeout --kill-after=30 "$stage_limit_s" bash -c '"$@"' bash "$@"
  else
    timeout --kill-after=30 "$stage_limit_s" "$@"
  fi
  status=$?
  if ((status == 124 || status == 137)); then
    echo "== $name: killed after the stage limit of $stage_limit_s s"
  fi
  stage_names+=("$name")
  stage_seconds+=($((SECONDS - start)))
  if ((status == 0)); then
    stage_results+=("ok")
  else
    stage_results+=("FAILED ($status)")
    failed=1
  fi
  return "$status"
}

skip() {
  echo "== $1: skipped ($2)"
  stage_names+=("$1")
  stage_seconds+=(0)
  stage_results+=("skipped: $2")
  failed=1
}

build() {  # build DIR CMAKE_ARGS...
  local dir="$1"
  shift
  cmake -S . -B "$dir" "$@" >/dev/null && cmake --build "$dir" -j"$jobs"
}

stage "install dependencies" scripts/install-deps.sh --test

if stage "build (RelWithDebInfo)" build build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
  stage "unit tests (RelWithDebInfo)" \
    ctest --test-dir build/test --output-on-failure -j"$jobs"
  # pipeline's run takes its LAN port through the pcap PMD instead of af_packet: host A's
  # IPv4 fragments then reach the gateway as fragments, as from a NIC (interop step (j) sends a
  # 3000-byte datagram A -> B), and a third port driver is covered (one queue pair: the lock-based
  # workers need one per worker, which the pcap PMD on an interface does not offer).
  for run in single:af_packet workers-spinlock:af_packet pipeline:pcap; do
    topology="${run%%:*}"
    lan_pmd="${run#*:}"
    stage "interop with wireguard-go ($topology, LAN port $lan_pmd)" \
      env AWT_TOPOLOGY="$topology" AWT_LAN_PMD="$lan_pmd" \
      tests/interop/interop.sh actorwire build/test/apps/actorwire
  done
  # A few seconds: a handshake flood with valid mac1 from 8 addresses while wireguard-go's
  # tunnel carries pings; actorwire must go under load, answer with cookie replies, keep
  # Noise out of it and keep the tunnel working.
  stage "handshake flood under traffic (smoke)" \
    bench/handshake-flood-under-traffic.sh --smoke --actorwire build/test/apps/actorwire \
    --flood build/test/bench/handshake_flood
else
  skip "unit tests (RelWithDebInfo)" "build failed"
  skip "interop with wireguard-go" "build failed"
  skip "handshake flood under traffic (smoke)" "build failed"
fi

if stage "build (ASan + UBSan)" build build/sanitize -DCMAKE_BUILD_TYPE=Debug \
  -DACTORWIRE_SANITIZE=ON; then
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  stage "unit tests (ASan + UBSan)" \
    ctest --test-dir build/sanitize --output-on-failure -j"$jobs"
else
  skip "unit tests (ASan + UBSan)" "build failed"
fi

# libFuzzer targets (tests/fuzz/README.md): a clang build of their own, the checked-in crash
# inputs and seeds replayed, then each target for a bounded time on a copy of its corpus.
if stage "build (libFuzzer)" build build/fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DACTORWIRE_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
  stage "fuzz regressions and seeds" ctest --test-dir build/fuzz --output-on-failure -j"$jobs"
  stage "fuzz (${AWT_FUZZ_SECONDS:-8} s per target)" tests/fuzz/run.sh build/fuzz "${AWT_FUZZ_SECONDS:-8}"
else
  skip "fuzz" "build failed"
fi

echo
echo "== summary"
total=0
for i in "${!stage_names[@]}"; do
  printf '%-45s %6d s  %s\n' "${stage_names[$i]}" "${stage_seconds[$i]}" "${stage_results[$i]}"
  total=$((total + stage_seconds[i]))
done
printf '%-45s %6d s  %s\n' "total" "$total" "$( ((failed)) && echo FAILED || echo ok)"
exit "$failed"
