#!/usr/bin/env bash
# Runs every fuzz target of a fuzz build for a bounded time, each on a copy of its seed corpus
# (the repository stays clean), and prints per target: executions, executions per second and the
# final coverage (cov: edges, ft: features). A crash, leak, timeout or failed check fails the run
# and names the reproducer, which then belongs in regressions/<target>/ (README.md).
#   tests/fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]
#   tests/fuzz/run.sh --seeds BUILD_DIR   (rewrites corpus/ with the seed generator)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ "${1:-}" == "--seeds" ]]; then
  rm -rf "$here/corpus"
  exec "$2/tests/fuzz/fuzz_seeds" "$here/corpus" "$here/../.."
fi
build="$1"
seconds="${2:-8}"
work="$(mktemp -d /tmp/actorwire-fuzz.XXXXXX)"
trap 'rm -rf "$work"' EXIT
failed=0
printf '%-22s %10s %9s %7s %7s  %s\n' target executions exec/s cov ft result
for target_dir in "$here"/corpus/*/; do
  target="$(basename "$target_dir")"
  binary="$build/tests/fuzz/fuzz_$target"
  [[ -x "$binary" ]] || { echo "$target: no binary $binary"; failed=1; continue; }
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  cp "$target_dir"/* "$work/$target/corpus/"
  log="$work/$target/log"
  dict=()
  [[ -f "$here/$target.dict" ]] && dict=(-dict="$here/$target.dict")
  "$binary" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$target/artifacts/" "$work/$target/corpus" </dev/null >"$log" 2>&1
  status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  result=ok
  if ((status != 0)); then
    failed=1
    result="FAILED ($status)"
    # Keep the reproducer and the log where they survive this script's clean-up.
    keep="/tmp/actorwire-fuzz-failures/$target"
    mkdir -p "$keep"
    cp "$work/$target/artifacts/"* "$log" "$keep/" 2>/dev/null
    grep -E 'ERROR|SUMMARY|==[0-9]+==|deadly signal|Test unit written' "$log" | head -n 20
    echo "$target: reproducer and log in $keep (replay: $binary $keep/<crash file>)"
  fi
  printf '%-22s %10s %9s %7s %7s  %s\n' "$target" "${runs:--}" "${rate:--}" "${cov:--}" \
    "${ft:--}" "$result"
done
exit "$failed"
