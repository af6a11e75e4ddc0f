#!/usr/bin/env bash
# Handshake rate of wireguard-go against actorwire's control actor, both driven the same way from
# outside over UDP by bench/handshake_flood, on the same machine, each responder pinned to one
# core, the flooder to another.
#
# In the namespaces of the interop test (tests/interop/netns-lib.sh; only G and P are used):
#   flooder (P, 192.0.2.2, taskset -c FLOODER_CPU) --veth wanp|wan--> responder (G, 192.0.2.1:51820)
# The responder is, in turn:
#   wireguard-go  /usr/bin/wireguard-go -f on a TUN interface, GOMAXPROCS=1, taskset -c CPU,
#                 configured with `wg setconf` (the --peers public keys, a /32 each), G's wan
#                 holds 192.0.2.1/24
#   actorwire     `actorwire run` with DPDK af_packet ports on G's lan and wan (no kernel
#                 addresses on them), the same keys and peers in a generated TOML, the whole
#                 process under taskset -c CPU (data plane and control actor share that core)
# Offloads are off on the veths in both cases (actorwire's af_packet ports need them off).
# For every offered rate, handshake_flood sends --seconds of initiations from --peers peers (one
# UDP source port each; new timestamps each run) and reports responses/s and cookie replies/s
# received after the first second. Prints a line per point and a side-by-side markdown table.
# Needs root, ip, wg, wireguard-go, ethtool, taskset; creates and removes its namespaces.
#
# Usage: bench/handshake-vs-wireguard-go.sh [options]
#   --peers N          configured peers = initiating peers (default 1000)
#   --rates "R1 R2"    offered initiations/s (default "1000 2000 4000 6000 8000 10000 20000");
#                      keep rate / peers below 50: both responders refuse a peer's initiations
#                      less than 20 ms apart (flood limit)
#   --seconds S        sending time per rate (default 5); 1 s drain follows
#   --only wggo|actorwire   one responder only
#   --topology KIND    actorwire's [topology] kind (default single)
#   --io MODE          actorwire's [topology] io (auto | detached | scheduled; default: not set)
#   --workers N        actorwire's crypto_workers (default 1)
#   --responder-cpu C  core of the responder (default 1); --flooder-cpu C (default 0)
#   --nice N           niceness of the responder and the flooder (default -10: on a shared
#                      machine another process on the responder's core gets ~10 % of it, not
#                      half; each point prints how busy that core was)
#   --flood BIN        handshake_flood (default build/bench/handshake_flood)
#   --actorwire BIN    actorwire (default build/apps/actorwire)
#   --keep-logs DIR    keep the logs (flooder output, actorwire summaries) under DIR
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
# shellcheck source=SCRIPTDIR/../tests/interop/netns-lib.sh
source "$repo/tests/interop/netns-lib.sh"

usage() { sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }

peers=1000
rates=(1000 2000 4000 6000 8000 10000 20000)
seconds=5
responders=(wggo actorwire)
topology=single
io=""
workers=1
responder_cpu=1
flooder_cpu=0
niceness=-10
flood_bin="$repo/build/bench/handshake_flood"
actorwire_bin="$repo/build/apps/actorwire"
while (($#)); do
  (($# >= 2)) || usage
  case "$1" in
    --peers) peers="$2" ;;
    --rates) read -r -a rates <<<"$2" ;;
    --seconds) seconds="$2" ;;
    --only) responders=("$2") ;;
    --topology) topology="$2" ;;
    --io) io="$2" ;;
    --workers) workers="$2" ;;
    --responder-cpu) responder_cpu="$2" ;;
    --flooder-cpu) flooder_cpu="$2" ;;
    --nice) niceness="$2" ;;
    --flood) flood_bin="$2" ;;
    --actorwire) actorwire_bin="$2" ;;
    --keep-logs) AWT_KEEP_LOGS="$2" ;;
    *) usage ;;
  esac
  shift 2
done
[[ "$niceness" =~ ^-?[0-9]+$ && "$peers" =~ ^[1-9][0-9]*$ && "$seconds" =~ ^[1-9][0-9]*$ &&
  "$workers" =~ ^[1-9][0-9]*$ ]] || usage
for r in "${rates[@]}"; do [[ "$r" =~ ^[1-9][0-9]*$ ]] || usage; done
for r in "${responders[@]}"; do [[ "$r" == wggo || "$r" == actorwire ]] || usage; done
case "$io" in "" | auto | detached | scheduled) ;; *) usage ;; esac
require_tools || exit 2
command -v taskset >/dev/null || { echo "missing: taskset (util-linux)" >&2; exit 2; }
[[ -x "$flood_bin" ]] || { echo "no handshake_flood at $flood_bin (--flood)" >&2; exit 2; }
if [[ " ${responders[*]} " == *" actorwire "* && ! -x "$actorwire_bin" ]]; then
  echo "no actorwire at $actorwire_bin (--actorwire)" >&2
  exit 2
fi
cpus="$(taskset -pc $$ | sed 's/.*: //')"
echo "== handshake rate: $peers peers, rates ${rates[*]}/s, $seconds s each; responder on CPU" \
  "$responder_cpu, flooder on CPU $flooder_cpu (allowed: $cpus), nice $niceness;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"

awt_init || exit 2
if ! setup_namespaces actorwire; then  # bare G links; wireguard-go's address is added below
  echo "could not create the namespaces and links" >&2
  exit 2
fi
peer_keys="$AWT_WORK/keys/peers.pub"
"$flood_bin" --responder "$KEY_G_PUB" --peers "$peers" --seed 1 --keys-out "$peer_keys" || exit 1
(($(wc -l <"$peer_keys") == peers)) || { echo "handshake_flood wrote no $peers keys" >&2; exit 1; }

# allowed_ip I: the tunnel address of peer I (100.64.0.0/10, one /32 each).
allowed_ip() { echo "100.$((64 + $1 / 65536)).$(($1 / 256 % 256)).$(($1 % 256))"; }

# Results: res[RESPONDER,RATE] = "RESPONSES_PER_S COOKIES_PER_S UNANSWERED INVALID BURST NOTE".
declare -A res=()

# thread_cpu PID: "NAME TICKS" per thread name of a process (user + system CPU time, summed over
# the threads of that name).
thread_cpu() {
  local task stat comm rest
  for task in /proc/"$1"/task/*; do
    stat="$(cat "$task/stat" 2>/dev/null)" || continue
    comm="$(tr ' ' _ <"$task/comm")"
    rest="${stat##*) }"
    # shellcheck disable=SC2086
    set -- $rest  # field 3 of stat is $1 here: utime (14) is $12, stime (15) is $13
    echo "$comm $((${12} + ${13}))"
  done | awk '{ t[$1] += $2 } END { for (n in t) print n, t[n] }' | sort
}

# cpu_delta BEFORE AFTER: "NAME=SECONDS ..." CPU time each thread name used in between.
cpu_delta() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { b[$1] = $2; next }
    { d = ($2 - b[$1]) / hz; if (d > 0) { printf "%s%s=%.2fs", sep, $1, d; sep = " " } }' \
    <(echo "$1") <(echo "$2")
}

# core_busy CPU: busy ticks of one core so far (all but idle and iowait), from /proc/stat.
core_busy() {
  awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# flood RESPONDER RATE: one point; the flooder's output goes to the log directory.
flood() {
  local who="$1" rate="$2" log="$AWT_WORK/logs/flood-$1-$2.log" result limit busy_before started_ns
  # Building the initiations takes ~0.1 ms each on this machine; generous deadline.
  limit=$((seconds + 30 + rate * seconds / 2000))
  in_ns P timeout "$limit" nice -n "$niceness" taskset -c "$flooder_cpu" "$flood_bin" \
    --target "$AWT_IP_G_WAN:$AWT_WG_PORT" --responder "$KEY_G_PUB" --peers "$peers" --seed 1 --rate "$rate" --seconds "$seconds" \
    >"$log" 2>&1 &
  busy_before=$(core_busy "$responder_cpu")
  started_ns=$(date +%s%N)
  wait $!
  local status=$?
  # How busy the responder's core was meanwhile (the responder and anything else on it).
  awk -v b="$(($(core_busy "$responder_cpu") - busy_before))" -v hz="$(getconf CLK_TCK)" \
    -v w="$(($(date +%s%N) - started_ns))" -v c="$responder_cpu" \
    'BEGIN { printf "      CPU %d busy %.1f s of %.1f s (flooder build, sending, drain)\n", c, b / hz, w / 1e9 }' >&2
  result="$(grep '^result ' "$log")"
  if ((status != 0)) || [[ -z "$result" ]]; then
    awt_log "flooder failed at $rate/s (status $status; deadline $limit s): $(tail -n 2 "$log")"
    return 1
  fi
  grep '^total:' "$log" | sed 's/^/      /' >&2
  awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
         print v["responses_per_s"], v["cookies_per_s"], v["unanswered"], v["invalid"],
               v["largest_burst"] }' \
    <<<"$result"
}

# ---------------------------------------------------------------------------------------------
run_wggo() {
  local conf="$AWT_WORK/wg-g.conf" i line socket="/var/run/wireguard/$WG_G.sock" rate out
  (
    umask 077
    printf '[Interface]\nPrivateKey = %s\nListenPort = %s\n' "$(cat "$AWT_WORK/keys/g.key")" \
      "$AWT_WG_PORT"
    i=0
    while read -r line; do
      printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = %s/32\n' "$line" "$(allowed_ip $i)"
      i=$((i + 1))
    done <"$peer_keys"
  ) >"$conf"
  ip -n "$NS_G" addr add "$AWT_IP_G_WAN/24" dev wan || return 1
  # `ip netns exec` and taskset exec: $! is wireguard-go's PID. LOG_LEVEL=error: no line per
  # handshake.
  GOMAXPROCS=1 LOG_LEVEL=error ip netns exec "$NS_G" nice -n "$niceness" \
    taskset -c "$responder_cpu" wireguard-go -f "$WG_G" >>"$AWT_WORK/logs/wireguard-go.log" 2>&1 &
  AWT_PIDS[g]=$!
  for ((i = 0; i < 50; i++)); do
    [[ -S "$socket" ]] && break
    kill -0 "${AWT_PIDS[g]}" 2>/dev/null || break
    sleep 0.1
  done
  [[ -S "$socket" ]] || { awt_log "wireguard-go: no UAPI socket $socket within 5 s"; return 1; }
  in_ns G wg setconf "$WG_G" "$conf" || return 1
  ip -n "$NS_G" link set "$WG_G" up || return 1
  i="$(in_ns G wg show "$WG_G" peers | wc -l)"
  ((i == peers)) || { awt_log "wireguard-go has $i peers, not $peers"; return 1; }
  echo "-- wireguard-go $(wireguard-go --version 2>&1 | head -n 1 | awk '{ print $2 }')," \
    "GOMAXPROCS=1, CPU $responder_cpu, $peers peers"
  for rate in "${rates[@]}"; do
    local drops_before drops
    local cpu_before cpu
    drops_before=$(udp_in_errors G)
    cpu_before="$(thread_cpu "${AWT_PIDS[g]}")"
    out="$(flood wggo "$rate")" || { res[wggo,$rate]="- - - - - flooder failed"; continue; }
    cpu="$(cpu_delta "$cpu_before" "$(thread_cpu "${AWT_PIDS[g]}")")"
    drops=$(($(udp_in_errors G) - drops_before))
    res[wggo,$rate]="$out udp_drops=$drops"
    echo "   $rate/s offered: $out (responses/s cookies/s unanswered invalid burst), G UDP InErrors" \
      "+$drops; CPU $cpu"
    kill -0 "${AWT_PIDS[g]}" 2>/dev/null || { awt_log "wireguard-go died"; return 1; }
  done
  _stop_pid g TERM 30
  ip -n "$NS_G" addr del "$AWT_IP_G_WAN/24" dev wan
}

# ---------------------------------------------------------------------------------------------
write_flood_config() {
  local config="$AWT_WORK/actorwire-flood.toml" i=0 line
  (
    umask 077
    cat <<EOF
# generated by bench/handshake-vs-wireguard-go.sh
[interface]
private_key = "$(cat "$AWT_WORK/keys/g.key")"
listen_port = $AWT_WG_PORT

[[port]]
role = "lan"
device = "net_af_packet0,iface=lan"
addresses = ["$AWT_IP_G_LAN/24"]

[[port]]
role = "wan"
device = "net_af_packet1,iface=wan"
addresses = ["$AWT_IP_G_WAN/24"]

[dpdk]
eal_args = ["--no-huge", "-m", "512", "--no-pci"]
mbuf_count = 8192

[topology]
kind = "$topology"
EOF
    [[ "$topology" == single ]] || echo "crypto_workers = $workers"
    [[ -z "$io" ]] || echo "io = \"$io\""
    while read -r line; do
      printf '\n[[peer]]\npublic_key = "%s"\nallowed_ips = ["%s/32"]\n' "$line" "$(allowed_ip $i)"
      i=$((i + 1))
    done <"$peer_keys"
  ) >"$config"
  echo "$config"
}

# handshake_row FILE: "IN OUT DROPS" of the handshake actor and its drop reasons.
handshake_row() {
  local row reasons
  row="$(summary_actor "$1" handshake)"
  reasons="$(awk '/^[^ ]/ { h = ($1 == "handshake") } h && /^    drop / { printf "%s%s", sep, $2 " " $3; sep = " " }' "$1")"
  echo "$row${reasons:+ ($reasons)}"
}

run_actorwire() {
  local config log="$AWT_WORK/logs/actorwire.log" i rate out before after cpu_before cpu
  config="$(write_flood_config)"
  echo "---- start $(date +%T.%N): taskset -c $responder_cpu $actorwire_bin run -c $config" >>"$log"
  ip netns exec "$NS_G" nice -n "$niceness" taskset -c "$responder_cpu" "$actorwire_bin" run \
    -c "$config" --live >>"$log" 2>&1 &  # --live: actorwire_summary reads the stats lines
  AWT_PIDS[g]=$!
  for ((i = 0; i < 150; i++)); do
    kill -0 "${AWT_PIDS[g]}" 2>/dev/null || break
    grep -qE '^(<6>)?actorwire: topology' "$log" && break
    sleep 0.1
  done
  if ! grep -qE '^(<6>)?actorwire: topology' "$log"; then
    awt_log "actorwire printed no start line within 15 s; its output:"
    tail -n 20 "$log" >&2
    return 1
  fi
  # P resolves G's WAN address (actorwire answers ARP and echo) before the first point.
  for ((i = 0; i < 20; i++)); do
    in_ns P ping -n -c 1 -W 1 "$AWT_IP_G_WAN" >/dev/null 2>&1 && break
  done
  ((i < 20)) || { awt_log "actorwire's WAN $AWT_IP_G_WAN answered no ping within 20 tries"; return 1; }
  echo "-- actorwire $topology${io:+ io=$io}, CPU $responder_cpu, $peers peers"
  for rate in "${rates[@]}"; do
    actorwire_summary "$AWT_WORK/logs/summary-before-$rate.txt" || return 1
    before="$(summary_actor "$AWT_WORK/logs/summary-before-$rate.txt" handshake)"
    cpu_before="$(thread_cpu "${AWT_PIDS[g]}")"
    out="$(flood actorwire "$rate")" || { res[actorwire,$rate]="- - - - - flooder failed"; continue; }
    cpu="$(cpu_delta "$cpu_before" "$(thread_cpu "${AWT_PIDS[g]}")")"
    actorwire_summary "$AWT_WORK/logs/summary-after-$rate.txt" || return 1
    after="$(handshake_row "$AWT_WORK/logs/summary-after-$rate.txt")"
    local hs
    hs="$(awk -v b="$before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " ");
      printf "in+%d out+%d drops+%d", y[1] - x[1], y[2] - x[2], y[3] - x[3] }')"
    res[actorwire,$rate]="$out $hs"
    echo "   $rate/s offered: $out (responses/s cookies/s unanswered invalid burst); handshake actor" \
      "$hs; cumulative: $after; CPU $cpu"
    gateway_alive || { awt_log "actorwire died"; return 1; }
  done
  stop_gateway
}

for who in "${responders[@]}"; do
  case "$who" in
    wggo) run_wggo || { awt_log "wireguard-go run failed"; _stop_pid g KILL 10; } ;;
    actorwire) AWT_MODE=actorwire run_actorwire || { awt_log "actorwire run failed"; stop_gateway; } ;;
  esac
done

# ---------------------------------------------------------------------------------------------
echo
echo "offered = initiations/s sent; responses/s and cookies/s: replies received per second"
echo "(seconds 2..$seconds of sending); $peers peers, 1 core per responder; burst: the most"
echo "initiations the flooder sent at once (after a late wake-up; ~rate/1000 when on time)"
echo
header="| offered /s |"
rule="|---:|"
declare -A name=([wggo]="wireguard-go" [actorwire]="actorwire $topology${io:+ ($io)}")
for who in "${responders[@]}"; do
  header+=" ${name[$who]} responses/s | cookies/s | burst |"
  rule+="---:|---:|---:|"
done
echo "$header"
echo "$rule"
for rate in "${rates[@]}"; do
  line="| $rate |"
  for who in "${responders[@]}"; do
    read -r r c _ _ b _ <<<"${res[$who,$rate]:-- - - - -}"
    line+=" $r | $c | $b |"
  done
  echo "$line"
done
