#!/usr/bin/env bash
# End-to-end interop test: host A - gateway G - [WireGuard] - peer P (wireguard-go) - host B,
# in network namespaces (see netns-lib.sh). Needs root; creates and removes everything itself.
#
# Usage: tests/interop/interop.sh MODE [ACTORWIRE_BIN]
#   MODE wggo       G is wireguard-go: the reference run, must pass.
#   MODE actorwire  G is actorwire (default binary: $AWT_ACTORWIRE_BIN, else build/release,
#                   else build/test) on DPDK af_packet ports bound to G's veths
#                   (AWT_LAN_PMD=pcap: the LAN port through the pcap PMD).
# Every step prints PASS/FAIL with a reason; the exit status is 0 only when all passed
# (2: the namespaces could not be set up). AWT_KEEP_LOGS=DIR keeps the logs.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=SCRIPTDIR/netns-lib.sh
source "$here/netns-lib.sh"

mode="${1:-}"
case "$mode" in
  wggo) ;;
  actorwire)
    if [[ -n "${2:-}" ]]; then
      AWT_ACTORWIRE_BIN="$2"
    elif [[ -z "${AWT_ACTORWIRE_BIN:-}" ]]; then
      AWT_ACTORWIRE_BIN="$repo/build/release/apps/actorwire"
      [[ -x "$AWT_ACTORWIRE_BIN" ]] || AWT_ACTORWIRE_BIN="$repo/build/test/apps/actorwire"
    fi
    export AWT_ACTORWIRE_BIN
    ;;
  *)
    sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 2
    ;;
esac

require_tools || exit 2

started=$SECONDS
awt_init || exit 2
failures=()
passes=0
STEP=""

step() { STEP="$1"; echo "-- $STEP"; }
pass() { echo "PASS $STEP: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL $STEP: $*"; failures+=("${STEP%% *}"); }  # the id, "(a)"

# ping_check FROM DEST [ping args...]: runs ping in FROM; on return $ping_summary holds the
# "x packets transmitted, y received" line for the reason.
ping_summary=""
ping_check() {
  local from="$1" dest="$2" out status
  shift 2
  # In the background and `wait`ed for: bash runs the INT/TERM trap only after a foreground
  # command ends, but interrupts `wait` at once.
  in_ns "$from" ping -n "$@" "$dest" >"$AWT_WORK/logs/ping.out" 2>&1 &
  wait $!
  status=$?
  out="$(cat "$AWT_WORK/logs/ping.out")"
  ping_summary="$(grep -m1 'packets transmitted' <<<"$out")"
  [[ -n "$ping_summary" ]] || ping_summary="$(tail -n 1 <<<"$out")"
  return $status
}

echo "== interop $mode (namespaces awt-$AWT_SUFFIX-{a,g,p,b})"
[[ "$mode" == actorwire ]] && echo "   actorwire binary: $AWT_ACTORWIRE_BIN"
if ! setup_namespaces "$mode"; then
  echo "FAIL setup: could not create the namespaces and links"
  exit 2
fi

# ---------------------------------------------------------------------------------------------
step "(0) gateway up and answering ARP on both ports"
start_peer_wireguard_go || fail "wireguard-go on P did not start"
start_gateway "$mode" || fail "gateway did not start"
if gateway_alive; then
  # Any IPv4 packet to 10.10.0.1 makes A resolve it; the ping itself may go unanswered.
  in_ns A ping -n -c 1 -W 1 "$AWT_IP_G_LAN" >/dev/null 2>&1 && lan_echo="answered" ||
    lan_echo="not answered"
  in_ns P ping -n -c 1 -W 1 "$AWT_IP_G_WAN" >/dev/null 2>&1 && wan_echo="answered" ||
    wan_echo="not answered"
  lan_mac="$(neighbour_mac A vethA "$AWT_IP_G_LAN")"
  wan_mac="$(neighbour_mac P wanp "$AWT_IP_G_WAN")"
  lan_dev_mac="$(ip -n "$NS_G" -br link show lan | awk '{ print $3 }')"
  wan_dev_mac="$(ip -n "$NS_G" -br link show wan | awk '{ print $3 }')"
  detail="A resolved $AWT_IP_G_LAN to ${lan_mac:-nothing} (lan is $lan_dev_mac), P resolved"
  detail+=" $AWT_IP_G_WAN to ${wan_mac:-nothing} (wan is $wan_dev_mac); echo: lan $lan_echo,"
  detail+=" wan $wan_echo"
  if [[ -n "$lan_mac" && -n "$wan_mac" ]] && gateway_alive; then
    pass "$detail"
  else
    fail "$detail"
  fi
else
  fail "gateway process not running"
fi

# ---------------------------------------------------------------------------------------------
step "(a) handshake initiated by P: ping B -> A"
t0=$(date +%s)
if ping_check B "$AWT_IP_A" -c 3 -W 2; then
  if wait_for_handshake "$WG_P" 5 $((t0 - 1)); then
    pass "$ping_summary; P handshake at $(latest_handshake "$WG_P")"
  else
    fail "ping ok ($ping_summary) but no handshake on P"
  fi
else
  fail "ping B -> A: $ping_summary; P latest handshake $(latest_handshake "$WG_P")"
fi

# ---------------------------------------------------------------------------------------------
step "(b) ping A -> B"
if ping_check A "$AWT_IP_B" -c 3 -W 2; then
  pass "$ping_summary"
else
  fail "ping A -> B: $ping_summary"
fi

# ---------------------------------------------------------------------------------------------
step "(c) iperf3 TCP 10 s A -> B"
c_mbps=""
if iperf_tcp A "$AWT_IP_B" 10 >/dev/null; then
  c_mbps="$AWT_IPERF_MBPS"
  pass "$AWT_IPERF_MBPS Mbit/s received, $(iperf_retransmits) retransmissions"
else
  fail "iperf3 A -> B failed"
fi

# ---------------------------------------------------------------------------------------------
step "(d) wg show on P: recent handshake, traffic counted"
now=$(date +%s)
hs=$(latest_handshake "$WG_P")
read -r rx tx <<<"$(peer_transfer "$WG_P")"
age=$((now - hs))
if ((hs > 0 && age <= 180 && rx > 0 && tx > 0)); then
  pass "latest handshake ${age} s ago, rx $rx B, tx $tx B"
else
  fail "latest handshake $( ((hs)) && echo "${age} s ago" || echo never), rx ${rx:-?} B, tx ${tx:-?} B"
fi

# ---------------------------------------------------------------------------------------------
# P and G have run since (0) without a restart, so their byte counters for each other must
# tell the same story. What each side counts, in WireGuard message bytes (UDP payload):
#   wireguard-go (P; G in mode wggo): tx = every message sent to the peer: handshake
#     initiations (148 B) and responses (92 B), transport messages, keepalives (32 B); rx = the
#     handshake messages it accepted + the transport messages that decrypted and passed the
#     replay window (receive.go adds len(plaintext) + 32, i.e. the message size).
#   actorwire: rx/tx = transport messages incl. keepalives, accepted/sent by the data plane;
#     handshake messages only show in the control actor's row (handshake packets_in/out).
# Datagrams lost on the way (L: the receiving kernel's UDP InErrors, in practice P's socket
# buffer overflowing under iperf3, plus veth drops) are in the sender's tx only; each is
# >= 32 B (keepalive) and <= 1452 B (MTU 1420 + 32). Hence, with 32 L <= lost bytes <= 1452 L:
#   wggo:      P.tx - G.rx = lost bytes P->G;     G.tx - P.rx = lost bytes G->P
#   actorwire: P initiated every handshake of this window and G only answered, so
#              P.tx - G.rx - 148 hs_in = lost bytes P->G;  G.tx + 92 hs_out - P.rx = lost G->P
# (hs_in/hs_out: actorwire's handshake packets_in/packets_out). Frames lost in actorwire's own
# receive ring are not reported by actorwire (nor by the kernel), so they would show up as a
# mismatch P->G.
lost_p_g=0 lost_g_p=0
snap_p_rx="" snap_p_tx="" snap_g_rx="" snap_g_tx="" snap_hs_in=0 snap_hs_out=0
snap_summary="$AWT_WORK/logs/summary-transfer.txt"
# transfer_snapshot: P's counters are read before and after G's, with pauses longer than any
# datagram's way; retried until P's did not move (nothing was on the wire while G's were read).
transfer_snapshot() {
  local attempt p1 p2 g peer
  for ((attempt = 0; attempt < 3; attempt++)); do
    p1="$(peer_transfer "$WG_P")"
    sleep 0.3
    if [[ "$mode" == actorwire ]]; then
      actorwire_summary "$snap_summary" || return 1
      peer="$(summary_peer "$snap_summary" "$KEY_P_PUB")" || return 1
      read -r _ snap_g_rx _ snap_g_tx _ <<<"$peer"
      read -r snap_hs_in snap_hs_out _ <<<"$(summary_actor "$snap_summary" handshake)"
    else
      g="$(peer_transfer "$WG_G")"
      read -r snap_g_rx snap_g_tx <<<"$g"
      sleep 0.3
    fi
    p2="$(peer_transfer "$WG_P")"
    read -r snap_p_rx snap_p_tx <<<"$p2"
    [[ "$p1" == "$p2" ]] && break
  done
  lost_g_p=$(($(udp_in_errors P) + $(link_counter G wan tx_dropped) +
    $(link_counter P wanp rx_dropped)))
  lost_p_g=$(($(udp_in_errors G) + $(link_counter P wanp tx_dropped) +
    $(link_counter G wan rx_dropped)))
  [[ "$p1" == "$p2" ]] || awt_log "P's counters kept moving; comparing anyway"
}
# lost_bytes_ok BYTES DATAGRAMS: 32 * DATAGRAMS <= BYTES <= 1452 * DATAGRAMS.
lost_bytes_ok() { (($1 >= 32 * $2 && $1 <= 1452 * $2)); }
# lost_term SIGN BYTES DATAGRAMS: " SIGN BYTES lost (DATAGRAMS datagrams)", empty when none.
lost_term() {
  (($2 == 0 && $3 == 0)) && return
  printf ' %s %s lost (%s datagrams%s)' "$1" "$2" "$3" "$( (($3 > 0 && $2 == 1452 * $3)) &&
    echo ' x 1452 B')"
}

step "(d2) transfer counters: P's wg show against G's"
if ! transfer_snapshot; then
  fail "could not read G's counters (actorwire summary on SIGUSR1)"
else
  if [[ "$mode" == actorwire ]]; then
    lost_pg_bytes=$((snap_p_tx - snap_g_rx - 148 * snap_hs_in))
    lost_gp_bytes=$((snap_g_tx + 92 * snap_hs_out - snap_p_rx))
    detail="P.tx $snap_p_tx = G.rx $snap_g_rx + 148 x $snap_hs_in initiation(s)"
    detail+="$(lost_term + "$lost_pg_bytes" "$lost_p_g")"
    detail+="; P.rx $snap_p_rx = G.tx $snap_g_tx + 92 x $snap_hs_out response(s)"
    detail+="$(lost_term - "$lost_gp_bytes" "$lost_g_p")"
  else
    lost_pg_bytes=$((snap_p_tx - snap_g_rx))
    lost_gp_bytes=$((snap_g_tx - snap_p_rx))
    detail="P.tx $snap_p_tx = G.rx $snap_g_rx$(lost_term + "$lost_pg_bytes" "$lost_p_g")"
    detail+="; P.rx $snap_p_rx = G.tx $snap_g_tx$(lost_term - "$lost_gp_bytes" "$lost_g_p")"
  fi
  if lost_bytes_ok "$lost_pg_bytes" "$lost_p_g" && lost_bytes_ok "$lost_gp_bytes" "$lost_g_p"; then
    pass "$detail"
  else
    detail+="; NOT within 32..1452 B per lost datagram"
    [[ "$mode" == actorwire ]] &&
      detail+=" (G: $(grep -E '^(single|handshake) |^    drop' "$snap_summary" | tr -s ' ' |
        paste -sd ';'))"
    fail "$detail"
  fi
fi

# ---------------------------------------------------------------------------------------------
step "(e) P restarts (same key and config): new handshake, ping B -> A"
t0=$(date +%s)
if ! restart_peer; then
  fail "could not restart wireguard-go on P"
elif ping_check B "$AWT_IP_A" -c 3 -W 2 && wait_for_handshake "$WG_P" 5 $((t0 - 1)); then
  pass "$ping_summary; new handshake at $(latest_handshake "$WG_P")"
else
  fail "after restart: $ping_summary; P latest handshake $(latest_handshake "$WG_P")"
fi

# ---------------------------------------------------------------------------------------------
# P without G's endpoint cannot initiate; G restarts too, so it has no session and must
# initiate on the first packet from A. P then knows G's endpoint only from G's initiation.
step "(f) handshake initiated by G: fresh G, P without endpoint, ping A -> B"
failures_before=${#failures[@]}
t0=$(date +%s)
if ! restart_peer --no-endpoint; then
  fail "could not restart wireguard-go on P"
elif ! restart_gateway "$mode"; then
  fail "could not restart the gateway"
elif ping_check A "$AWT_IP_B" -c 3 -W 2 && wait_for_handshake "$WG_P" 5 $((t0 - 1)); then
  learned="$(peer_endpoint "$WG_P")"
  if [[ "$learned" == "$AWT_IP_G_WAN:$AWT_WG_PORT" ]]; then
    pass "$ping_summary; P learned G's endpoint $learned from G's initiation"
  else
    fail "$ping_summary but P's endpoint for G is '$learned'"
  fi
else
  fail "$ping_summary; P latest handshake $(latest_handshake "$WG_P"), endpoint $(peer_endpoint "$WG_P")"
fi
f_passed=$((${#failures[@]} == failures_before))

# ---------------------------------------------------------------------------------------------
# G keeps its session while P restarts (without endpoint) and forgets it: G's packets go
# unanswered until its timer (KEEPALIVE_TIMEOUT 10 s + REKEY_TIMEOUT 5 s) starts a new
# handshake. Only P's restart is the trigger; nothing on G is touched.
step "(g) G re-initiates when P lost the session (timer, ~15 s)"
if ((!f_passed)); then
  echo "SKIP $STEP: needs (f)"
  failures+=("${STEP%% *}")
else
  t0=$(date +%s)
  if ! restart_peer --no-endpoint; then
    fail "could not restart wireguard-go on P"
  else
    t_start=$SECONDS
    if ping_check A "$AWT_IP_B" -c 1 -i 1 -w 30 && wait_for_handshake "$WG_P" 5 $((t0 - 1)); then
      pass "first reply after $((SECONDS - t_start)) s; $ping_summary"
    else
      fail "no reply within 30 s: $ping_summary; P latest handshake $(latest_handshake "$WG_P")"
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------
# Replays and garbage at G's WireGuard port, sent from P's namespace by wire-attack.py. A fresh
# P sends a new initiation and transport messages (ping B -> A), captured on wanp; afterwards
# they are replayed unchanged (same MACs, addresses and ports) at G, followed by malformed
# datagrams from another port. The tunnel must keep working and P's handshake must stay the
# one of the capture. actorwire must count every attack datagram as a drop, exactly:
#   replayed transport messages      data/replayed (they decrypt; the counter was seen)
#   replayed initiation              handshake/handshake_replayed (timestamp not newer; > 20 ms
#                                    after the original, so not handshake_flood)
#   garbage, 11 datagrams            data/bad_message 4: empty, type 9, type 4 of 16 B,
#                                      1400 B of type 5..255 (no WireGuard type)
#                                    data/unknown_index 1: type 4 of 64 random B
#                                    handshake/bad_message 3: 1 byte (0x01), type 1 of 100 B,
#                                      type 1 with non-zero reserved bytes
#                                    handshake/bad_mac1 2: random type 1 (148 B), type 2 (92 B)
#                                    handshake/unexpected_cookie_reply 1: random type 3
#                                      (64 B), a cookie reply for no request
# Nothing else may be dropped meanwhile, the handshake actor must see each handshake-type
# datagram (packets_in), answer none (packets_out) and install no session.
h_expected_garbage="data/bad_message=4 data/unknown_index=1 handshake/bad_message=3"
h_expected_garbage+=" handshake/bad_mac1=2 handshake/unexpected_cookie_reply=1"
h_garbage_total=$(tr ' =' '\n ' <<<"$h_expected_garbage" | awk '{ n += $2 } END { print n }')
h_garbage_handshake_type=6  # of the 11: type 1/2/3 first byte, i.e. for the handshake actor
h_transports=3
step "(h) replayed initiation and transport messages, garbage at G's port: tunnel unharmed"
h_pcap="$AWT_WORK/logs/h-capture.pcap"
h_ready="$AWT_WORK/h-capture.ready"
attack=(python3 "$here/wire-attack.py")
failures_before=${#failures[@]}
in_ns P "${attack[@]}" capture --iface wanp --dst "$AWT_IP_G_WAN:$AWT_WG_PORT" --out "$h_pcap" \
  --initiations 1 --transports "$h_transports" --timeout 15 --ready "$h_ready" \
  >"$AWT_WORK/logs/h-capture.log" 2>&1 &
AWT_PIDS[capture]=$!
for ((i = 0; i < 50; i++)); do
  [[ -e "$h_ready" ]] || ! kill -0 "${AWT_PIDS[capture]}" 2>/dev/null && break
  sleep 0.1
done
t0=$(date +%s)
if [[ ! -e "$h_ready" ]]; then
  fail "capture did not start: $(tail -n 1 "$AWT_WORK/logs/h-capture.log")"
elif ! restart_peer; then
  fail "could not restart wireguard-go on P"
elif ! ping_check B "$AWT_IP_A" -c "$h_transports" -i 0.2 -W 2 ||
  ! wait_for_handshake "$WG_P" 5 $((t0 - 1)); then
  fail "fresh P: $ping_summary; P latest handshake $(latest_handshake "$WG_P")"
fi
# The capture ends by itself once it has 1 initiation and 3 transport messages.
for ((i = 0; i < 30; i++)); do
  kill -0 "${AWT_PIDS[capture]}" 2>/dev/null || break
  sleep 0.1
done
_stop_pid capture TERM 20
h_capture="$(grep -m1 '^capture:' "$AWT_WORK/logs/h-capture.log")"
if ((${#failures[@]} == failures_before)) &&
  [[ "$h_capture" != "capture: initiation=1 transport=$h_transports "* ]]; then
  fail "capture incomplete: ${h_capture:-$(tail -n 1 "$AWT_WORK/logs/h-capture.log")}"
fi
if ((${#failures[@]} == failures_before)); then
  hs_ref=$(latest_handshake "$WG_P")
  h_before="$AWT_WORK/logs/summary-h-before.txt"
  h_after="$AWT_WORK/logs/summary-h-after.txt"
  [[ "$mode" == actorwire ]] && { actorwire_summary "$h_before" || : >"$h_before"; }
  h_replay="$(in_ns P "${attack[@]}" replay --iface wanp --in "$h_pcap" 2>&1)"
  h_garbage="$(in_ns P "${attack[@]}" garbage --dst "$AWT_IP_G_WAN:$AWT_WG_PORT" 2>&1)"
  printf '%s\n' "$h_replay" "$h_garbage" >"$AWT_WORK/logs/h-attack.log"
  h_garbage_sent=$(grep -c '^garbage: [a-z0-9-]* [0-9]*$' <<<"$h_garbage")
  h_replayed_init=$(sed -n 's/^replay: initiation=\([0-9]*\).*/\1/p' <<<"$h_replay")
  h_replayed_transport=$(sed -n 's/^replay: .*transport=\([0-9]*\).*/\1/p' <<<"$h_replay")
  attacks="replayed ${h_replayed_init:-?} initiation(s) + ${h_replayed_transport:-?} transport"
  attacks+=" messages, $h_garbage_sent garbage datagrams"
  if [[ "$h_replayed_init" != 1 || "$h_replayed_transport" != "$h_transports" ||
    "$h_garbage_sent" != "$h_garbage_total" ]]; then
    fail "attack tool: $attacks ($(tail -n 1 <<<"$h_replay"); $(tail -n 1 <<<"$h_garbage"))"
  elif ! ping_check B "$AWT_IP_A" -c 3 -i 0.2 -W 2; then
    fail "after the attacks ($attacks): ping B -> A: $ping_summary"
  elif ! ping_check A "$AWT_IP_B" -c 3 -i 0.2 -W 2; then
    fail "after the attacks ($attacks): ping A -> B: $ping_summary"
  elif (($(latest_handshake "$WG_P") != hs_ref)); then
    fail "after the attacks ($attacks): P's latest handshake moved from $hs_ref to" \
      "$(latest_handshake "$WG_P")"
  elif [[ "$mode" != actorwire ]]; then
    # Not asserted (log text of one wireguard-go version): did the replay reach G at all?
    replays_logged="$(grep -c 'handshake replay' "$AWT_WORK/logs/wireguard-go-g.log")"
    pass "$attacks; pings both ways fine, P's handshake unchanged (G's log:" \
      "$replays_logged handshake replay)"
  elif ! actorwire_summary "$h_after" || [[ ! -s "$h_before" ]]; then
    fail "$attacks; tunnel fine, but no actorwire summary to count the drops"
  else
    # Per-reason drop growth against the expectation; every other reason must stay put.
    expected="data/replayed=$h_replayed_transport handshake/handshake_replayed=$h_replayed_init"
    expected+=" $h_expected_garbage"
    problems="$(awk -v expected="$expected" '
        FILENAME == ARGV[1] { before[$1] = $2; next }
        { after[$1] = $2 }
        END {
          n = split(expected, e, " ")
          for (i = 1; i <= n; i++) { split(e[i], kv, "="); want[kv[1]] = kv[2] }
          for (k in after) seen[k] = 1
          for (k in before) seen[k] = 1
          for (k in want) seen[k] = 1
          for (k in seen) {
            d = after[k] - before[k]
            if (d != want[k] + 0) printf "%s +%d (expected +%d); ", k, d, want[k] + 0
          }
        }' <(summary_drops "$h_before") <(summary_drops "$h_after"))"
    read -r hs_in0 hs_out0 _ <<<"$(summary_actor "$h_before" handshake)"
    read -r hs_in1 hs_out1 _ <<<"$(summary_actor "$h_after" handshake)"
    sessions0="$(summary_peer "$h_before" "$KEY_P_PUB" | awk '{ print $7 }')"
    sessions1="$(summary_peer "$h_after" "$KEY_P_PUB" | awk '{ print $7 }')"
    want_hs_in=$((h_garbage_handshake_type + h_replayed_init))
    (((hs_in1 - hs_in0) != want_hs_in)) &&
      problems+="handshake packets_in +$((hs_in1 - hs_in0)) (expected +$want_hs_in); "
    ((hs_out1 != hs_out0)) &&
      problems+="handshake packets_out +$((hs_out1 - hs_out0)) (answered an attack); "
    [[ "${sessions0:-x}" != "${sessions1:-y}" ]] &&
      problems+="sessions ${sessions0:-?} -> ${sessions1:-?}; "
    counted="replayed +$h_replayed_transport, handshake_replayed +$h_replayed_init, garbage:"
    counted+=" ${h_expected_garbage//=/ +}"
    if [[ -z "$problems" ]]; then
      pass "$attacks; pings both ways fine, P's handshake unchanged; G dropped exactly:" \
        "$counted"
    else
      fail "$attacks; tunnel fine, but G's drop counters: ${problems%; }"
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------
# The gateway as a router (issue 11): its own addresses answer pings, from either site and
# through the tunnel; packets above the tunnel MTU are fragmented (DF clear) or answered with
# ICMP "fragmentation needed" (DF set); TCP between hosts with 1500-byte MTUs works, with MSS
# clamping and without it (path-MTU discovery). actorwire's router counters must show it.
# router_snapshot FILE: actorwire's summary into FILE (empty file for wireguard-go).
router_snapshot() {
  if [[ "$mode" == actorwire ]]; then actorwire_summary "$1" || : >"$1"; else : >"$1"; fi
}
# router_delta BEFORE AFTER EVENT: how much EVENT grew between two summaries.
router_delta() { echo $(($(summary_router "$2" "$3") - $(summary_router "$1" "$3"))); }

step "(i) the gateway answers pings to its own addresses"
i_before="$AWT_WORK/logs/summary-i-before.txt"
i_after="$AWT_WORK/logs/summary-i-after.txt"
router_snapshot "$i_before"
i_targets=("A $AWT_IP_G_LAN lan-address-from-A" "A $AWT_IP_G_WAN wan-address-from-A"
  "P $AWT_IP_G_WAN wan-address-from-P" "B $AWT_IP_G_LAN lan-address-from-B-through-the-tunnel")
[[ "$mode" == actorwire ]] && i_targets+=("B $AWT_IP_G_TUNNEL tunnel-address-from-B")
i_done=() i_failed=()
for target in "${i_targets[@]}"; do
  read -r from dest what <<<"$target"
  if ping_check "$from" "$dest" -c 2 -i 0.2 -W 2; then
    i_done+=("$what")
  else
    i_failed+=("$what ($ping_summary)")
  fi
done
router_snapshot "$i_after"
i_replies=$(router_delta "$i_before" "$i_after" icmp_sent)
if ((${#i_failed[@]})); then
  fail "unanswered: ${i_failed[*]}; answered: ${i_done[*]:-none}"
elif [[ "$mode" == actorwire ]] && ((i_replies < 2 * ${#i_targets[@]})); then
  fail "all answered, but actorwire counted only $i_replies icmp_sent (>= $((2 * ${#i_targets[@]})))"
else
  pass "answered: ${i_done[*]}$([[ "$mode" == actorwire ]] && echo "; icmp_sent +$i_replies")"
fi

# From here on hosts A and B have the default 1500-byte MTU (the tunnel's is 1420).
ip -n "$NS_A" link set vethA mtu 1500
ip -n "$NS_B" link set vethB mtu 1500

# udp_whole FROM TO_IP SIZE: one UDP datagram of SIZE bytes, DF clear, FROM -> TO_IP; sets
# j_sent/j_received to what each side printed (equal when it arrived whole).
j_port=$((AWT_IPERF_PORT + 1))
udp_tool=(python3 "$here/udp-datagram.py")
udp_whole() {
  local from="$1" to_ip="$2" size="$3" ready="$AWT_WORK/udp-recv.ready" i
  rm -f "$ready"
  ip netns exec "$(ns_of_ip "$to_ip")" "${udp_tool[@]}" recv --bind "$to_ip:$j_port" \
    --ready "$ready" --timeout 8 >"$AWT_WORK/logs/udp-recv.log" 2>&1 &
  AWT_PIDS[udp]=$!
  for ((i = 0; i < 50; i++)); do
    [[ -e "$ready" ]] || ! kill -0 "${AWT_PIDS[udp]}" 2>/dev/null && break
    sleep 0.1
  done
  j_sent="$(in_ns "$from" "${udp_tool[@]}" send --dst "$to_ip:$j_port" --size "$size" 2>&1)"
  wait "${AWT_PIDS[udp]}"
  unset "AWT_PIDS[udp]"
  j_received="$(tail -n 1 "$AWT_WORK/logs/udp-recv.log")"
  [[ "${j_sent#sent }" == "${j_received#received }" ]]
}

# Datagrams from A above the tunnel MTU without DF: the gateway fragments them. With the pcap
# LAN port (AWT_LAN_PMD=pcap) A sends 3000 bytes: A's kernel fragments it for its 1500-byte
# link, and the gateway fragments those fragments again for the tunnel (offsets and MF kept).
# The af_packet PMD's socket (PACKET_FANOUT_FLAG_DEFRAG) would reassemble A's fragments into a
# 3042-byte frame, above its 2048-byte ring frames; with it A sends 1500-byte IP packets instead
# (one packet, which fits A's link but not the tunnel).
j_ab_size=1472
[[ "$mode" == actorwire && "${AWT_LAN_PMD:-af_packet}" == pcap ]] && j_ab_size=3000
step "(j) UDP without DF above the tunnel MTU: A -> B $j_ab_size B (fragmented by G), B -> A 3000 B"
j_before="$AWT_WORK/logs/summary-j-before.txt"
j_after="$AWT_WORK/logs/summary-j-after.txt"
router_snapshot "$j_before"
if ! udp_whole A "$AWT_IP_B" "$j_ab_size"; then
  fail "A -> B: A '$j_sent'; B '$j_received'"
else
  j_ab="$j_received"
  router_snapshot "$j_after"
  j_fragmented=$(router_delta "$j_before" "$j_after" fragmented)
  if [[ "$mode" == actorwire ]] && ((j_fragmented < 1)); then
    fail "A -> B arrived whole ($j_ab) but actorwire fragmented nothing"
  elif ! udp_whole B "$AWT_IP_A" 3000; then
    fail "A -> B fine ($j_ab); B -> A: B '$j_sent'; A '$j_received'"
  else
    pass "A -> B $j_ab$([[ "$mode" == actorwire ]] && echo " (actorwire fragmented $j_fragmented)");" \
      "B -> A $j_received (its fragments forwarded)"
  fi
fi

step "(k) ping -M do -s 1450 A -> B: A learns the tunnel MTU 1420 from the gateway's ICMP"
k_before="$AWT_WORK/logs/summary-k-before.txt"
k_after="$AWT_WORK/logs/summary-k-after.txt"
router_snapshot "$k_before"
in_ns A ip route flush cache
ping_check A "$AWT_IP_B" -M do -s 1450 -c 1 -W 2
k_first="$(grep -m1 -o 'Frag needed.*\|message too long.*' "$AWT_WORK/logs/ping.out")"
k_route="$(in_ns A ip route get "$AWT_IP_B" | tr -s ' \n' ' ')"
router_snapshot "$k_after"
k_icmp=$(router_delta "$k_before" "$k_after" icmp_sent)
# 1392 bytes of ICMP data + 28 bytes of headers = exactly the learned 1420.
if [[ "$k_route" != *"mtu 1420"* ]]; then
  fail "A's route to B after the ping: '$k_route' (no 'mtu 1420'); ping said '${k_first:-$ping_summary}'"
elif ! ping_check A "$AWT_IP_B" -M do -s 1392 -c 2 -i 0.2 -W 2; then
  fail "MTU 1420 learned, but a 1420-byte ping does not pass: $ping_summary"
elif [[ "$mode" == actorwire ]] && ((k_icmp < 1)); then
  fail "A learned mtu 1420, but actorwire counted no icmp_sent"
else
  pass "ping said '${k_first:-?}'; A's route: '$k_route'; a 1420-byte ping passes"
fi

# iperf_1500: iperf3 TCP 5 s A -> B after A forgot any learned path MTU; reports the
# throughput against (c)'s (1420-byte host MTUs) and the MSS A's socket ended up with.
iperf_1500() {
  in_ns A ip route flush cache
  iperf_tcp A "$AWT_IP_B" 5 >/dev/null || return 1
  i_mss="$(awk -F'[:,]' '/"tcp_mss_default"/ { gsub(/[^0-9]/, "", $2); print $2; exit }' \
    "$AWT_IPERF_JSON")"
  i_ratio="$(awk -v a="$AWT_IPERF_MBPS" -v c="${c_mbps:-0}" \
    'BEGIN { if (c > 0) printf "%.2f", a / c; else print "n/a" }')"
}

step "(l) iperf3 TCP 5 s A -> B, 1500-byte host MTUs, MSS clamping on (the default)"
l_before="$AWT_WORK/logs/summary-l-before.txt"
l_after="$AWT_WORK/logs/summary-l-after.txt"
router_snapshot "$l_before"
if ! iperf_1500; then
  fail "iperf3 A -> B failed"
else
  router_snapshot "$l_after"
  l_clamped=$(router_delta "$l_before" "$l_after" mss_clamped)
  detail="$AWT_IPERF_MBPS Mbit/s (${i_ratio} x step (c)), A's MSS ${i_mss:-?},"
  detail+=" $(iperf_retransmits) retransmissions"
  if [[ "$mode" == actorwire ]] && ((l_clamped < 2 || ${i_mss:-9999} > 1380)); then
    fail "$detail; actorwire clamped $l_clamped SYN(s) (>= 2: the SYN and the SYN-ACK), MSS must be <= 1380"
  else
    pass "$detail$([[ "$mode" == actorwire ]] && echo "; actorwire clamped $l_clamped SYN(s)")"
  fi
fi

if [[ "$mode" == actorwire ]]; then
  step "(m) the same with MSS clamping off: path-MTU discovery through the gateway's ICMP"
  m_summary="$AWT_WORK/logs/summary-m.txt"
  if ! AWT_MSS_CLAMPING=false restart_gateway "$mode"; then
    fail "could not restart the gateway with mss_clamping = false"
  elif ! ping_check A "$AWT_IP_B" -c 3 -W 2; then
    fail "after the restart: ping A -> B: $ping_summary"
  elif ! iperf_1500; then
    fail "iperf3 A -> B failed"
  else
    router_snapshot "$m_summary"
    m_icmp=$(summary_router "$m_summary" icmp_sent)
    m_clamped=$(summary_router "$m_summary" mss_clamped)
    detail="$AWT_IPERF_MBPS Mbit/s (${i_ratio} x step (c)), A's MSS ${i_mss:-?},"
    detail+=" $(iperf_retransmits) retransmissions; actorwire sent $m_icmp ICMP, clamped $m_clamped"
    if ((m_icmp < 1 || m_clamped != 0)); then
      fail "$detail (expected >= 1 ICMP, 0 clamped)"
    else
      pass "$detail"
    fi
  fi
fi

# IPv6 inside the tunnel (over the IPv4 WAN): neighbour discovery on G's LAN in both directions
# (A resolves G's fd0a::1, G resolves A for replies), forwarding both ways, G's own IPv6
# address answering from the LAN and through the tunnel, and ICMPv6 packet-too-big.
step "(n) IPv6 through the tunnel: ND, ping -6 both ways, G's address, packet too big"
n_before="$AWT_WORK/logs/summary-n-before.txt"
n_after="$AWT_WORK/logs/summary-n-after.txt"
if ! enable_ipv6_sites; then
  fail "could not enable IPv6 on the site links"
elif ! restart_peer || { [[ "$mode" == wggo ]] && ! restart_gateway "$mode"; }; then
  fail "could not restart P (and G) with the IPv6 prefixes"
else
  router_snapshot "$n_before"
  n_failed=() n_done=()
  # B first: P was just restarted, so P starts the handshake (as in step (a)).
  for target in "B $AWT_IP6_A B->A" "A $AWT_IP6_B A->B" "A $AWT_IP6_G_LAN A->G" \
    "B $AWT_IP6_G_LAN B->G-through-the-tunnel"; do
    read -r from dest what <<<"$target"
    # Until 3 replies, within 10 s: the first ones wait for a handshake and ND on both sides.
    if ping_check "$from" "$dest" -6 -c 3 -i 0.2 -w 10; then
      n_done+=("$what")
    else
      n_failed+=("$what ($ping_summary)")
    fi
  done
  in_ns A ip -6 route flush cache
  ping_check A "$AWT_IP6_B" -6 -M do -s 1452 -c 1 -W 2
  n_ptb="$(grep -m1 -o 'Packet too big.*\|message too long.*' "$AWT_WORK/logs/ping.out")"
  n_route="$(in_ns A ip -6 route get "$AWT_IP6_B" | tr -s ' \n' ' ')"
  router_snapshot "$n_after"
  n_icmp=$(router_delta "$n_before" "$n_after" icmp_sent)
  if ((${#n_failed[@]})); then
    fail "failed: ${n_failed[*]}; passed: ${n_done[*]:-none}"
  elif [[ "$n_route" != *"mtu 1420"* ]]; then
    fail "pings fine (${n_done[*]}), but after a 1500-byte ping -M do A's route is '$n_route'" \
      "(ping said '${n_ptb:-$ping_summary}')"
  elif [[ "$mode" == actorwire ]] && ((n_icmp < 7)); then
    fail "all fine, but actorwire counted $n_icmp icmp_sent (>= 6 echo replies + 1 too big)"
  else
    pass "pings ${n_done[*]}; too big: '${n_ptb:-?}', A's route '$n_route'$(
      [[ "$mode" == actorwire ]] && echo "; icmp_sent +$n_icmp")"
  fi
fi

# WireGuard over IPv6 (outer transport): P reaches G at its IPv6 WAN address; G answers and
# sends over IPv6 (resolving P with neighbour discovery on the WAN), then follows P back to IPv4
# (roaming between address families, as the kernel does). G's IPv6 WAN address answers pings.
step "(o) WireGuard over IPv6 on the WAN, and roaming back to IPv4"
o_v6_endpoint="[$AWT_IP6_G_WAN]:$AWT_WG_PORT"
o_v4_endpoint="$AWT_IP_G_WAN:$AWT_WG_PORT"
if ((!AWT_IPV6)); then
  echo "SKIP $STEP: needs (n)"
  failures+=("${STEP%% *}")
elif ! enable_ipv6_wan; then
  fail "could not enable IPv6 on the WAN"
elif ! AWT_G_ENDPOINT="$o_v6_endpoint" restart_peer; then
  fail "could not restart P with G's IPv6 endpoint"
elif ! ping_check P "$AWT_IP6_G_WAN" -6 -c 2 -i 0.2 -w 10; then
  fail "G's IPv6 WAN address does not answer P: $ping_summary"
elif ! ping_check B "$AWT_IP_A" -c 3 -i 0.2 -w 10; then
  fail "over IPv6: ping B -> A: $ping_summary; P's endpoint for G $(peer_endpoint "$WG_P")"
elif ! ping_check A "$AWT_IP6_B" -6 -c 3 -i 0.2 -w 10; then
  fail "over IPv6: ping -6 A -> B: $ping_summary"
else
  o_over_v6="B -> A and A -> B (IPv6 inside) over $(peer_endpoint "$WG_P")"
  # P moves to G's IPv4 address. G must follow: if it kept sending to P's IPv6 address, P
  # (which roams too) would switch its endpoint for G back to IPv6.
  in_ns P wg set "$WG_P" peer "$KEY_G_PUB" endpoint "$o_v4_endpoint"
  if ! ping_check B "$AWT_IP_A" -c 3 -i 0.2 -w 10 || ! ping_check A "$AWT_IP_B" -c 3 -i 0.2 -w 10
  then
    fail "$o_over_v6; after P moved to IPv4: $ping_summary"
  elif [[ "$(peer_endpoint "$WG_P")" != "$o_v4_endpoint" ]]; then
    fail "$o_over_v6; after P moved to IPv4 P's endpoint for G is $(peer_endpoint "$WG_P")" \
      "(G kept sending over IPv6)"
  else
    pass "$o_over_v6; then both ways over $o_v4_endpoint after P moved (G followed)"
  fi
fi

# ---------------------------------------------------------------------------------------------
if [[ "$mode" == actorwire ]]; then
  stop_gateway  # SIGINT: actorwire prints its summary
  echo "-- actorwire log (last 40 lines of $AWT_WORK/logs/actorwire.log)"
  tail -n 40 "$AWT_WORK/logs/actorwire.log" | sed 's/^/   | /'
elif ((${#failures[@]})); then
  for log in "$AWT_WORK"/logs/wireguard-go-*.log; do
    echo "-- $(basename "$log") (last 15 lines)"
    tail -n 15 "$log" | sed 's/^/   | /'
  done
fi

echo "== $mode: $passes passed, ${#failures[@]} failed$( ((${#failures[@]})) &&
  printf ': %s' "${failures[*]}") in $((SECONDS - started)) s"
((${#failures[@]} == 0))
