#!/usr/bin/env bash
# The latency plot's data: `actorwire bench --latency` for each topology the README compares
# (single; workers-spinlock with 2 workers; pipeline with 1 and 2 workers), 64 B, 1024 flows,
# into one CSV, then bench/plot-latency.sh. About 20 s per topology with the defaults.
# Usage: bench/latency.sh ACTORWIRE [out-dir (default docs)] [seconds per load (default 2)]
set -euo pipefail
actorwire="$1"
out="${2:-docs}"
seconds="${3:-2}"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
topologies=("-t single" "-t workers-spinlock -w 2" "-t pipeline -w 1" "-t pipeline -w 2")
rm -f "$out/latency.csv.new"
first=1
for topology in "${topologies[@]}"; do
  # shellcheck disable=SC2086  # the topology's words are separate arguments
  "$actorwire" bench --latency $topology -s 64 -f 1024 -d "$seconds" --warmup 1 \
    --csv "$tmp/one.csv" 2>/dev/null
  if ((first)); then cat "$tmp/one.csv"; else tail -n +2 "$tmp/one.csv"; fi >>"$out/latency.csv.new"
  first=0
done
mv "$out/latency.csv.new" "$out/latency.csv"
"$(dirname "$0")/plot-latency.sh" "$out/latency.csv" "$out"
