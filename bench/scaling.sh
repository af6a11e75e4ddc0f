#!/usr/bin/env bash
# The crypto-worker scaling sweep for a many-core machine: builds (Release), then measures the
# pipeline and the spin-lock workers with 1..MAX crypto workers at 64 B and 1514 B (the paper's
# sizes; inner 1420 B here, the largest that fits the tunnel MTU), 1024 flows, and writes the
# CSV and a plot. At most ~8 minutes with the defaults on 16 cores.
# Usage: bench/scaling.sh [max-workers (default: cores - 4, at most 12)] [out-dir (default docs)]
set -euo pipefail
cd "$(dirname "$0")/.."
cores="$(nproc)"
max="${1:-$(( cores > 5 ? (cores - 4 < 12 ? cores - 4 : 12) : 2 ))}"
out="${2:-docs}"
mkdir -p "$out"
scripts/install-deps.sh >/dev/null
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DACTORWIRE_TESTS=OFF >/dev/null
cmake --build build/release -j"$cores" --target actorwire >/dev/null

sweep="$(mktemp --suffix=.toml)"
trap 'rm -f "$sweep"' EXIT
workers="$(seq -s, 1 "$max")"
cat >"$sweep" <<TOML
duration = 2.0
warmup = 0.5
[[set]]
figure = "scaling"
topology = ["pipeline", "workers-spinlock"]
crypto_workers = [${workers}]
flows = [1024]
size = [64, 1420]
TOML
echo "scaling: 1..$max crypto workers on $cores cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
build/release/apps/actorwire bench --sweep "$sweep" --csv "$out/scaling.csv"
if [[ -x bench/plot-sweep.sh ]] && command -v gnuplot >/dev/null; then
  bench/plot-sweep.sh "$out/scaling.csv" "$out"
fi
echo "wrote $out/scaling.csv"
