#!/usr/bin/env bash
# What reading the counters costs the data plane: one daemon run (the embedded default, the
# built-in generator as fast as the gateway takes packets), cut into alternating windows with no
# reader ("quiet") and with readers ("read": `actorwire stats --json` and an HTTP GET of
# /metrics every --interval seconds). Each window's rate is the egress stages' packets_out over
# the window, from the stats snapshots taken at its two ends (both kinds of window take the same
# two). The windows alternate quiet, read, read, quiet, ... (ABBA), so that a drift of a noisy
# machine hits both kinds alike; the report is the mean rate of each kind and their ratio.
#
# Usage: bench/stats-cost.sh [--actorwire PATH] [--windows N] [--seconds S] [--interval S]
#                            [-- extra `actorwire run` options, e.g. -t pipeline -w 2]
set -euo pipefail
actorwire="build/release/apps/actorwire"
windows=8          # of each kind
seconds=5          # per window (whole seconds)
interval=1         # between reads in a read window
while (($#)); do
  case "$1" in
    --actorwire) actorwire="$2"; shift 2 ;;
    --windows) windows="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --interval) interval="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--actorwire PATH] [--windows N] [--seconds S] [--interval S] [-- run options]" >&2
       exit 2 ;;
  esac
done
[[ -x "$actorwire" ]] || { echo "$0: no actorwire at $actorwire (--actorwire PATH)" >&2; exit 2; }
work="$(mktemp -d)"
daemon=""
trap '[[ -n "$daemon" ]] && kill "$daemon" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$actorwire" run --print-default-config >"$work/gateway.toml"
printf '\n[metrics]\nlisten = "127.0.0.1:%s"\n' "$port" >>"$work/gateway.toml"
chmod 600 "$work/gateway.toml"
total=$((2 * windows * seconds + 60))
"$actorwire" run -c "$work/gateway.toml" -d "$total" --socket-dir "$work/run" "$@" \
  >"$work/daemon.out" 2>&1 &
daemon=$!
snapshot() { "$actorwire" stats --socket-dir "$work/run" --json; }
deadline=$((SECONDS + 30))
until snapshot >/dev/null 2>&1; do
  ((SECONDS < deadline)) || { echo "the daemon did not answer within 30 s:"; tail "$work/daemon.out"; exit 1; }
  sleep 0.2
done
sleep 2  # warm-up

# rate FIRST LAST: Mpps of the egress stages (single, tx, worker<N>) between two snapshots.
rate() {
  python3 - "$1" "$2" <<'PY'
import json, re, sys
def egress(path):
    stats = json.load(open(path))
    out = sum(a["packets_out"] for a in stats["actors"]
              if re.fullmatch(r"single|tx|worker\d+", a["name"]))
    return out, stats["uptime_s"]
(p0, t0), (p1, t1) = egress(sys.argv[1]), egress(sys.argv[2])
print(f"{(p1 - p0) / (t1 - t0) / 1e6:.4f}")
PY
}

read_window() {
  # Bash's own clock: a python or date per loop would be a reader cost of its own.
  local end=$((${EPOCHREALTIME/./} + seconds * 1000000)) reads=0
  while ((${EPOCHREALTIME/./} < end)); do
    snapshot >/dev/null
    curl -sf "http://127.0.0.1:$port/metrics" >/dev/null
    reads=$((reads + 1))
    sleep "$interval"
  done
  echo "$reads" >"$work/reads"
}

echo "stats-cost: $windows quiet and $windows read windows of $seconds s, reads every $interval s," \
  "run options: ${*:-(none)}"
quiet_rates=()
read_rates=()
for ((i = 0; i < 2 * windows; i++)); do
  # ABBA: quiet read read quiet quiet read ...
  if (((i + 1) / 2 % 2 == 0)); then kind=quiet; else kind=read; fi
  snapshot >"$work/first.json"
  if [[ $kind == quiet ]]; then
    sleep "$seconds"
    reads=0
  else
    read_window
    reads="$(cat "$work/reads")"
  fi
  snapshot >"$work/last.json"
  mpps="$(rate "$work/first.json" "$work/last.json")"
  printf 'window %2d  %-5s  %s Mpps  (%s reads)\n' "$((i + 1))" "$kind" "$mpps" "$reads"
  if [[ $kind == quiet ]]; then quiet_rates+=("$mpps"); else read_rates+=("$mpps"); fi
done
# One scrape's own cost, for scale.
scrape_ms="$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/metrics" |
  python3 -c 'import sys; print(f"{float(sys.stdin.read()) * 1000:.2f}")')"
python3 - "${quiet_rates[*]}" "${read_rates[*]}" "$scrape_ms" <<'PY'
import statistics, sys
quiet = [float(x) for x in sys.argv[1].split()]
read = [float(x) for x in sys.argv[2].split()]
q, r = statistics.mean(quiet), statistics.mean(read)
print(f"quiet: mean {q:.3f} Mpps (min {min(quiet):.3f}, max {max(quiet):.3f}, stdev {statistics.pstdev(quiet):.3f})")
print(f"read:  mean {r:.3f} Mpps (min {min(read):.3f}, max {max(read):.3f}, stdev {statistics.pstdev(read):.3f})")
# ABBA: windows 2k and 2k+1 are one quiet and one read window side by side.
pairs = sorted(rd / qt for qt, rd in zip(quiet, read))
print(f"read / quiet = {r / q:.3f} (means); per adjacent pair: median {statistics.median(pairs):.3f},"
      f" range {pairs[0]:.3f}-{pairs[-1]:.3f}; one /metrics scrape took {sys.argv[3]} ms")
PY
