#!/usr/bin/env bash
# Changing the peers of a running actorwire, through every entry point, with unmodified Debian
# wireguard-tools: `wg set ... peer ... allowed-ips ... endpoint ...`, `wg set ... remove`,
# `wg syncconf`, SIGHUP and `actorwire reload` (a valid file, a broken one, one that needs a
# restart). Each step is checked with `wg show dump` and `actorwire stats --json`, and the
# peer that never changes (the embedded default's, carrying the generator's traffic) keeps its
# counters and its session throughout. Skipped (77) without wg(8) or root.
set -euo pipefail
actorwire="$1"
# shellcheck source=tests/wg_test_lib.sh
source "$(dirname "$0")/wg_test_lib.sh"
wg_test_init awlr
umask 077

# The embedded default (ring ports, one peer with a fixed session, the generator's traffic to
# it), renamed to this test's own instance name.
bounded 10 "$actorwire" run --print-default-config |
  sed -E -e '/^name = /d' -e "/^\[interface\]/a name = \"$name\"" -e 's/^rate_pps = .*/rate_pps = 2000/' >"$work/gw.toml"
"$actorwire" run -c "$work/gw.toml" -d 60 -s 64 --socket-dir "$work/run" \
  --wg-socket-dir /var/run/wireguard >"$work/daemon.out" 2>&1 &
daemon=$!
wait_for 30 "the gateway to run" "$actorwire" stats "$name" --socket-dir "$work/run" --json
static_peer="$(sed -nE '/^\[\[peer\]\]/,$ s/^public_key = "(.*)"/\1/p' "$work/gw.toml")"

stats() { bounded 10 "$actorwire" stats "$name" --socket-dir "$work/run" --json; }
# "<peer count> <static peer's tx_packets> <its sessions_installed>" from the control socket.
stats_summary() {
  stats | python3 -c '
import json, sys
peers = json.load(sys.stdin)["peers"]
static = [p for p in peers if p["public_key"] == sys.argv[1]]
print(len(peers), static[0]["tx_packets"] if static else -1, static[0]["sessions_installed"] if static else -1)
' "$static_peer"
}
dump_peers() { wg show "$name" dump | tail -n +2 | cut -f1,3,4 | sort; }
# Checks the peer set from both sides: `wg show dump` lists exactly these "key endpoint
# allowed-ips" lines, stats --json as many peers, and the static peer moved on unchanged.
last_tx=0
first_sessions=""
expect_peers() {
  local expected
  expected="$(printf '%s\n' "$@" | sort)"
  [[ "$(dump_peers)" == "$expected" ]] || fail "wg show dump: $(dump_peers) (expected $expected)"
  read -r count tx sessions < <(stats_summary)
  [[ "$count" -eq $# ]] || fail "stats --json lists $count peers, not $#"
  [[ "$tx" -gt "$last_tx" ]] || fail "the static peer's traffic stopped ($tx after $last_tx)"
  [[ -n "$first_sessions" ]] || first_sessions="$sessions"
  [[ "$sessions" -eq "$first_sessions" ]] ||
    fail "the static peer's session was replaced ($sessions installed, $first_sessions before)"
  last_tx="$tx"
}
static_line="$(dump_peers)"
sleep 0.5
expect_peers "$static_line"

# wg set: a new peer with allowed IPs and an endpoint, then a move of its allowed IPs.
new_key="$(wg genkey | wg pubkey)"
wg set "$name" peer "$new_key" allowed-ips 10.77.0.0/24,10.78.0.0/24 endpoint 192.0.2.77:51820 ||
  fail "wg set (add) failed"
sleep 0.5
expect_peers "$static_line" "$new_key	192.0.2.77:51820	10.77.0.0/24,10.78.0.0/24"
wg set "$name" peer "$new_key" allowed-ips 10.79.0.0/24 || fail "wg set (allowed-ips) failed"
sleep 0.5
expect_peers "$static_line" "$new_key	192.0.2.77:51820	10.79.0.0/24"
grep -q "wg set: added peer $new_key" "$work/daemon.out" || fail "no log line for wg set"
# Malformed or unsupported: an errno, nothing changed.
if wg set "$name" listen-port 4242 2>"$work/set.err"; then fail "a new listen port was taken"; fi
grep -q 'Operation not supported' "$work/set.err" || fail "wg set listen-port: $(cat "$work/set.err")"
if wg set "$name" peer "$new_key" allowed-ips 10.80.0.0/24 endpoint 192.0.2.77:0 fwmark 5 \
  2>"$work/set2.err"; then fail "fwmark was taken"; fi
sleep 0.5
expect_peers "$static_line" "$new_key	192.0.2.77:51820	10.79.0.0/24"

# wg set ... remove
wg set "$name" peer "$new_key" remove || fail "wg set remove failed"
sleep 0.5
expect_peers "$static_line"

# wg syncconf: the running config plus a peer, as wg showconf writes it.
WG_HIDE_KEYS=never wg showconf "$name" >"$work/sync.conf"
sync_key="$(wg genkey | wg pubkey)"
printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.81.0.0/24\nEndpoint = 192.0.2.81:51820\n' \
  "$sync_key" >>"$work/sync.conf"
wg syncconf "$name" "$work/sync.conf" || fail "wg syncconf failed"
sleep 0.5
expect_peers "$static_line" "$sync_key	192.0.2.81:51820	10.81.0.0/24"
# syncconf back to the file without it: removed.
WG_HIDE_KEYS=never wg showconf "$name" | sed "/PublicKey = ${sync_key//\//\\/}/,\$d" |
  sed '$d' >"$work/sync2.conf"
wg syncconf "$name" "$work/sync2.conf" || fail "wg syncconf (remove) failed"
sleep 0.5
expect_peers "$static_line"

# SIGHUP re-reads the -c file: a peer added to it.
hup_key="$(wg genkey | wg pubkey)"
cp "$work/gw.toml" "$work/gw.orig.toml"
printf '\n[[peer]]\npublic_key = "%s"\nallowed_ips = ["10.82.0.0/24"]\n' "$hup_key" >>"$work/gw.toml"
kill -HUP "$daemon"
wait_for 10 "the SIGHUP log line" grep -q "SIGHUP: added peer $hup_key" "$work/daemon.out"
expect_peers "$static_line" "$hup_key	(none)	10.82.0.0/24"

# actorwire reload with a broken file: its file:line:col error, exit 2, nothing changed.
cp "$work/gw.toml" "$work/gw.good.toml"
printf '\n[[peer]]\npublic_key = "not a key"\n' >>"$work/gw.toml"
set +e
bounded 40 "$actorwire" reload "$name" --socket-dir "$work/run" >"$work/reload.out" 2>"$work/reload.err"
status=$?
set -e
[[ $status -eq 2 ]] || fail "reload of a broken file exited $status: $(cat "$work/reload.err")"
grep -qE "gw.toml:[0-9]+:[0-9]+: peer\[[0-9]+\].public_key" "$work/reload.err" ||
  fail "reload: no file:line:col error: $(cat "$work/reload.err")"
# And SIGHUP with it: logged, nothing changed.
kill -HUP "$daemon"
wait_for 10 "the SIGHUP error" grep -qE "SIGHUP: .*gw.toml:[0-9]+:[0-9]+: peer" "$work/daemon.out"
expect_peers "$static_line" "$hup_key	(none)	10.82.0.0/24"

# A change that needs a restart: refused, naming the key and its line.
sed -E 's/^listen_port = .*/listen_port = 51999/' "$work/gw.good.toml" >"$work/gw.toml"
set +e
bounded 40 "$actorwire" reload "$name" --socket-dir "$work/run" >"$work/reload.out" 2>"$work/reload.err"
status=$?
set -e
[[ $status -eq 2 ]] || fail "reload of a new listen port exited $status"
grep -qE "gw.toml:[0-9]+:[0-9]+: interface.listen_port: changing it needs a restart" \
  "$work/reload.err" || fail "reload: $(cat "$work/reload.err")"

# actorwire reload with the original file: the SIGHUP peer goes.
cp "$work/gw.orig.toml" "$work/gw.toml"
bounded 40 "$actorwire" reload "$name" --socket-dir "$work/run" >"$work/reload.out" 2>"$work/reload.err" ||
  fail "reload exited $?: $(cat "$work/reload.err")"
grep -qx "removed peer $hup_key" "$work/reload.out" || fail "reload printed: $(cat "$work/reload.out")"
expect_peers "$static_line"

kill -TERM "$daemon"
wait "$daemon" || fail "the daemon exited $?: $(tail -5 "$work/daemon.out")"
daemon=""
echo "live_reload passed"
