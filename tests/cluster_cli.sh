#!/usr/bin/env bash
# `actorwire controller`: a broken cluster file exits 2 with file:line:col; a valid one (plain
# TCP on loopback, the test-only mode) listens, says so, and exits 0 on SIGTERM.
# Usage: tests/cluster_cli.sh path/to/actorwire
set -uo pipefail
actorwire="$1"
source "$(dirname "$0")/wait_for.sh"

work="$(mktemp -d)"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  [[ -f "$work/out" ]] && sed 's/^/  | /' "$work/out" "$work/err" >&2
  exit 1
}

identity="$("$actorwire" genkey)"
peer="$("$actorwire" genkey | "$actorwire" pubkey)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# 1. A broken file: exit 2, the problem at its line.
umask 077
printf '[interface]\nprivate_key = "%s"\n[controller]\nlisten = "127.0.0.1:%s"\n' \
  "$identity" "$port" >"$work/broken.toml"
"$actorwire" controller -c "$work/broken.toml" >"$work/out" 2>"$work/err"
status=$?
((status == 2)) || fail "broken cluster file: exit $status, expected 2"
grep -q "broken.toml:3:1: controller: missing \[controller.tls\]" "$work/err" ||
  fail "broken cluster file: no file:line:col error for the missing TLS"
grep -qF "$identity" "$work/out" "$work/err" && fail "the private key was printed"

# 2. A valid file: listens, then SIGTERM -> exit 0.
cat >"$work/cluster.toml" <<TOML
[interface]
private_key = "$identity"
[controller]
listen = "127.0.0.1:$port"
plain_tcp_for_tests = true
[[peer]]
public_key = "$peer"
allowed_ips = ["10.1.0.0/16"]
TOML
"$actorwire" controller -c "$work/cluster.toml" >"$work/out" 2>"$work/err" &
pid=$!
wait_for 20 "the controller's listening line" grep -q "controller listening on 127.0.0.1:$port (plain TCP, tests only), 1 peer(s), policy rendezvous" "$work/out"
wait_for 5 "something listening on 127.0.0.1:$port" \
  bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
kill -TERM "$pid"
wait_for 10 "the controller to exit after SIGTERM" bash -c "! kill -0 $pid"
wait "$pid"
status=$?
pid=""
((status == 0)) || fail "controller exit status $status after SIGTERM, expected 0"
grep -q "stopping on SIGTERM" "$work/err" || fail "no 'stopping on SIGTERM' line"
grep -qF "$identity" "$work/out" "$work/err" && fail "the private key was printed"
echo "cluster_cli: all passed"
