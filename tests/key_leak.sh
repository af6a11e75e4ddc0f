#!/usr/bin/env bash
# One full life of the daemon, then a search for its keys in everything it printed or served.
# actorwire (af_packet ports in network namespaces, `[interface] user = "nobody"`) and an
# unmodified wireguard-go peer with a preshared key: handshake, a rekey (the peer restarts and
# initiates again), `stats --json`, GET /metrics, a SIGUSR1 summary, the UAPI's get=1 and
# `wg show`, SIGTERM. Then the private key, the PSK and every session key (the daemon's test key
# log, ACTORWIRE_TEST_KEY_LOG, which Release builds do not have) are searched for in base64
# and hex in all of it, and in any core file: no hits.
#
# The UAPI's get=1 reply carries private_key and preshared_key by design (WireGuard's protocol;
# wireguard-go does the same, and `wg showconf` needs them): that reply is searched for the
# session keys only, and its socket must be root's alone (0600). What people see of it, `wg
# show`, must hold no key but public ones.
#
# Also checked while it runs: every thread of the daemon is uid nobody with no capability at
# all (af_packet ports need none once open), and stats, /metrics and the UAPI still answer.
# Needs root, wireguard-go, wg, curl, python3 (else skipped, status 77).
set -uo pipefail
actorwire="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
if ((EUID != 0)); then echo "SKIP: needs root"; exit 77; fi
for tool in wireguard-go wg curl python3 ip ping; do
  command -v "$tool" >/dev/null || { echo "SKIP: no $tool"; exit 77; }
done
getent passwd nobody >/dev/null || { echo "SKIP: no user nobody"; exit 77; }

AWT_SUFFIX="kl$$"
AWT_SUFFIX="${AWT_SUFFIX:0:10}"
# shellcheck source=interop/netns-lib.sh
source "$here/interop/netns-lib.sh"
awt_init || exit 1
work="$AWT_WORK"
fail() {
  echo "FAIL: $*"
  exit 1
}
name="awk${AWT_SUFFIX}"
name="${name:0:15}"
sockets="$work/sock"
mkdir -m 700 "$sockets"
out="$work/out"  # everything the daemon printed or served goes here
mkdir -m 700 "$out"
# wg(8) finds sockets only in /var/run/wireguard; the name is this run's own.
uapi_socket="/var/run/wireguard/$name.sock"
trap 'cleanup; rm -f "$uapi_socket"' EXIT

setup_namespaces actorwire || fail "namespaces"
generate_keys
(umask 077 && wg genpsk >"$work/keys/psk")
# P with the PSK (start_peer_wireguard_go, then the PSK on its peer).
start_peer_wireguard_go || fail "wireguard-go on P"
in_ns P wg set "$WG_P" peer "$KEY_G_PUB" preshared-key "$work/keys/psk" || fail "P's PSK"

metrics_port=9586
# netns-lib's config (af_packet on lan/wan, the peer P), plus this run's name, the user to drop
# to, P's PSK and /metrics (on G's loopback).
config="$(write_actorwire_config)"
sed -i -e "s/^\[interface\]\$/&\nname = \"$name\"\nuser = \"nobody\"/" \
  -e "s|^public_key = \"$KEY_P_PUB\"\$|&\npreshared_key = \"$(cat "$work/keys/psk")\"|" "$config"
printf '\n[metrics]\nlisten = "127.0.0.1:%s"\n' "$metrics_port" >>"$config"
grep -q '^preshared_key' "$config" || fail "no PSK in the config"
keylog="$work/session-keys"
started_at="$(date +%s)"
cd "$work" || fail "cd"
ACTORWIRE_TEST_KEY_LOG="$keylog" ip netns exec "$NS_G" "$actorwire" run -c "$config" \
  --socket-dir "$sockets" --wg-socket-dir /var/run/wireguard --live >"$out/daemon.log" 2>&1 &
AWT_PIDS[g]=$!
pid=${AWT_PIDS[g]}
for ((i = 0; i < 100; i++)); do
  grep -q 'privileges: ' "$out/daemon.log" && break
  kill -0 "$pid" 2>/dev/null || fail "actorwire exited during start: $(tail -5 "$out/daemon.log")"
  sleep 0.1
done
grep -q 'privileges: user nobody' "$out/daemon.log" ||
  fail "no privilege drop within 10 s: $(tail -5 "$out/daemon.log")"

# Every thread: uid nobody, no capability (CapEff, CapPrm), no_new_privs.
nobody_uid="$(id -u nobody)"
threads=0
for status in /proc/"$pid"/task/*/status; do
  threads=$((threads + 1))
  awk -v uid="$nobody_uid" -v f="$status" '
    $1 == "Uid:" && ($2 != uid || $3 != uid || $4 != uid) { print f ": " $0; bad = 1 }
    ($1 == "CapEff:" || $1 == "CapPrm:") && $2 != "0000000000000000" { print f ": " $0; bad = 1 }
    $1 == "NoNewPrivs:" && $2 != 1 { print f ": " $0; bad = 1 }
    END { exit bad }' "$status" || fail "a thread kept privileges"
done
((threads > 1)) || fail "only $threads thread(s) seen"
echo "ok: $threads threads run as nobody with CapEff/CapPrm 0000000000000000"
[[ "$(stat -c '%U %a' "$sockets/$name.sock")" == "root 600" ]] ||
  fail "control socket: $(stat -c '%U %a' "$sockets/$name.sock")"
[[ "$(stat -c '%U %a' "$uapi_socket")" == "root 600" ]] ||
  fail "UAPI socket: $(stat -c '%U %a' "$uapi_socket")"

# Handshake (A pings B: actorwire initiates), then a rekey: P restarts without its session and
# initiates at B's first packet; actorwire replaces its keypair.
ping_until() {
  local deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    in_ns A ping -n -c 1 -W 1 "$AWT_IP_B" >/dev/null 2>&1 && return 0
  done
  return 1
}
ping_until 15 || fail "no ping A -> B through the tunnel within 15 s"
restart_peer || fail "restarting wireguard-go on P"
in_ns P wg set "$WG_P" peer "$KEY_G_PUB" preshared-key "$work/keys/psk" || fail "P's PSK again"
deadline=$((SECONDS + 15))
until in_ns B ping -n -c 1 -W 1 "$AWT_IP_A" >/dev/null 2>&1 && (($(wc -l <"$keylog") >= 2)); do
  ((SECONDS < deadline)) || fail "no second session within 15 s ($(wc -l <"$keylog") in the key log)"
done
echo "ok: $(wc -l <"$keylog") sessions (handshake and rekey)"

# What the daemon serves, after the drop.
"$actorwire" stats "$name" --socket-dir "$sockets" --json >"$out/stats.json" 2>&1 ||
  fail "stats --json: $(cat "$out/stats.json")"
grep -q '"peers"' "$out/stats.json" || fail "stats without peers: $(head -c 300 "$out/stats.json")"
in_ns G curl -sf "http://127.0.0.1:$metrics_port/metrics" >"$out/metrics.txt" ||
  fail "GET /metrics"
grep -q '^actorwire_' "$out/metrics.txt" || fail "no actorwire_ metric"
"$here/uapi_get.py" "$uapi_socket" >"$work/uapi-get.txt" || fail "UAPI get=1"
grep -q '^errno=0$' "$work/uapi-get.txt" || fail "UAPI reply: $(tail -2 "$work/uapi-get.txt")"
wg show "$name" >"$out/wg-show.txt" 2>&1 ||
  fail "wg show: $(cat "$out/wg-show.txt")"
before=$(grep -c '^summary after' "$out/daemon.log")
kill -USR1 "$pid"
deadline=$((SECONDS + 5))
until (($(grep -c '^summary after' "$out/daemon.log") > before)); do
  ((SECONDS < deadline)) || fail "no SIGUSR1 summary within 5 s"
  sleep 0.1
done
sleep 1.2  # the summary's peer lines follow with the next live line

# Shutdown.
kill -TERM "$pid"
deadline=$((SECONDS + 10))
while kill -0 "$pid" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "actorwire did not exit within 10 s of SIGTERM"
  sleep 0.1
done
wait "$pid"
status=$?
unset "AWT_PIDS[g]"
rm -rf "/var/run/dpdk/actorwire$pid"  # DPDK's runtime files: nobody cannot remove root's
((status == 0)) || fail "exit status $status: $(tail -5 "$out/daemon.log")"
grep -q 'stopping on SIGTERM' "$out/daemon.log" || fail "no orderly stop"

# Core files since the start (there should be none: the daemon is not dumpable).
while IFS= read -r core; do cp "$core" "$out/" && echo "note: core file $core"; done < <(
  find "$work" /var/lib/systemd/coredump -maxdepth 1 -name 'core*' -newermt "@$started_at" \
    2>/dev/null)

# The needles: each key in base64 and in hex (lower and upper case).
needles="$work/needles"
python3 - "$work/keys/g.key" "$work/keys/psk" "$keylog" >"$needles" <<'EOF'
import base64, sys
keys = []
for path in sys.argv[1:3]:
    keys.append(base64.b64decode(open(path).read().strip()))
for line in open(sys.argv[3]):
    _, send, receive = line.split()
    keys += [bytes.fromhex(send), bytes.fromhex(receive)]
for key in keys:
    assert len(key) == 32
    print(base64.b64encode(key).decode())
    print(key.hex())
    print(key.hex().upper())
EOF
sessions=$(($(wc -l <"$needles") / 3 - 2))
((sessions >= 4)) || fail "only $sessions session keys to look for"
hits="$(grep -rlaF -f "$needles" "$out" || true)"
[[ -z "$hits" ]] || fail "key material found in: $hits"
# The UAPI reply: private_key and preshared_key by design, no session key.
tail -n +7 "$needles" >"$work/session-needles"
if grep -qaF -f "$work/session-needles" "$work/uapi-get.txt"; then fail "session key in get=1"; fi
grep -q '^private_key=' "$work/uapi-get.txt" || fail "get=1 without private_key (the protocol has it)"
echo "ok: $(wc -l <"$needles") needles (private key, PSK, $sessions session keys; base64 and hex)" \
  "in $(find "$out" -type f | wc -l) files, $(du -sk "$out" | cut -f1) KiB: no hits"
echo "PASS"
