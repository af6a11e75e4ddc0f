#!/usr/bin/env bash
# The actorwire binary as a user meets it: the embedded default runs and reports traffic; a
# broken config is refused with file:line:column and exit status 2, before DPDK starts.
set -euo pipefail
actorwire="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# Every run is bounded, so a gateway that does not stop fails with its name instead of ctest's
# bare timeout: `bounded SECONDS COMMAND...` (status 124 = it did not exit in time).
bounded() {
  local seconds="$1"
  shift
  timeout --kill-after=5 "$seconds" "$@"
}

bounded 20 "$actorwire" run --print-default-config >"$work/default.toml"
grep -q '^\[interface\]' "$work/default.toml" || fail "default config has no [interface]"

# The printed default is a valid config: run it (a copy of the embedded default) for 2 s. The
# live view needs --live: stdout is a file here.
chmod 600 "$work/default.toml"
bounded 30 "$actorwire" run -c "$work/default.toml" -d 2 -s 64 -s 1420 --live >"$work/run.out" 2>&1 ||
  fail "run exited $? (124: did not stop within 30 s): $(tail -5 "$work/run.out")"
grep -q 'Mpps' "$work/run.out" || fail "no live line"
summary="$(grep '^summary' "$work/run.out")" || fail "no summary"
packets_out="$(sed -E 's/.* ([0-9]+) out,.*/\1/' <<<"$summary")"
[[ "$packets_out" -gt 1000 ]] || fail "only $packets_out packets forwarded: $summary"

# The same config with only the topology changed runs every topology.
for topology in single workers-mutex workers-spinlock pipeline; do
  bounded 30 "$actorwire" run -c "$work/default.toml" -d 1 -t "$topology" -w 2 \
    >"$work/$topology.out" 2>&1 ||
    fail "$topology exited $? (124: did not stop within 30 s): $(tail -5 "$work/$topology.out")"
  summary="$(grep '^summary' "$work/$topology.out")" || fail "$topology: no summary"
  out="$(sed -E 's/.* ([0-9]+) out,.*/\1/' <<<"$summary")"
  [[ "$out" -gt 1000 ]] || fail "$topology forwarded only $out packets: $summary"
done

# A broken config: error with position, exit 2, and no key text echoed.
sed 's/^kind = "single"/kind = "Pipeline"/' "$work/default.toml" >"$work/broken.toml"
chmod 600 "$work/broken.toml"
set +e
bounded 20 "$actorwire" run -c "$work/broken.toml" -d 1 >"$work/broken.out" 2>&1
status=$?
set -e
[[ $status -eq 2 ]] || fail "broken config exited $status, expected 2"
grep -qE 'broken\.toml:[0-9]+:[0-9]+: topology\.kind' "$work/broken.out" ||
  fail "no file:line:col error: $(cat "$work/broken.out")"
private_key="$(sed -nE 's/^private_key = "(.*)"/\1/p' "$work/default.toml")"
if grep -qF "$private_key" "$work/broken.out" "$work/run.out"; then fail "private key echoed"; fi

# `check` (like nginx -t): the valid config passes with exit 0; a config with two errors gets
# both, each with file:line:col, and exit 2; a missing file is an error too; nothing starts.
bounded 20 "$actorwire" check -c "$work/default.toml" >"$work/check.out" 2>&1 ||
  fail "check of a valid config exited $?: $(cat "$work/check.out")"
grep -q 'default\.toml: valid' "$work/check.out" || fail "check said: $(cat "$work/check.out")"
if grep -q 'EAL' "$work/check.out"; then fail "check started DPDK: $(cat "$work/check.out")"; fi
sed -e 's/^kind = "single"/kind = "Pipeline"/' -e 's/^mtu = .*/mtu = 70000/' \
  "$work/default.toml" >"$work/two-errors.toml"
chmod 600 "$work/two-errors.toml"
grep -q '^mtu = 70000' "$work/two-errors.toml" || fail "the default config has no mtu line to break"
set +e
bounded 20 "$actorwire" check -c "$work/two-errors.toml" >"$work/check2.out" 2>&1
status=$?
bounded 20 "$actorwire" check -c "$work/does-not-exist.toml" >"$work/check3.out" 2>&1
missing_status=$?
bounded 20 "$actorwire" check >"$work/check4.out" 2>&1
usage_status=$?
set -e
[[ $usage_status -eq 2 ]] || fail "check without -c exited $usage_status, expected 2"
[[ $status -eq 2 ]] || fail "check of a broken config exited $status, expected 2"
grep -qE 'two-errors\.toml:[0-9]+:[0-9]+: topology\.kind' "$work/check2.out" ||
  fail "no topology.kind error: $(cat "$work/check2.out")"
grep -qE 'two-errors\.toml:[0-9]+:[0-9]+: interface\.mtu' "$work/check2.out" ||
  fail "no interface.mtu error: $(cat "$work/check2.out")"
grep -q '2 errors, not valid' "$work/check2.out" || fail "no verdict: $(cat "$work/check2.out")"
[[ $missing_status -eq 2 ]] || fail "check of a missing file exited $missing_status, expected 2"
if grep -qF "$private_key" "$work/check.out" "$work/check2.out"; then fail "private key echoed"; fi

# `doctor`: the embedded default (ring ports, --no-huge) needs nothing this host lacks: exit 0
# with an ok line per check. The example's PCI ports do not exist here: exit 1, a problem line
# for each with its fix after "->". A config that does not load: exit 2, as `check`.
bounded 20 "$actorwire" doctor >"$work/doctor.out" 2>&1 ||
  fail "doctor on the embedded default exited $?: $(cat "$work/doctor.out")"
grep -q '^ok       hugepages: not used' "$work/doctor.out" || fail "doctor: $(cat "$work/doctor.out")"
grep -q 'no problems$' "$work/doctor.out" || fail "doctor verdict: $(cat "$work/doctor.out")"
if grep -q 'EAL' "$work/doctor.out"; then fail "doctor started DPDK: $(cat "$work/doctor.out")"; fi
example="$(dirname "$0")/../config/examples/gateway.toml"
set +e
bounded 20 "$actorwire" doctor -c "$example" >"$work/doctor-example.out" 2>&1
example_status=$?
bounded 20 "$actorwire" doctor -c "$work/two-errors.toml" >"$work/doctor-broken.out" 2>&1
broken_status=$?
set -e
[[ $broken_status -eq 2 ]] || fail "doctor on a broken config exited $broken_status, expected 2"
if [[ -e /sys/bus/pci/devices/0000:03:00.0 ]]; then
  echo "note: this host has a PCI device 0000:03:00.0; the example's doctor run is not checked"
else
  [[ $example_status -eq 1 ]] ||
    fail "doctor on the example exited $example_status, expected 1: $(cat "$work/doctor-example.out")"
  for address in 0000:03:00.0 0000:03:00.1; do
    grep -q "^problem  pci $address: no such PCI device on this host -> lspci" \
      "$work/doctor-example.out" || fail "doctor does not name $address: $(cat "$work/doctor-example.out")"
  done
  grep -qE '^actorwire doctor: .*gateway\.toml: [0-9]+ problems$' "$work/doctor-example.out" ||
    fail "doctor verdict: $(cat "$work/doctor-example.out")"
  if grep '^problem' "$work/doctor-example.out" | grep -qv ' -> '; then
    fail "a problem without its fix: $(cat "$work/doctor-example.out")"
  fi
fi

# The control socket of a running daemon: `stats --json` and `--once` read it; garbage gets an
# error answer; a second daemon of the same name fails clearly; after kill -9 the stale socket
# is taken over; a normal exit removes it. Its own socket directory: nothing else is touched.
sockets="$work/run"
# shellcheck source=tests/wait_for.sh
source "$(dirname "$0")/wait_for.sh"
# Started directly (not under `timeout`), so that kill -9 hits the daemon itself; -d 40 bounds
# it, and the exit trap kills it if the test fails first.
"$actorwire" run -c "$work/default.toml" -d 40 --socket-dir "$sockets" >"$work/daemon.out" 2>&1 &
daemon=$!
trap 'kill -9 "$daemon" 2>/dev/null || true; rm -rf "$work"' EXIT
wait_for 30 "the daemon's control socket to answer" "$actorwire" stats --socket-dir "$sockets" --json
[[ "$(stat -c %a "$sockets/aw0.sock")" == 600 ]] || fail "control socket mode $(stat -c %a "$sockets/aw0.sock")"
bounded 10 "$actorwire" stats --socket-dir "$sockets" --json >"$work/stats.json" ||
  fail "stats --json exited $?"
python3 - "$work/stats.json" <<'PY' || fail "stats --json: $(head -c 600 "$work/stats.json")"
import json, sys
stats = json.load(open(sys.argv[1]))
assert stats["version"] == 1 and stats["name"] == "aw0" and stats["topology"] == "single", stats
single = [a for a in stats["actors"] if a["name"] == "single"][0]
assert single["packets_out"] > 0 and single["mailbox"]["capacity"] > 0, single
assert len(stats["peers"]) == 1 and len(stats["peers"][0]["public_key"]) == 44, stats["peers"]
PY
bounded 10 "$actorwire" stats --socket-dir "$sockets" --once >"$work/stats.txt" ||
  fail "stats --once exited $?"
grep -qE '^\| single +busy +[0-9]+% \|' "$work/stats.txt" || fail "stats --once: $(cat "$work/stats.txt")"
grep -qE '^bottleneck: ' "$work/stats.txt" || fail "stats --once has no bottleneck line"
python3 - "$sockets/aw0.sock" <<'PY' || fail "the control socket did not refuse garbage"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"garbage\n")
answer = s.recv(4096)
assert b'"error"' in answer, answer
PY
set +e
bounded 20 "$actorwire" run -c "$work/default.toml" -d 1 --socket-dir "$sockets" \
  >"$work/second.out" 2>&1
second_status=$?
set -e
[[ $second_status -ne 0 ]] || fail "a second daemon named aw0 started"
grep -q "in use by a running actorwire named 'aw0'" "$work/second.out" ||
  fail "second daemon: $(cat "$work/second.out")"
kill -9 "$daemon"
wait "$daemon" 2>/dev/null || true
[[ -S "$sockets/aw0.sock" ]] || fail "kill -9 left no stale socket to take over"
# The next start takes the stale socket over; SIGTERM under traffic then stops it: exit 0, the
# final counters, the stop time, every mbuf back in its pool, and the socket removed.
"$actorwire" run -c "$work/default.toml" -d 40 --socket-dir "$sockets" >"$work/takeover.out" 2>&1 &
daemon=$!
wait_for 30 "the daemon that took the stale socket over to answer" \
  "$actorwire" stats --socket-dir "$sockets" --json
# It holds keys: no core dumps unless --core-dumps (RLIMIT_CORE 0 is what /proc shows of it).
grep -qE '^Max core file size +0 +0 ' "/proc/$daemon/limits" ||
  fail "the daemon may dump core: $(grep -i core "/proc/$daemon/limits")"
kill -TERM "$daemon"
set +e
wait "$daemon"
status=$?
set -e
[[ $status -eq 0 ]] || fail "SIGTERM: exit status $status: $(tail -5 "$work/takeover.out")"
grep -q '^summary' "$work/takeover.out" || fail "SIGTERM: no summary: $(tail -5 "$work/takeover.out")"
grep -qE '^stopped in [0-9.]+ ms' "$work/takeover.out" || fail "SIGTERM: no stop time"
grep -q '^mbufs in use after stop: 0$' "$work/takeover.out" ||
  fail "SIGTERM: $(grep -i mbufs "$work/takeover.out")"
[[ ! -e "$sockets/aw0.sock" ]] || fail "the socket outlived SIGTERM"
# A port whose interface does not exist: one config-style line at its device key (file:line:col),
# exit 2, before the EAL starts (no driver message).
sed 's/^device = "net_ring1"/device = "net_af_packet0,iface=aw-no-such-if"/' "$work/default.toml" \
  >"$work/no-port.toml"
chmod 600 "$work/no-port.toml"
grep -q 'iface=aw-no-such-if' "$work/no-port.toml" || fail "the default config has no net_ring1 port"
set +e
bounded 20 "$actorwire" run -c "$work/no-port.toml" -d 1 --socket-dir "$sockets" >"$work/no-port.out" 2>&1
status=$?
set -e
[[ $status -eq 2 ]] || fail "a missing port's interface: exit $status, expected 2: $(cat "$work/no-port.out")"
grep -qE "no-port\.toml:[0-9]+:10: port\[1\]\.device: 'net_af_packet0,iface=aw-no-such-if': no interface aw-no-such-if" \
  "$work/no-port.out" || fail "missing port: $(cat "$work/no-port.out")"
if grep -qE 'EAL|rte_pmd' "$work/no-port.out"; then fail "the EAL started: $(cat "$work/no-port.out")"; fi
echo "5 passed, 0 failed"
