#!/usr/bin/env bash
# `actorwire bench` end to end on the smoke sweep: every point runs, forwards traffic, drops
# nothing inside the gateway, and the CSV has one row per point with a sane ratio.
set -euo pipefail
actorwire="$1"
sweep="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 8 points of about a second each; the bound is for a hang, with room for a busy machine.
timeout --kill-after=5 200 "$actorwire" bench --sweep "$sweep" --csv "$work/smoke.csv" \
  >"$work/out.txt" 2>"$work/err.txt" ||
  fail "bench exited $? (124: did not finish within 200 s): $(tail -5 "$work/err.txt")"
points="$(grep -c '^smoke,' "$work/smoke.csv")" || fail "no rows: $(cat "$work/smoke.csv")"
[[ "$points" -eq 8 ]] || fail "expected 8 points, got $points"
grep -q 'ETA' "$work/err.txt" || fail "no progress line"
# By header name: mpps > 0.01, drops = 0, 0 < ratio < 100.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
         !($col["mpps"] > 0.01 && $col["drops"] == 0 && $col["ratio"] > 0 && $col["ratio"] < 100) {
           print "bad row: " $0; bad = 1 }
         END { exit bad }' "$work/smoke.csv" || fail "implausible rows"
# The standalone AEAD benchmark still runs too.
timeout 30 "$(dirname "$actorwire")/../bench/aead_bench" --sizes 64 --seconds 0.1 --csv \
  >"$work/aead.csv" || fail "aead_bench exited $?"
for backend in ipsec-mb openssl libsodium ipsec-mb-batch64; do
  grep -q "^$backend,64," "$work/aead.csv" || fail "aead_bench has no $backend row: $(cat "$work/aead.csv")"
done
echo "1 passed, 0 failed"
