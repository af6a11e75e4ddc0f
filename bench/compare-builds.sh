#!/usr/bin/env bash
# Compares two actorwire binaries (e.g. before and after a refactor) in one sitting: every
# point runs on A, then on B, then on A and B again, so drift of a noisy machine hits both
# alike. Prints a markdown table of Mpps per point (mean of the runs) and the B/A ratio.
# Usage: bench/compare-builds.sh A_BINARY B_BINARY [seconds-per-run] [rounds] [point-filter]
# (point-filter: an extended regex on the point names, e.g. "pipeline|1420")
set -euo pipefail
a="$1"
b="$2"
seconds="${3:-3}"
rounds="${4:-2}"
filter="${5:-.}"
all_points=(
  "single, 64 B, 1024 flows|-t single -s 64 -f 1024"
  "single, 1420 B|-t single -s 1420 -f 1024"
  "workers-mutex, 2 workers, 64 B|-t workers-mutex -w 2 -s 64 -f 1024"
  "workers-spinlock, 2 workers, 64 B|-t workers-spinlock -w 2 -s 64 -f 1024"
  "pipeline, 1 worker, 64 B|-t pipeline -w 1 -s 64 -f 1024"
  "pipeline, 2 workers, 64 B|-t pipeline -w 2 -s 64 -f 1024"
  "pipeline, 2 workers, 1420 B|-t pipeline -w 2 -s 1420 -f 1024"
  "pipeline, 2 workers, ordered, 64 B|-t pipeline -w 2 --ordered -s 64 -f 1024"
)
points=()
for entry in "${all_points[@]}"; do
  grep -qE "$filter" <<<"${entry%%|*}" && points+=("$entry")
done
mpps() {  # mpps BINARY ARGS...: one measured run
  local binary="$1"
  shift
  # shellcheck disable=SC2068
  "$binary" bench $@ -d "$seconds" --warmup 1 2>/dev/null |
    sed -nE 's/.* max: +([0-9.]+) Mpps.*/\1/p' | head -n 1
}
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "A = $a, B = $b; $rounds rounds of A then B, ${seconds} s each"
echo
echo "| point | A Mpps | B Mpps | B/A |"
echo "|---|---|---|---|"
for entry in "${points[@]}"; do
  name="${entry%%|*}"
  args="${entry#*|}"
  sum_a=0
  sum_b=0
  for ((round = 0; round < rounds; round++)); do
    sum_a="$(awk -v s="$sum_a" -v x="$(mpps "$a" $args)" 'BEGIN { print s + x }')"
    sum_b="$(awk -v s="$sum_b" -v x="$(mpps "$b" $args)" 'BEGIN { print s + x }')"
  done
  awk -v n="$name" -v a="$sum_a" -v b="$sum_b" -v r="$rounds" \
    'BEGIN { printf "| %s | %.3f | %.3f | %.2f |\n", n, a / r, b / r, (a > 0 ? b / a : 0) }'
done
