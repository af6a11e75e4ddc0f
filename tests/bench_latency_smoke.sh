#!/usr/bin/env bash
# `actorwire bench --latency` and `--stage-cost` end to end with tiny durations: every load row
# is there with samples and ordered percentiles, the decrypt chain (stamp read back from the
# decrypted payload) records too, and the stage costs, the measured points and the 16-row
# prediction table come out with sane values. Speed is not checked.
set -euo pipefail
actorwire="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work" || true' EXIT
fail() { echo "FAIL: $*"; exit 1; }
short=(-d 0.3 --warmup 0.2 -f 64)

# Latency: 5 loads of one point (peak, 10 %, 50 %, 90 %, overload); the bound is for a hang.
timeout --kill-after=5 120 "$actorwire" bench --latency -t single "${short[@]}" \
  --csv "$work/latency.csv" >"$work/out.txt" 2>"$work/err.txt" ||
  fail "bench --latency exited $? (124: hung): $(tail -5 "$work/err.txt")"
rows="$(grep -c '^encrypt,single,' "$work/latency.csv")" || fail "no rows: $(cat "$work/latency.csv")"
[[ "$rows" -eq 5 ]] || fail "expected 5 load rows, got $rows"
for load in peak 10% 50% 90% overload; do
  grep -q ",$load," "$work/latency.csv" || fail "no $load row"
done
# By header name: samples > 0, 0 < p50 <= p99 <= p99.9 <= max, and a p50 under 10 s.
check_rows() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
           !($col["samples"] > 0 && $col["p50_us"] > 0 && $col["p50_us"] <= $col["p99_us"] &&
             $col["p99_us"] <= $col["p999_us"] && $col["p999_us"] <= $col["max_us"] &&
             $col["p50_us"] < 1e7 && $col["mpps"] > 0) { print "bad row: " $0; bad = 1 }
           END { exit bad }' "$1"
}
check_rows "$work/latency.csv" || fail "implausible latency rows"
grep -q 'p99.9' "$work/out.txt" || fail "no human-readable latency line"

# Through a second gateway that decrypts: the stamp comes back out of the decrypted payload.
timeout --kill-after=5 120 "$actorwire" bench --latency -t single --direction decrypt "${short[@]}" \
  --csv "$work/decrypt.csv" >"$work/out.txt" 2>"$work/err.txt" ||
  fail "bench --latency --direction decrypt exited $?: $(tail -5 "$work/err.txt")"
[[ "$(grep -c '^decrypt,single,' "$work/decrypt.csv")" -eq 5 ]] || fail "decrypt rows: $(cat "$work/decrypt.csv")"
check_rows "$work/decrypt.csv" || fail "implausible decrypt latency rows"

# Stage costs and the scaling prediction.
timeout --kill-after=5 120 "$actorwire" bench --stage-cost "${short[@]}" \
  >"$work/stage.txt" 2>"$work/err.txt" ||
  fail "bench --stage-cost exited $?: $(tail -5 "$work/err.txt")"
grep -qE '^stage cost, one core .*rx [0-9.]+ ns, lookup [0-9.]+ ns, crypto [0-9.]+ ns, tx [0-9.]+ ns' \
  "$work/stage.txt" || fail "no stage cost line: $(cat "$work/stage.txt")"
grep -qE '^message between cores: [0-9]+ ns CPU' "$work/stage.txt" || fail "no message cost line"
# The table: workers 1..16, a positive prediction and a known cap in each row, and the measured
# rate in rows 1 and 2 only.
awk -F'|' '/^\| [0-9]+ \|/ {
             n++; w = $2 + 0
             if (!($3 > 0 && $5 > 0)) bad = 1
             if ($4 !~ /^ (rx|lookup|crypto|tx) $/ || $6 !~ /^ (rx|lookup|crypto|tx|cores) $/) bad = 1
             if ((w <= 2) != ($7 + 0 > 0)) bad = 1
           }
           END { exit !(n == 16 && !bad) }' "$work/stage.txt" ||
  fail "bad prediction table: $(cat "$work/stage.txt")"
echo "1 passed, 0 failed"
