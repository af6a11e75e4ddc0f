#!/usr/bin/env bash
# actorwire against wireguard-go as the gateway, in the network namespaces of the interop test
# (tests/interop/netns-lib.sh: host A - gateway G - peer P (wireguard-go) - host B), same
# machine, same run. From host A, each for --seconds:
#   iperf3 TCP               Mbit/s received, sender retransmissions
#   iperf3 UDP, large/small  received Mbit/s (UDP payload) and kpps, loss % = 1 - received /
#                            sent datagrams (tail losses included, unlike iperf3's lost_percent)
# over these paths, all with the veth offloads off (actorwire's af_packet ports need them off):
#   veth A -> G            no forwarding, no tunnel: the link's ceiling
#   routed A -> B          G and P forward in clear: the tunnel's two hops without crypto
#   wireguard-go gateway   A -> B through G = wireguard-go and P = wireguard-go
#   actorwire <topology>   A -> B through G = actorwire (af_packet ports) and P = wireguard-go,
#                          one column per --topology (crypto_workers $AWT_CRYPTO_WORKERS, default 2)
# plus TCP with the offloads on (kernel default) for the three kernel paths. Prints a markdown
# table of the numbers and one of ratios (actorwire / wireguard-go, tunnel / routed).
# Needs root, iperf3, wireguard-go, wg, ethtool, python3; creates and removes its namespaces.
# Takes about (3 x paths + 3) x (SECONDS + 1.5) s: ~3 min with the defaults and one topology.
#
# Usage: bench/compare-peers.sh [options]
#   --seconds N         each measurement (default 10)
#   --actorwire BIN     actorwire binary (default $AWT_ACTORWIRE_BIN, else build/release's)
#   --topology KIND     single | workers-mutex | workers-spinlock | pipeline; repeatable
#                       (default single)
#   --csv FILE          also write one CSV row per measurement to FILE: path, offloads, test,
#                       payload_bytes, offered, seconds, status (ok or why not), rx_mbps,
#                       rx_kpps, loss_pct, retransmits, tx_mbps, tx_kpps, rx_socket_drops and
#                       p_socket_drops (Udp InErrors at the receiver and at P during the run)
#   --udp-large LEN     large UDP payload (default 1392: 1392 + 28 = the tunnel MTU 1420;
#                       1400 would leave every datagram as two IP fragments)
#   --udp-small LEN     small UDP payload (default 64)
#   --rate-large RATE   iperf3 -b for the large payload (default 4G = 359 kpps at 1392 B)
#   --rate-small RATE   iperf3 -b for the small payload (default 300M = 586 kpps at 64 B)
#                       Both above what one (single-threaded) iperf3 client sends on a small
#                       machine (~100-200 kpps on 2 cores): saturating, yet never more than
#                       one core of sender. 2G capped the veth baseline at 180 kpps.
#   --no-offloads-on    skip the TCP row with the offloads on
#   --keep-logs DIR     keep the logs (wireguard-go, actorwire, iperf3 JSON) under DIR
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
# shellcheck source=SCRIPTDIR/../tests/interop/netns-lib.sh
source "$repo/tests/interop/netns-lib.sh"

usage() { sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }

seconds=10
actorwire_bin="${AWT_ACTORWIRE_BIN:-}"
[[ -n "$actorwire_bin" ]] || actorwire_bin="$repo/build/release/apps/actorwire"
topologies=()
csv=""
len_large=1392
len_small=64
rate_large=4G
rate_small=300M
offloads_on=1
keep_logs=""
while (($#)); do
  case "$1" in
    --seconds | --actorwire | --topology | --csv | --udp-large | --udp-small | --rate-large | \
      --rate-small | --keep-logs)
      (($# >= 2)) || usage
      case "$1" in
        --seconds) seconds="$2" ;;
        --actorwire) actorwire_bin="$2" ;;
        --topology) topologies+=("$2") ;;
        --csv) csv="$2" ;;
        --udp-large) len_large="$2" ;;
        --udp-small) len_small="$2" ;;
        --rate-large) rate_large="$2" ;;
        --rate-small) rate_small="$2" ;;
        --keep-logs) keep_logs="$2" ;;
      esac
      shift 2
      ;;
    --no-offloads-on) offloads_on=0; shift ;;
    *) usage ;;
  esac
done
((${#topologies[@]})) || topologies=(single)
for t in "${topologies[@]}"; do
  case "$t" in single | workers-mutex | workers-spinlock | pipeline) ;; *)
    echo "unknown topology '$t'" >&2; exit 2 ;; esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ && "$len_large" =~ ^[1-9][0-9]*$ && "$len_small" =~ ^[1-9][0-9]*$ ]] ||
  usage
require_tools || exit 2
if [[ -n "$csv" ]]; then
  echo "path,offloads,test,payload_bytes,offered,seconds,status,rx_mbps,rx_kpps,loss_pct,retransmits,tx_mbps,tx_kpps,rx_socket_drops,p_socket_drops" \
    >"$csv" || exit 2
fi

started=$SECONDS
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
# Paths (columns) in table order; actorwire ones are "aw:<topology>".
paths=(veth routed wggo)
for t in "${topologies[@]}"; do paths+=("aw:$t"); done
declare -A title=([veth]="veth A -> G" [routed]="routed A -> B, no tunnel"
  [wggo]="wireguard-go gateway")
for t in "${topologies[@]}"; do title[aw:$t]="actorwire $t"; done
tests=(tcp udpL udpS)
declare -A test_title=([tcp]="TCP" [udpL]="UDP $len_large B" [udpS]="UDP $len_small B")

# Results: res[PATH,TEST,FIELD] with FIELD status (ok | failed | a reason), mbps, kpps, loss,
# retr; PATH is prefixed "on:" for the offloads-on TCP runs.
declare -A res=()
total=$((3 * ${#paths[@]} + (offloads_on ? 3 : 0)))
done_count=0
next_port=5301

# _parse_iperf KIND LEN JSON: "ok RX_MBPS RX_KPPS LOSS_PCT RETR TX_MBPS TX_KPPS" or "failed
# REASON" from a client's --json report (iperf3 3.12: end.sum_sent / end.sum_received, the
# receiver's side filled in by the server at the end of the test).
_parse_iperf() {
  python3 - "$@" <<'EOF'
import json, sys
kind, length, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    with open(path) as f:
        d = json.load(f)
except Exception as e:  # empty or truncated: the client died or timed out
    print("failed", "no JSON report:", type(e).__name__)
    sys.exit()
if d.get("error"):
    print("failed", " ".join(str(d["error"]).split()))
    sys.exit()
end = d.get("end", {})
sent = end.get("sum_sent") or end.get("sum")
recv = end.get("sum_received")
if not sent or not recv or not recv.get("seconds"):
    print("failed", "report without sum_sent/sum_received")
    sys.exit()
rx_mbps = recv["bytes"] * 8 / recv["seconds"] / 1e6
tx_mbps = sent["bytes"] * 8 / sent["seconds"] / 1e6 if sent.get("seconds") else 0.0
if kind == "tcp":
    print("ok", "%.3f" % rx_mbps, "-", "-", sent.get("retransmits", "-"), "%.3f" % tx_mbps, "-")
else:
    # Every datagram carries exactly LEN payload bytes: counting bytes counts datagrams,
    # including the ones after the last received (iperf3's lost_packets misses those).
    rx = recv["bytes"] / length
    tx = sent["bytes"] / length
    loss = 100.0 * (1 - rx / tx) if tx else 0.0
    print("ok", "%.3f" % rx_mbps, "%.3f" % (rx / recv["seconds"] / 1e3), "%.3f" % loss, "-",
          "%.3f" % tx_mbps, "%.3f" % (tx / sent["seconds"] / 1e3 if sent.get("seconds") else 0))
EOF
}

# csv_row KEY TEST: the CSV line of a measurement (also of one that failed or was skipped).
csv_row() {
  [[ -n "$csv" ]] || return 0
  local key="$1" test="$2" offl=off p len=- rate=- status
  [[ "$key" == on:* ]] && offl=on
  p="${key#on:}"
  p="${p/aw:/actorwire-}"
  p="${p/wggo/wireguard-go}"
  case "$test" in
    udpL) len="$len_large"; rate="$rate_large" ;;
    udpS) len="$len_small"; rate="$rate_small" ;;
  esac
  status="${res[$key,$test,status]:-not run}"
  printf '%s,%s,%s,%s,%s,%s,"%s",%s,%s,%s,%s,%s,%s,%s,%s\n' "$p" "$offl" "${test%[LS]}" \
    "$len" "$rate" "$seconds" "${status//\"/\'}" "${res[$key,$test,mbps]:-}" \
    "${res[$key,$test,kpps]:-}" "${res[$key,$test,loss]:-}" "${res[$key,$test,retr]:-}" \
    "${res[$key,$test,txmbps]:-}" "${res[$key,$test,txkpps]:-}" "${res[$key,$test,rxerr]:-}" \
    "${res[$key,$test,perr]:-}" >>"$csv"
}

# measure KEY TEST FROM TO_IP: one iperf3 run; stores res[KEY,TEST,*] and a CSV row. A fresh
# server (-1: one test, then it exits) on a fresh port each time, so a stuck earlier run cannot
# answer. Not in $(...): the server's PID must stay known to the cleanup trap.
measure() {
  local key="$1" test="$2" from="$3" to_ip="$4" to_ns json port i status len=0 rate="-"
  local -a args=()
  case "$test" in
    udpL) len="$len_large"; rate="$rate_large"; args=(-u -l "$len" -b "$rate") ;;
    udpS) len="$len_small"; rate="$rate_small"; args=(-u -l "$len" -b "$rate") ;;
  esac
  port=$((next_port++))
  done_count=$((done_count + 1))
  local what="${title[${key#on:}]}"
  [[ "$key" == on:* ]] && what+=" (offloads on)"
  [[ "$test" != tcp ]] && what+=": ${test_title[$test]} at -b $rate" || what+=": TCP"
  awt_log "($done_count/$total) $what, $seconds s"
  res[$key,$test,status]="failed"
  if ! to_ns="$(ns_of_ip "$to_ip")"; then
    awt_log "  no namespace holds $to_ip"
  else
    json="$AWT_WORK/logs/iperf-${key//:/-}-$test.json"
    ip netns exec "$to_ns" iperf3 -s -1 -B "$to_ip" -p "$port" >"${json%.json}-server.log" 2>&1 &
    AWT_PIDS[iperf]=$!
    for ((i = 0; i < 30; i++)); do
      ip netns exec "$to_ns" ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break
      sleep 0.1
    done
    # UDP datagrams dropped by full socket buffers (Udp InErrors): at the receiver, and at P's
    # wireguard-go (the tunnel's far end) -- where a flood is lost outside the gateway.
    local rx_err0 p_err0
    rx_err0="$(udp_in_errors "$to_ns")"
    p_err0="$(udp_in_errors P)"
    # Background + wait: a signal's trap runs at once instead of after the client's end.
    timeout $((seconds + 20)) ip netns exec "$(_ns "$from")" iperf3 -c "$to_ip" -p "$port" \
      -t "$seconds" --connect-timeout 3000 --json "${args[@]}" >"$json" 2>"${json%.json}.err" &
    wait $!
    status=$?
    stop_iperf_server
    res[$key,$test,rxerr]=$(($(udp_in_errors "$to_ns") - rx_err0))
    res[$key,$test,perr]=$(($(udp_in_errors P) - p_err0))
    local parsed outcome rx_mbps rx_kpps loss retr tx_mbps tx_kpps
    parsed="$(_parse_iperf "$test" "$len" "$json")"
    read -r outcome rx_mbps rx_kpps loss retr tx_mbps tx_kpps <<<"$parsed"
    if [[ "$outcome" == ok ]]; then
      res[$key,$test,status]=ok
      res[$key,$test,mbps]="$rx_mbps"
      res[$key,$test,kpps]="$rx_kpps"
      res[$key,$test,loss]="$loss"
      res[$key,$test,retr]="$retr"
      res[$key,$test,txmbps]="$tx_mbps"
      res[$key,$test,txkpps]="$tx_kpps"
      if [[ "$test" == tcp ]]; then
        awt_log "  -> $(fmt "$rx_mbps") Mbit/s, $retr retransmissions"
      else
        awt_log "  -> $(fmt "$rx_mbps") Mbit/s, $(fmt "$rx_kpps") kpps received" \
          "(sent $(fmt "$tx_kpps") kpps), loss $(fmt_pct "$loss") %; UDP socket drops:" \
          "receiver ${res[$key,$test,rxerr]}, P ${res[$key,$test,perr]}"
      fi
    else
      awt_log "  -> failed (client status $status): ${parsed#failed } $(head -c 200 \
        "${json%.json}.err")"
    fi
  fi
  csv_row "$key" "$test"
  sleep 0.5  # let the queues of a flood drain before the next measurement
}

# Number formatting for the table: 3 significant digits-ish.
fmt() { awk -v v="$1" 'BEGIN { if (v >= 100) printf "%.0f", v; else if (v >= 10) printf "%.1f", v;
  else printf "%.2f", v }'; }
fmt_pct() { awk -v v="$1" 'BEGIN { if (v < 0.05 && v > -0.05) printf "%.2f", v; else printf "%.1f", v }'; }

# skip_one KEY TEST REASON: a measurement that could not run; skip_all KEY REASON: all three.
skip_one() {
  res[$1,$2,status]="$3"
  done_count=$((done_count + 1))
  awt_log "($done_count/$total) ${title[${1#on:}]}: ${test_title[$2]}: $3"
  csv_row "$1" "$2"
}
skip_all() {
  local t
  for t in "${tests[@]}"; do skip_one "$1" "$t" "$2"; done
}

# Cleartext routing over the WAN link instead of the tunnel, and back.
route_clear() {
  ip -n "$NS_G" route replace "$AWT_SUBNET_B" via "$AWT_IP_P_WAN" dev wan &&
    ip -n "$NS_P" route replace "$AWT_SUBNET_A" via "$AWT_IP_G_WAN" dev wanp
}
route_tunnel() {
  ip -n "$NS_G" route replace "$AWT_SUBNET_B" dev "$WG_G" &&
    ip -n "$NS_P" route replace "$AWT_SUBNET_A" dev "$WG_P"
}

# tunnel_up: A reaches B (a session exists, or the ping makes the gateway start one).
tunnel_up() {
  local i
  for ((i = 0; i < 10; i++)); do
    in_ns A ping -n -c 1 -W 1 "$AWT_IP_B" >/dev/null 2>&1 && return 0
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# Kernel paths and the wireguard-go gateway: one namespace set in mode wggo.
[[ -n "$keep_logs" ]] && AWT_KEEP_LOGS="$keep_logs/wireguard-go"
awt_init || exit 2
setup_namespaces wggo || exit 2
wggo_ok=0
if start_peer_wireguard_go && start_gateway wggo && tunnel_up; then
  wggo_ok=1
else
  awt_log "wireguard-go tunnel did not come up"
fi

if ((offloads_on)); then
  set_veth_offloads on || exit 2
  measure on:veth tcp A "$AWT_IP_G_LAN"
  if route_clear; then measure on:routed tcp A "$AWT_IP_B"; else skip_one on:routed tcp failed; fi
  if ((wggo_ok)) && route_tunnel && tunnel_up; then
    measure on:wggo tcp A "$AWT_IP_B"
  else
    skip_one on:wggo tcp "failed to start"
  fi
fi
set_veth_offloads off || exit 2
for t in "${tests[@]}"; do measure veth "$t" A "$AWT_IP_G_LAN"; done
if route_clear; then
  for t in "${tests[@]}"; do measure routed "$t" A "$AWT_IP_B"; done
else
  skip_all routed failed
fi
if ((wggo_ok)) && route_tunnel; then
  for t in "${tests[@]}"; do
    tunnel_up || awt_log "  warning: ping A -> B through the tunnel failed"
    measure wggo "$t" A "$AWT_IP_B"
  done
else
  skip_all wggo "failed to start"
fi

# ---------------------------------------------------------------------------------------------
# actorwire as G: a second namespace set (same names; the first is removed first), one gateway
# process per topology. The binary is copied first: it may be rebuilt during the run.
cleanup
AWT_CLEANED=0
[[ -n "$keep_logs" ]] && AWT_KEEP_LOGS="$keep_logs/actorwire"
awt_init || exit 2
aw_ok=0
aw_note=""
aw_version="not run"
# Missing (up to 30 s) or written in the last 5 s (up to 120 s): a build may be replacing it.
for ((i = 0; i < 120; i++)); do
  if [[ -x "$actorwire_bin" ]]; then
    (($(date +%s) - $(stat -c %Y "$actorwire_bin") >= 5)) && break
  elif ((i >= 30)); then
    break
  fi
  ((i == 0)) && awt_log "waiting for $actorwire_bin (missing or being written)"
  sleep 1
done
if [[ ! -x "$actorwire_bin" ]]; then
  aw_note="not run (no binary $actorwire_bin)"
  awt_log "$aw_note"
elif ! cp -p "$actorwire_bin" "$AWT_WORK/actorwire"; then
  aw_note="not run (cannot copy $actorwire_bin)"
elif ! setup_namespaces actorwire || ! start_peer_wireguard_go; then
  aw_note="failed (namespaces / wireguard-go on P)"
else
  aw_ok=1
  AWT_ACTORWIRE_BIN="$AWT_WORK/actorwire"
fi
if [[ -f "$AWT_WORK/actorwire" ]]; then  # the copy that ran, whatever the build does meanwhile
  aw_version="sha256 $(sha256sum "$AWT_WORK/actorwire" | cut -c1-12), $(date -r \
    "$AWT_WORK/actorwire" '+%F %H:%M')"
fi
for topo in "${topologies[@]}"; do
  key="aw:$topo"
  if ((!aw_ok)); then
    skip_all "$key" "$aw_note"
    continue
  fi
  export AWT_TOPOLOGY="$topo"
  if ! restart_gateway actorwire; then
    skip_all "$key" "failed to start"
    continue
  fi
  if ! tunnel_up; then
    awt_log "actorwire $topo: no ping A -> B through the tunnel"
    skip_all "$key" "failed (no tunnel)"
    continue
  fi
  for t in "${tests[@]}"; do
    gateway_alive || { skip_one "$key" "$t" "failed (gateway died)"; continue; }
    tunnel_up || awt_log "  warning: ping A -> B through the tunnel failed"
    measure "$key" "$t" A "$AWT_IP_B"
  done
  # Where actorwire itself dropped packets (drop reasons summed over its data-plane actors).
  summary="$AWT_WORK/logs/summary-$topo.txt"
  if actorwire_summary "$summary"; then
    awt_log "actorwire $topo: $(grep -m1 '^summary after' "$summary" | cut -d: -f2- |
      sed 's/ (avg.*//'); drops by reason: $(summary_drops "$summary" | sort | paste -sd ' ')"
  fi
done

# ---------------------------------------------------------------------------------------------
# Tables.

# cell KEY TEST FIELD: the formatted value, or the failure.
cell() {
  local st="${res[$1,$2,status]:-not run}"
  if [[ "$st" != ok ]]; then echo "$st"; return; fi
  case "$3" in
    tcp) echo "$(fmt "${res[$1,$2,mbps]}") (${res[$1,$2,retr]} retr.)" ;;
    mbps) fmt "${res[$1,$2,mbps]}" ;;
    kpps) echo "$(fmt "${res[$1,$2,kpps]}") / $(fmt "${res[$1,$2,txkpps]}")" ;;
    loss) fmt_pct "${res[$1,$2,loss]}" ;;
  esac
}
# ratio KEY_NUM KEY_DEN TEST: received Mbit/s NUM / DEN (the same payload: = the kpps ratio).
ratio() {
  if [[ "${res[$1,$3,status]:-}" != ok || "${res[$2,$3,status]:-}" != ok ]]; then
    echo "n/a"
    return
  fi
  awk -v a="${res[$1,$3,mbps]}" -v b="${res[$2,$3,mbps]}" \
    'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}
# offered_kpps RATE LEN: what iperf3 -b RATE (payload bits, K/M/G = 10^3/6/9; 0 = unlimited)
# means in datagrams per second.
offered_kpps() {
  awk -v r="$1" -v l="$2" 'BEGIN { m = 1; u = toupper(substr(r, length(r)))
    if (u == "K") m = 1e3; else if (u == "M") m = 1e6; else if (u == "G") m = 1e9
    if (m > 1) r = substr(r, 1, length(r) - 1)
    if (r + 0 == 0) print "unlimited"; else printf "%.0f\n", r * m / (8 * l) / 1e3 }'
}
row() { local out="|" c; for c in "$@"; do out+=" $c |"; done; echo "$out"; }

wg_version="$(wireguard-go --version 2>/dev/null | head -n 1)"
echo
echo "## actorwire vs wireguard-go: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo |
  cut -d: -f2 | xargs)), kernel $(uname -r), $(date '+%F %H:%M')"
echo
echo "- Network namespaces of tests/interop/netns-lib.sh: A - G - P (wireguard-go) - B, MTU 1420" \
  "on A and B; everything on this one machine, all in this run."
echo "- Peer P: $wg_version. actorwire: $actorwire_bin ($aw_version), DPDK" \
  "af_packet ports, crypto_workers ${AWT_CRYPTO_WORKERS:-2}."
echo "- $(iperf3 --version | head -n 1), from A, ${seconds} s per measurement, one stream;" \
  "a fresh server per measurement."
echo "- TCP: Mbit/s received (sender retransmissions). UDP: -l $len_large at -b $rate_large, -l" \
  "$len_small at -b $rate_small, i.e. offered $(offered_kpps "$rate_large" "$len_large") and" \
  "$(offered_kpps "$rate_small" "$len_small") kpps (a \"sent\" rate below that is the single" \
  "iperf3 client's ceiling); Mbit/s = UDP payload received; loss = 1 - received / sent" \
  "datagrams, wherever lost (gateway, peer, veth backlog or the receiving socket)."
echo "- Load average before the run: $load_at_start (other load on the machine skews every" \
  "column; compare within one run)."
echo "- veth offloads (tx checksum, TSO, GSO, GRO on vethA, lan, wan, wanp) off, as actorwire" \
  "needs them, except the row marked offloads on."
echo
header=("" "${paths[@]}")
for i in "${!header[@]}"; do [[ -n "${header[$i]}" ]] && header[i]="${title[${header[$i]}]}"; done
row "${header[@]}"
sep=()
for ((i = 0; i < ${#header[@]}; i++)); do sep+=("---"); done
row "${sep[@]}"
line=("TCP Mbit/s")
for p in "${paths[@]}"; do line+=("$(cell "$p" tcp tcp)"); done
row "${line[@]}"
if ((offloads_on)); then
  line=("TCP Mbit/s, offloads on")
  for p in "${paths[@]}"; do
    if [[ "$p" == aw:* ]]; then line+=("n/a"); else line+=("$(cell "on:$p" tcp tcp)"); fi
  done
  row "${line[@]}"
fi
for t in udpL udpS; do
  for f in mbps kpps loss; do
    case "$f" in mbps) label="Mbit/s" ;; kpps) label="kpps received / sent" ;; loss) label="loss %" ;; esac
    line=("${test_title[$t]}: $label")
    for p in "${paths[@]}"; do line+=("$(cell "$p" "$t" "$f")"); done
    row "${line[@]}"
  done
done

echo
echo "Ratios of the received rates (Mbit/s; for UDP the same as the kpps ratio):"
echo
header=("" "wireguard-go / routed")
for topo in "${topologies[@]}"; do
  header+=("actorwire $topo / routed" "actorwire $topo / wireguard-go")
done
row "${header[@]}"
sep=()
for ((i = 0; i < ${#header[@]}; i++)); do sep+=("---"); done
row "${sep[@]}"
for t in "${tests[@]}"; do
  line=("${test_title[$t]}" "$(ratio wggo routed "$t")")
  for topo in "${topologies[@]}"; do
    line+=("$(ratio "aw:$topo" routed "$t")" "$(ratio "aw:$topo" wggo "$t")")
  done
  row "${line[@]}"
done
echo
echo "Run time $((SECONDS - started)) s."
exit 0
