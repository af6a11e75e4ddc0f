#!/usr/bin/env bash
# Mpps of every topology on the embedded default (in-process ports, built-in generator at its
# maximum), at 64 B and 1420 B, with 1 and 1024 flows, next to the raw one-core seal rate of
# the fastest AEAD measured in the same run: the ratio survives a noisy machine.
# Usage: bench/topology-table.sh [build-dir] [seconds-per-point]   (prints a markdown table)
set -euo pipefail
build="${1:-build/release}"
seconds="${2:-3}"
actorwire="$build/apps/actorwire"
aead_bench="$build/bench/aead_bench"
[[ -x "$actorwire" && -x "$aead_bench" ]] || { echo "build $build first (Release)" >&2; exit 2; }

# The crypto ceiling: the fastest back-end's per-packet seal rate per size (M seals/s).
declare -A ceiling
while IFS=, read -r backend bytes mseals _; do
  [[ "$backend" == backend || "$backend" == *batch* ]] && continue  # per packet only
  if [[ -z "${ceiling[$bytes]:-}" ]] || awk "BEGIN { exit !($mseals > ${ceiling[$bytes]}) }"; then
    ceiling[$bytes]="$mseals"
  fi
done < <("$aead_bench" --sizes 64,1420 --seconds 1 --csv)

topologies=(
  "single|-t single"
  "workers-mutex, 2 workers|-t workers-mutex -w 2"
  "workers-spinlock, 2 workers|-t workers-spinlock -w 2"
  "pipeline, 1 worker|-t pipeline -w 1"
  "pipeline, 2 workers|-t pipeline -w 2"
  "pipeline, 2 workers, ordered|-t pipeline -w 2 --ordered"
)
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "Seal ceiling (one core, fastest AEAD per packet): ${ceiling[64]} M/s at 64 B, ${ceiling[1420]} M/s at 1420 B"
echo
echo "| topology | 64 B, 1 flow | 64 B, 1024 flows | 1420 B, 1 flow | 1420 B, 1024 flows |"
echo "|---|---|---|---|---|"
for entry in "${topologies[@]}"; do
  name="${entry%%|*}"
  args="${entry#*|}"
  row="| $name |"
  for size in 64 1420; do
    for flows in 1 1024; do
      # shellcheck disable=SC2086  # $args is a list of options
      mpps="$("$actorwire" run -d "$seconds" -s "$size" -f "$flows" $args 2>/dev/null |
        sed -nE 's/^summary .*\(avg ([0-9.]+) Mpps.*/\1/p')"
      ratio="$(awk "BEGIN { printf \"%.2f\", ${mpps:-0} / ${ceiling[$size]} }")"
      row+=" ${mpps:-?} Mpps (${ratio}) |"
    done
  done
  echo "$row"
done
echo
echo "In parentheses: the ratio to one core's seal rate at that size (inner packet size; the"
echo "generator's IP packets are SIZE bytes)."
