#!/usr/bin/env bash
# `[interface] user` on the embedded default (net_ring ports): once up, every thread of the
# daemon runs as that user with no capability at all and no_new_privs; the control socket,
# the UAPI socket and /metrics still answer; SIGTERM still stops it cleanly. As root without
# `user`: still root, but no capability either (net_ring needs none). An unknown user is a
# config error at its key, exit 2. Needs root (else skipped, status 77).
set -euo pipefail
actorwire="$1"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=wait_for.sh
source "$here/wait_for.sh"
fail() { echo "FAIL: $*"; exit 1; }
if ((EUID != 0)); then echo "SKIP: needs root"; exit 77; fi
getent passwd nobody >/dev/null || { echo "SKIP: no user nobody"; exit 77; }
work="$(mktemp -d)"
pid=""
name="awpd$$"
name="${name:0:15}"
trap '[[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; rm -f "/var/run/wireguard/$name.sock" || true' EXIT
sockets="$work/run"
metrics_port=$((20000 + $$ % 20000))

"$actorwire" run --print-default-config >"$work/default.toml"
config() {  # config FILE USER-LINE
  sed -e "s/^\[interface\]\$/&\nname = \"$name\"\n$2/" "$work/default.toml" >"$1"
  printf '\n[metrics]\nlisten = "127.0.0.1:%s"\n' "$metrics_port" >>"$1"
  chmod 600 "$1"
}

# expect_privileges PID UID CAPS: every thread's real/effective/saved uid, CapEff and CapPrm.
expect_privileges() {
  local pid="$1" uid="$2" caps="$3" status threads=0
  for status in /proc/"$pid"/task/*/status; do
    threads=$((threads + 1))
    awk -v uid="$uid" -v caps="$caps" -v f="$status" '
      $1 == "Uid:" && ($2 != uid || $3 != uid || $4 != uid) { print f ": " $0; bad = 1 }
      ($1 == "CapEff:" || $1 == "CapPrm:" || $1 == "CapBnd:") && $2 != caps { print f ": " $0; bad = 1 }
      $1 == "NoNewPrivs:" && $2 != 1 { print f ": " $0; bad = 1 }
      END { exit bad }' "$status" || fail "thread kept privileges (uid $uid, caps $caps wanted)"
  done
  ((threads > 3)) || fail "only $threads threads: DPDK's and CAF's were expected too"
  echo "ok: $threads threads: uid $uid, CapEff/CapPrm/CapBnd $caps, NoNewPrivs 1"
}

# run_and_check USER-LINE UID: starts the daemon, checks it, stops it with SIGTERM.
run_and_check() {
  config "$work/gw.toml" "$1"
  "$actorwire" run -c "$work/gw.toml" -d 60 --socket-dir "$sockets" \
    --wg-socket-dir /var/run/wireguard >"$work/daemon.out" 2>&1 &
  pid=$!
  wait_for 30 "the privileges line" grep -q 'privileges: ' "$work/daemon.out"
  expect_privileges "$pid" "$2" 0000000000000000
  "$actorwire" stats "$name" --socket-dir "$sockets" --json >"$work/stats.json" ||
    fail "stats --json after the drop: $(cat "$work/stats.json")"
  grep -q '"actors"' "$work/stats.json" || fail "stats: $(head -c 300 "$work/stats.json")"
  "$here/uapi_get.py" "/var/run/wireguard/$name.sock" >/dev/null || fail "UAPI get=1 after the drop"
  python3 -c "import urllib.request, sys; body = urllib.request.urlopen(
    'http://127.0.0.1:$metrics_port/metrics', timeout=5).read().decode();
sys.exit(0 if 'actorwire_' in body else 1)" || fail "GET /metrics after the drop"
  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  pid=""
  ((status == 0)) || fail "exit status $status after SIGTERM: $(tail -5 "$work/daemon.out")"
}

run_and_check 'user = "nobody"' "$(id -u nobody)"
grep -q 'privileges: user nobody (uid [0-9]*), capabilities none' "$work/daemon.out" ||
  fail "start-up line: $(grep privileges "$work/daemon.out")"
run_and_check '' 0
grep -q 'privileges: root (no \[interface\] user), capabilities none' "$work/daemon.out" ||
  fail "start-up line: $(grep privileges "$work/daemon.out")"

# An unknown user: file:line:col at interface.user, exit 2, before anything starts.
config "$work/unknown.toml" 'user = "no-such-user-aw"'
set +e
"$actorwire" run -c "$work/unknown.toml" -d 1 --socket-dir "$sockets" >"$work/unknown.out" 2>&1
status=$?
set -e
((status == 2)) || fail "unknown user exited $status, expected 2: $(cat "$work/unknown.out")"
grep -qE "unknown\.toml:[0-9]+:8: interface\.user: no user 'no-such-user-aw'" "$work/unknown.out" ||
  fail "no positioned error: $(cat "$work/unknown.out")"
if grep -q 'EAL' "$work/unknown.out"; then fail "DPDK started: $(cat "$work/unknown.out")"; fi
echo PASS
