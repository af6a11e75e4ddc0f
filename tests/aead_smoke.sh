#!/usr/bin/env bash
# Every AEAD back-end in the gateway, end to end: for each `[crypto] aead` value a short
# `actorwire bench` in direction "both" (a second in-process gateway decrypts what the first
# seals and seals its own traffic back), on `single` (the burst path of the data-path loop) and
# on a 1-worker pipeline (the crypto stage's batch path). Each point must forward traffic, drop
# nothing inside the gateway and report the back-end it ran; speed is not checked.
set -euo pipefail
actorwire="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

timeout 20 "$actorwire" run --print-default-config >"$work/default.toml"
grep -q '^aead = "auto"$' "$work/default.toml" || fail "the default config does not say aead = \"auto\""
passed=0
for aead in ipsec-mb openssl libsodium auto; do
  sed "s/^aead = \"auto\"$/aead = \"$aead\"/" "$work/default.toml" >"$work/$aead.toml"
  chmod 600 "$work/$aead.toml"
  for topology in single pipeline; do
    csv="$work/$aead-$topology.csv"
    timeout --kill-after=5 60 "$actorwire" bench -c "$work/$aead.toml" -t "$topology" -w 1 \
      --direction both -s 64 -d 0.3 --warmup 0.2 --csv "$csv" >"$work/out.txt" 2>"$work/err.txt" ||
      fail "$aead on $topology exited $? (124: did not finish in 60 s): $(tail -5 "$work/err.txt")"
    # By header name: traffic, no drops inside the gateway, the back-end it ran.
    awk -F, -v aead="$aead" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
      { rows++ }
      !($col["mpps"] > 0.001 && $col["drops"] == 0 && $col["ratio_aead"] > 0) {
        print "bad row: " $0; bad = 1 }
      aead != "auto" && $col["aead"] != aead { print "ran " $col["aead"] ", not " aead; bad = 1 }
      aead == "auto" && $col["aead"] != "ipsec-mb" && $col["aead"] != "openssl" {
        print "auto ran " $col["aead"]; bad = 1 }
      END { exit bad || rows != 1 }' "$csv" || fail "$aead on $topology: $(cat "$csv")"
    passed=$((passed + 1))
  done
done
echo "$passed passed, 0 failed"
