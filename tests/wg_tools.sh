#!/usr/bin/env bash
# The wg(8) tools with actorwire: genkey/pubkey/genpsk against Debian's wg, the five wg-quick
# files imported and checked, a peer exported, and unmodified wg show / show dump / showconf
# against a running actorwire on its own instance name (its socket in /var/run/wireguard, where
# wg looks); a new listen port (wg set) is refused with "Operation not supported" and changes
# nothing (live_reload.sh tests the peer changes); garbage on the socket gets an errno answer.
# Skipped (77) without wg(8) or root.
set -euo pipefail
actorwire="$1"
data="$(dirname "$0")/data/wg_quick"
example="$(dirname "$0")/../config/examples/gateway.toml"
# shellcheck source=tests/wg_test_lib.sh
source "$(dirname "$0")/wg_test_lib.sh"
wg_test_init awwg
umask 077

# Keys: each tool's output is the other's input, and both agree byte for byte.
for _ in 1 2 3 4 5; do
  wg genkey >"$work/wg.key"
  "$actorwire" genkey >"$work/aw.key"
  for key in "$work/wg.key" "$work/aw.key"; do
    [[ "$(wc -c <"$key")" -eq 45 ]] || fail "$key is not 44 characters and a newline"
    cmp <(wg pubkey <"$key") <("$actorwire" pubkey <"$key") || fail "pubkeys differ for $key"
  done
done
"$actorwire" genpsk >"$work/psk"
[[ "$(wc -c <"$work/psk")" -eq 45 ]] || fail "genpsk: $(wc -c <"$work/psk") bytes"
# wg accepts our preshared key where it takes one (a set on a file needs no interface: pubkey
# reads any 32-byte base64).
wg pubkey <"$work/psk" >/dev/null || fail "wg does not read genpsk's output as a key"
printf 'not a key\n' | "$actorwire" pubkey 2>"$work/pubkey.err" && fail "pubkey took garbage"
printf 'not a key\n' | wg pubkey 2>"$work/wg-pubkey.err" || true
[[ "$(sed 's/^actorwire: //' "$work/pubkey.err")" == "$(sed 's/^wg: //' "$work/wg-pubkey.err")" ]] ||
  fail "pubkey error differs: $(cat "$work/pubkey.err") / $(cat "$work/wg-pubkey.err")"

# Import: every file converts; with ports the result passes `check`; without, the ports are
# commented placeholders. The junk file's host-only keys get one warning each.
for conf in "$data"/*.conf; do
  base="$(basename "$conf" .conf)"
  bounded 10 "$actorwire" import "$conf" --lan net_ring0 --wan net_ring1 >"$work/$base.toml" \
    2>"$work/$base.err" || fail "import $base exited $?: $(cat "$work/$base.err")"
  bounded 10 "$actorwire" check -c "$work/$base.toml" >/dev/null 2>"$work/$base.check" ||
    fail "the import of $base does not pass check: $(cat "$work/$base.check")"
  bounded 10 "$actorwire" import "$conf" >"$work/$base.placeholder.toml" 2>/dev/null
  grep -q '^# \[\[port\]\]' "$work/$base.placeholder.toml" || fail "$base: no port placeholder"
  # The committed TOMLs (config_wg_quick's expectations) of the files converted without options.
  case "$base" in
    typical-site | ipv6) ;;
    *) cmp -s "$work/$base.placeholder.toml" "$data/$base.toml" ||
      fail "$base: differs from the committed $base.toml" ;;
  esac
done
for key in DNS Table PreUp PostUp PreDown PostDown SaveConfig FwMark; do
  [[ "$(grep -c ": $key: a host interface setting" "$work/junk-lines.err")" -eq 1 ]] ||
    fail "junk-lines: not one warning for $key: $(cat "$work/junk-lines.err")"
done
printf '[Interface]\nPrivateKey = short\n' >"$work/bad.conf"
set +e
bounded 10 "$actorwire" import "$work/bad.conf" >"$work/bad.out" 2>"$work/bad.err"
status=$?
set -e
[[ $status -eq 2 && ! -s "$work/bad.out" ]] || fail "a bad file: exit $status, $(cat "$work/bad.out")"
grep -q 'bad.conf:2:14: PrivateKey: not a base64 key' "$work/bad.err" || fail "$(cat "$work/bad.err")"

# Export: the peer's side, no private or preshared key of ours.
bounded 10 "$actorwire" export -c "$example" --peer xTIBA5rb >"$work/peer.conf" 2>/dev/null ||
  fail "export exited $?"
grep -q '^PublicKey = HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=$' "$work/peer.conf" ||
  fail "export: $(cat "$work/peer.conf")"
if grep -qE 'yAnz5TF|/UwcSPg' "$work/peer.conf"; then fail "export printed a secret"; fi

# The UAPI socket of a running gateway: the embedded default (ring ports, a peer with a fixed
# session, the generator's traffic), renamed to this test's own instance name.
bounded 10 "$actorwire" run --print-default-config |
  sed -E -e '/^name = /d' -e "/^\[interface\]/a name = \"$name\"" -e 's/^rate_pps = .*/rate_pps = 2000/' >"$work/gw.toml"
grep -q "^name = \"$name\"" "$work/gw.toml" || fail "the default config has no name line"
"$actorwire" run -c "$work/gw.toml" -d 60 -s 64 --socket-dir "$work/run" \
  --wg-socket-dir /var/run/wireguard >"$work/daemon.out" 2>&1 &
daemon=$!
wait_for 30 "wg show $name to answer" wg show "$name"
# The sockets answer from before the gateway runs (config only); the counters and SIGTERM's
# clean stop need it running, which the control socket's stats tell.
wait_for 30 "the gateway to run" "$actorwire" stats "$name" --socket-dir "$work/run" --json
[[ "$(stat -c %a "/var/run/wireguard/$name.sock")" == 600 ]] || fail "wg socket mode"
private_key="$(sed -nE 's/^private_key = "(.*)"/\1/p' "$work/gw.toml")"
public_key="$(printf '%s\n' "$private_key" | wg pubkey)"
peer_key="$(sed -nE '/^\[\[peer\]\]/,$ s/^public_key = "(.*)"/\1/p' "$work/gw.toml")"
endpoint="$(sed -nE 's/^endpoint = "(.*)"/\1/p' "$work/gw.toml")"
allowed="$(sed -nE 's/^allowed_ips = \["(.*)"\]/\1/p' "$work/gw.toml" | sed 's/", "/,/g')"
port="$(sed -nE 's/^listen_port = ([0-9]+)/\1/p' "$work/gw.toml")"
wg show "$name" >"$work/show.txt"
for line in "interface: $name" "public key: $public_key" "private key: (hidden)" \
  "listening port: $port" "peer: $peer_key" "endpoint: $endpoint"; do
  grep -qF "$line" "$work/show.txt" || fail "wg show has no '$line': $(cat "$work/show.txt")"
done
# The dump, field by field against the config: the interface line, then the peer's.
sleep 1
wg show "$name" dump >"$work/dump.txt"
read -r d_private d_public d_port d_fwmark <"$work/dump.txt"
[[ "$d_private" == "$private_key" && "$d_public" == "$public_key" && "$d_port" == "$port" &&
  "$d_fwmark" == off ]] || fail "dump interface line: $(head -1 "$work/dump.txt")"
[[ "$(wc -l <"$work/dump.txt")" -eq 2 ]] || fail "dump: not one peer: $(cat "$work/dump.txt")"
read -r p_key p_psk p_endpoint p_allowed p_handshake p_rx p_tx p_keepalive < <(tail -1 "$work/dump.txt")
[[ "$p_key" == "$peer_key" && "$p_psk" == "(none)" && "$p_endpoint" == "$endpoint" &&
  "$p_allowed" == "$allowed" && "$p_keepalive" == off ]] ||
  fail "dump peer line: $(tail -1 "$work/dump.txt") (config: $peer_key $endpoint $allowed)"
[[ "$p_tx" -gt 0 ]] || fail "no transfer in the dump: $(tail -1 "$work/dump.txt")"
stats_tx="$("$actorwire" stats "$name" --socket-dir "$work/run" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["tx_bytes"])')"
[[ "$stats_tx" -ge "$p_tx" ]] || fail "stats tx_bytes $stats_tx < wg's $p_tx"
[[ "$p_handshake" -eq 0 ]] || fail "a fixed session has no handshake: $p_handshake"
# showconf: a config wg could set, and actorwire import reads back.
WG_HIDE_KEYS=never wg showconf "$name" >"$work/showconf.conf"
grep -qx "PrivateKey = $private_key" "$work/showconf.conf" || fail "showconf: $(cat "$work/showconf.conf")"
grep -qx "PublicKey = $peer_key" "$work/showconf.conf" || fail "showconf has no peer"
bounded 10 "$actorwire" import "$work/showconf.conf" --name "$name" --lan net_ring0 \
  --wan net_ring1 >"$work/back.toml" 2>/dev/null || fail "showconf does not import"
# A new listen port needs a restart: refused, and nothing changes.
if wg set "$name" listen-port 4242 2>"$work/set.err"; then fail "wg set succeeded"; fi
grep -q 'Operation not supported' "$work/set.err" || fail "wg set: $(cat "$work/set.err")"
[[ "$(wg show "$name" listen-port)" == "$port" ]] || fail "wg set changed the port"
python3 - "/var/run/wireguard/$name.sock" <<'PY' || fail "garbage on the wg socket"
import socket, sys
for request, expected in [(b"nonsense\n\n", b"errno=-22\n\n"), (b"get=1\nx=1\n\n", b"errno=-22\n\n"),
                          (b"\xff" * 5000, b"errno=-22\n\n")]:
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(sys.argv[1])
    s.sendall(request)
    answer = s.recv(4096)
    assert answer == expected, (request[:20], answer)
PY
wg show "$name" >/dev/null || fail "the socket stopped answering after garbage"
kill -TERM "$daemon"
wait "$daemon" || fail "the daemon exited $?: $(tail -5 "$work/daemon.out")"
daemon=""
[[ ! -e "/var/run/wireguard/$name.sock" ]] || fail "the wg socket outlived the daemon"
echo "wg_tools passed"
