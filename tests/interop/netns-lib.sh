# shellcheck shell=bash
# Network-namespace harness for the actorwire interop tests. Source it; needs root.
#
#   host A ──vethA|lan── gateway G ──wan|wanp── peer P ──vethPB|vethB── host B
#   10.10.0.2          10.10.0.1  192.0.2.1    192.0.2.2  10.20.0.1     10.20.0.2
#
# G is the gateway under test: a wireguard-go gateway (mode "wggo", the reference) or actorwire
# (mode "actorwire", DPDK af_packet ports on lan/wan; AWT_LAN_PMD=pcap: the pcap PMD on lan). P is always an unmodified wireguard-go.
#
# Everything lives in four namespaces named awt-<suffix>-{a,g,p,b}; the veth pairs are created
# directly inside them, so the fixed interface names (lan, wan, ...) cannot collide with the
# host or with a concurrent run, and deleting the namespaces deletes the links. The only
# names visible outside the namespaces are the wireguard-go UAPI sockets
# /var/run/wireguard/awg-{g,p}<suffix>.sock (that directory is shared by all namespaces),
# hence the suffix in the wireguard-go interface names (<= 15 characters).
#
# Typical use (see interop.sh):
#   source netns-lib.sh
#   awt_init                      # names, temp dir, trap cleanup on EXIT INT TERM
#   setup_namespaces wggo         # or actorwire
#   start_peer_wireguard_go       # P
#   start_gateway wggo            # G
#   in_ns B ping -c 3 10.10.0.2
#
# Environment:
#   AWT_SUFFIX         name suffix ([a-z0-9], 1..10 chars; default: the shell's PID)
#   AWT_ACTORWIRE_BIN  the actorwire binary for mode actorwire
#   AWT_OFFLOADS       "off" turns veth offloads off in mode wggo too (always off for actorwire)
#   AWT_KEEP_LOGS      a directory to copy the logs (never the keys) into on exit
#   AWT_TOPOLOGY       actorwire's [topology] kind (default single); AWT_CRYPTO_WORKERS (2)
#   AWT_LAN_PMD        actorwire's LAN port driver: af_packet (default) or pcap
#   AWT_ACTORWIRE_RUN_ARGS  more options for `actorwire run` (e.g. --socket-dir DIR)

AWT_SUFFIX="${AWT_SUFFIX:-$$}"
AWT_SUBNET_A=10.10.0.0/24
AWT_SUBNET_B=10.20.0.0/24
# IPv6 inside the tunnel (enabled late in the run by enable_ipv6_sites: the links start without
# IPv6 so router solicitations, DAD and MLD stay out of the earlier steps' counters).
AWT_SUBNET6_A=fd0a::/64
AWT_SUBNET6_B=fd0b::/64
AWT_IP6_G_LAN=fd0a::1
AWT_IP6_A=fd0a::2
AWT_IP6_P_LAN=fd0b::1
AWT_IP6_B=fd0b::2
AWT_IPV6=0
# IPv6 on the WAN (outer transport), enabled last by enable_ipv6_wan.
AWT_IP6_G_WAN=fd00:57::1
AWT_IP6_P_WAN=fd00:57::2
# G's endpoint as P knows it (start_peer_wireguard_go); empty: G's IPv4 WAN address.
AWT_G_ENDPOINT=""
AWT_IP_A=10.10.0.2
AWT_IP_G_LAN=10.10.0.1
AWT_IP_G_WAN=192.0.2.1
AWT_IP_P_WAN=192.0.2.2
AWT_IP_P_LAN=10.20.0.1
AWT_IP_B=10.20.0.2
# actorwire's tunnel-side address ([interface] addresses): reachable from site B through the
# tunnel only (P routes site A's /24 into it), for monitoring.
AWT_IP_G_TUNNEL=10.10.0.254
AWT_WG_PORT=51820
AWT_IPERF_PORT=5201

AWT_MODE=""
AWT_WORK=""            # temp dir: keys/ (0700, files 0600), logs/, actorwire config
declare -A AWT_PIDS=() # role -> PID of a background process we started (g, p, iperf)
AWT_CLEANED=0

awt_log() { printf '[awt %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# Sets the names, creates the temp dir and installs the cleanup trap. Call once, first.
awt_init() {
  if [[ ! "$AWT_SUFFIX" =~ ^[a-z0-9]{1,10}$ ]]; then
    echo "AWT_SUFFIX must be 1..10 characters [a-z0-9], got '$AWT_SUFFIX'" >&2
    return 1
  fi
  if [[ ! "${AWT_LAN_PMD:-af_packet}" =~ ^(af_packet|pcap)$ ]]; then
    echo "AWT_LAN_PMD must be af_packet or pcap, got '$AWT_LAN_PMD'" >&2
    return 1
  fi
  if ((EUID != 0)); then
    echo "needs root (network namespaces, veth pairs, TUN devices)" >&2
    return 1
  fi
  NS_A="awt-${AWT_SUFFIX}-a"
  NS_G="awt-${AWT_SUFFIX}-g"
  NS_P="awt-${AWT_SUFFIX}-p"
  NS_B="awt-${AWT_SUFFIX}-b"
  WG_G="awg-g${AWT_SUFFIX}"  # <= 15 chars: also the UAPI socket name
  WG_P="awg-p${AWT_SUFFIX}"
  AWT_WORK="$(mktemp -d "/tmp/awt-${AWT_SUFFIX}.XXXXXX")"
  mkdir -m 700 "$AWT_WORK/keys" "$AWT_WORK/logs"
  # EXIT covers normal ends and `exit` from the signal handlers; INT/TERM must exit explicitly
  # (otherwise bash would continue after the handler).
  trap cleanup EXIT
  trap 'cleanup; trap - EXIT; exit 130' INT
  trap 'cleanup; trap - EXIT; exit 143' TERM
}

# require_tools: false (and says which) when a tool the harness runs is missing.
require_tools() {
  local tool missing=()
  for tool in ip wg wireguard-go iperf3 ethtool ping ss timeout awk python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "missing: ${missing[*]} (scripts/install-deps.sh --test installs them)" >&2
  return 1
}

# in_ns NS cmd...: run cmd in a namespace; NS is a role letter (A G P B) or a full name.
in_ns() {
  local ns
  case "$1" in
    A | a) ns="$NS_A" ;; G | g) ns="$NS_G" ;; P | p) ns="$NS_P" ;; B | b) ns="$NS_B" ;;
    *) ns="$1" ;;
  esac
  shift
  ip netns exec "$ns" "$@"
}

# ---------------------------------------------------------------------------------------------
# Cleanup

# Removes one namespace set: kills what still runs inside (only processes in our own
# namespaces, by PID), deletes the namespaces (and with them the veths) and stale UAPI sockets.
_awt_remove_set() {
  local suffix="$1" ns pid
  for ns in "awt-${suffix}-a" "awt-${suffix}-g" "awt-${suffix}-p" "awt-${suffix}-b"; do
    [[ -e "/run/netns/$ns" ]] || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
  done
  sleep 0.2
  for ns in "awt-${suffix}-a" "awt-${suffix}-g" "awt-${suffix}-p" "awt-${suffix}-b"; do
    [[ -e "/run/netns/$ns" ]] || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null || awt_log "could not delete namespace $ns"
  done
  # wireguard-go removes its socket on a clean exit, not after SIGKILL.
  rm -f "/var/run/wireguard/awg-g${suffix}.sock" "/var/run/wireguard/awg-p${suffix}.sock"
}

# Leftovers of crashed runs (namespaces, UAPI sockets, temp dirs with keys): our own names
# (same suffix), and sets whose suffix is the PID of a process that no longer exists (the
# default suffix is the creating shell's PID). Sets of live runs are never touched.
cleanup_stale() {
  local name suffix dir
  declare -A seen=()
  while read -r name; do
    [[ "$name" =~ ^awt-([a-z0-9]+)(-[agpb]|\.[A-Za-z0-9]{6})$ ]] || continue
    [[ "/tmp/$name" == "$AWT_WORK" ]] && continue  # ours, just created
    suffix="${BASH_REMATCH[1]}"
    [[ -n "${seen[$suffix]:-}" ]] && continue
    seen[$suffix]=1
    if [[ "$suffix" == "$AWT_SUFFIX" ]] ||
      { [[ "$suffix" =~ ^[0-9]+$ ]] && ! kill -0 "$suffix" 2>/dev/null; }; then
      awt_log "removing leftovers of an earlier run: awt-${suffix}-*"
      _awt_remove_set "$suffix"
      for dir in /tmp/awt-"$suffix".??????; do
        [[ -d "$dir" && "$dir" != "$AWT_WORK" ]] && rm -rf "$dir"
      done
    fi
  done < <(ip netns list 2>/dev/null | awk '{ print $1 }'
           find /tmp -maxdepth 1 -type d -name 'awt-*.??????' -printf '%f\n' 2>/dev/null)
}

# Idempotent; runs from the EXIT/INT/TERM traps.
cleanup() {
  ((AWT_CLEANED)) && return 0
  AWT_CLEANED=1
  [[ -n "${NS_A:-}" ]] || return 0
  stop_iperf_server
  stop_gateway
  stop_peer
  _awt_remove_set "$AWT_SUFFIX"
  if [[ -n "$AWT_WORK" && -d "$AWT_WORK" ]]; then
    if [[ -n "${AWT_KEEP_LOGS:-}" ]]; then
      mkdir -p "$AWT_KEEP_LOGS" && cp -r "$AWT_WORK/logs/." "$AWT_KEEP_LOGS/" &&
        awt_log "logs kept in $AWT_KEEP_LOGS"
    fi
    rm -rf "$AWT_WORK"  # the keys and the actorwire config (private key) with it
  fi
}

# ---------------------------------------------------------------------------------------------
# Topology

# setup_namespaces MODE: namespaces, veth pairs, addresses and routes for hosts A, B, peer P,
# and G's links for MODE (wggo: kernel addresses + forwarding; actorwire: bare links for DPDK).
setup_namespaces() {
  AWT_MODE="$1"
  case "$AWT_MODE" in wggo | actorwire) ;; *) echo "unknown mode '$AWT_MODE'" >&2; return 1 ;; esac
  cleanup_stale
  local ns
  for ns in "$NS_A" "$NS_G" "$NS_P" "$NS_B"; do
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    # No IPv6: keeps router solicitations, DAD and MLD off the links (actorwire's ports would
    # otherwise receive them, and they add noise to byte counters).
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  # Created directly in the namespaces: the names never exist in the host namespace.
  ip link add vethA netns "$NS_A" type veth peer lan netns "$NS_G" || return 1
  ip link add wan netns "$NS_G" type veth peer wanp netns "$NS_P" || return 1
  ip link add vethPB netns "$NS_P" type veth peer vethB netns "$NS_B" || return 1

  # Host A: MTU 1420 = the tunnel's inner MTU, so TCP's MSS fits without fragmentation.
  ip -n "$NS_A" link set vethA mtu 1420 up
  ip -n "$NS_A" addr add "$AWT_IP_A/24" dev vethA
  ip -n "$NS_A" route add default via "$AWT_IP_G_LAN"
  # Host B: the same MTU for symmetric MSS.
  ip -n "$NS_B" link set vethB mtu 1420 up
  ip -n "$NS_B" addr add "$AWT_IP_B/24" dev vethB
  ip -n "$NS_B" route add default via "$AWT_IP_P_LAN"
  # Peer P: a router between the WAN and B's subnet; the tunnel route comes with wireguard-go.
  ip -n "$NS_P" link set wanp up
  ip -n "$NS_P" addr add "$AWT_IP_P_WAN/24" dev wanp
  ip -n "$NS_P" link set vethPB up
  ip -n "$NS_P" addr add "$AWT_IP_P_LAN/24" dev vethPB
  in_ns P sysctl -qw net.ipv4.ip_forward=1

  if [[ "$AWT_MODE" == wggo ]]; then
    ip -n "$NS_G" link set lan up
    ip -n "$NS_G" addr add "$AWT_IP_G_LAN/24" dev lan
    ip -n "$NS_G" link set wan up
    ip -n "$NS_G" addr add "$AWT_IP_G_WAN/24" dev wan
    in_ns G sysctl -qw net.ipv4.ip_forward=1
    [[ "${AWT_OFFLOADS:-}" == off ]] && { set_veth_offloads off || return 1; }
  else
    # actorwire owns lan/wan through af_packet and answers ARP itself: no kernel addresses
    # (the kernel would answer ARP and send RSTs/ICMP too), no forwarding, no IPv6.
    in_ns G sysctl -qw net.ipv4.ip_forward=0
    ip -n "$NS_G" link set lan up
    ip -n "$NS_G" link set wan up
    set_veth_offloads off || return 1
  fi
  generate_keys
}

# enable_ipv6_sites: IPv6 on the site links (A, B, P's LAN side and its tunnel, G's LAN in mode
# wggo), never on the WAN; addresses (nodad: usable at once) and default routes; no router
# solicitations (they would only add noise). Peers started afterwards get the IPv6 prefixes too.
enable_ipv6_sites() {
  local ns
  AWT_IPV6=1
  local namespaces=(A B P)
  # In mode actorwire G's kernel keeps IPv6 off: DPDK owns lan and answers ND itself.
  [[ "$AWT_MODE" == wggo ]] && namespaces+=(G)
  for ns in "${namespaces[@]}"; do
    in_ns "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.all.disable_ipv6=0 \
      net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
      net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0 ||
      return 1
  done
  # The WAN stays IPv4-only (outer transport).
  in_ns P sysctl -qw net.ipv6.conf.wanp.disable_ipv6=1 net.ipv6.conf.all.forwarding=1 || return 1
  if [[ "$AWT_MODE" == wggo ]]; then
    in_ns G sysctl -qw net.ipv6.conf.wan.disable_ipv6=1 net.ipv6.conf.all.forwarding=1 || return 1
    ip -n "$NS_G" addr add "$AWT_IP6_G_LAN/64" dev lan nodad || return 1
  fi
  ip -n "$NS_A" addr add "$AWT_IP6_A/64" dev vethA nodad || return 1
  ip -n "$NS_A" -6 route add default via "$AWT_IP6_G_LAN" || return 1
  ip -n "$NS_P" addr add "$AWT_IP6_P_LAN/64" dev vethPB nodad || return 1
  ip -n "$NS_B" addr add "$AWT_IP6_B/64" dev vethB nodad || return 1
  ip -n "$NS_B" -6 route add default via "$AWT_IP6_P_LAN" || return 1
}

# enable_ipv6_wan: IPv6 on the WAN link too (P's wanp; G's wan in mode wggo), for WireGuard
# over IPv6. Call after enable_ipv6_sites.
enable_ipv6_wan() {
  in_ns P sysctl -qw net.ipv6.conf.wanp.disable_ipv6=0 net.ipv6.conf.wanp.accept_dad=0 || return 1
  ip -n "$NS_P" addr add "$AWT_IP6_P_WAN/64" dev wanp nodad || return 1
  if [[ "$AWT_MODE" == wggo ]]; then
    in_ns G sysctl -qw net.ipv6.conf.wan.disable_ipv6=0 net.ipv6.conf.wan.accept_dad=0 || return 1
    ip -n "$NS_G" addr add "$AWT_IP6_G_WAN/64" dev wan nodad || return 1
  fi
}

# set_veth_offloads on|off: tx checksum offload, TSO, GSO, GRO on vethA, lan, wan, wanp.
# af_packet sees frames as the kernel hands them over: with offloads on, veth passes partial
# (not yet computed) checksums and up to 64 KB GSO super-frames, which a DPDK port must never
# see. Both sides of both links, so neither direction produces them.
set_veth_offloads() {
  local state="$1" pair
  for pair in A:vethA G:lan G:wan P:wanp; do
    in_ns "${pair%%:*}" ethtool -K "${pair#*:}" tx "$state" tso "$state" gso "$state" \
      gro "$state" >/dev/null 2>&1 ||
      { awt_log "ethtool -K ${pair#*:} failed"; return 1; }
  done
}

generate_keys() {
  local who umask_old
  umask_old="$(umask)"
  umask 077
  for who in g p; do
    wg genkey >"$AWT_WORK/keys/$who.key"
    wg pubkey <"$AWT_WORK/keys/$who.key" >"$AWT_WORK/keys/$who.pub"
  done
  umask "$umask_old"
  chmod 600 "$AWT_WORK"/keys/*
  KEY_G_PUB="$(cat "$AWT_WORK/keys/g.pub")"
  KEY_P_PUB="$(cat "$AWT_WORK/keys/p.pub")"
}

# ---------------------------------------------------------------------------------------------
# wireguard-go

# _start_wireguard_go ROLE NS IFNAME: starts wireguard-go in the foreground (so $! is its PID:
# `ip netns exec` execs it) and waits for its UAPI socket.
_start_wireguard_go() {
  local role="$1" ns="$2" ifname="$3" i
  local log="$AWT_WORK/logs/wireguard-go-$role.log"
  echo "---- start $(date +%T.%N)" >>"$log"
  WG_PROCESS_FOREGROUND=1 LOG_LEVEL=verbose ip netns exec "$ns" wireguard-go "$ifname" \
    >>"$log" 2>&1 &
  AWT_PIDS[$role]=$!
  for ((i = 0; i < 50; i++)); do
    [[ -S "/var/run/wireguard/$ifname.sock" ]] && return 0
    kill -0 "${AWT_PIDS[$role]}" 2>/dev/null || break
    sleep 0.1
  done
  awt_log "wireguard-go $ifname did not come up (see $log)"
  tail -n 5 "$log" >&2
  return 1
}

_stop_pid() {  # _stop_pid ROLE SIGNAL TIMEOUT_TENTHS
  local role="$1" signal="$2" tenths="$3" pid="${AWT_PIDS[$1]:-}" i
  [[ -n "$pid" ]] || return 0
  kill "-$signal" "$pid" 2>/dev/null
  for ((i = 0; i < tenths; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    awt_log "$role (PID $pid) ignored SIG$signal; killing it"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  unset "AWT_PIDS[$role]"
}

# start_peer_wireguard_go [--no-endpoint]: P's wireguard-go with G as its peer. Without G's
# endpoint P cannot initiate; it learns the endpoint from G's first authenticated message.
start_peer_wireguard_go() {
  local endpoint=(endpoint "${AWT_G_ENDPOINT:-$AWT_IP_G_WAN:$AWT_WG_PORT}")
  [[ "${1:-}" == --no-endpoint ]] && endpoint=()
  _start_wireguard_go p "$NS_P" "$WG_P" || return 1
  local allowed="$AWT_SUBNET_A"
  ((AWT_IPV6)) && allowed+=",$AWT_SUBNET6_A"
  in_ns P wg set "$WG_P" private-key "$AWT_WORK/keys/p.key" listen-port "$AWT_WG_PORT" \
    peer "$KEY_G_PUB" allowed-ips "$allowed" "${endpoint[@]}" || return 1
  ip -n "$NS_P" link set "$WG_P" up || return 1
  ip -n "$NS_P" route add "$AWT_SUBNET_A" dev "$WG_P" || return 1
  if ((AWT_IPV6)); then ip -n "$NS_P" -6 route add "$AWT_SUBNET6_A" dev "$WG_P" || return 1; fi
  in_ns P wg show "$WG_P" dump >/dev/null || { awt_log "wg show $WG_P dump failed"; return 1; }
}

stop_peer() { _stop_pid p TERM 30; }

# restart_peer [--no-endpoint]: a fresh wireguard-go process (no sessions) with the same key.
# The TUN interface and its route disappear with the old process and are recreated.
restart_peer() {
  stop_peer
  start_peer_wireguard_go "$@"
}

# ---------------------------------------------------------------------------------------------
# Gateway G

# start_gateway MODE (default: the mode of setup_namespaces).
start_gateway() {
  local mode="${1:-$AWT_MODE}"
  case "$mode" in
    wggo)
      _start_wireguard_go g "$NS_G" "$WG_G" || return 1
      local allowed="$AWT_SUBNET_B"
      ((AWT_IPV6)) && allowed+=",$AWT_SUBNET6_B"
      in_ns G wg set "$WG_G" private-key "$AWT_WORK/keys/g.key" listen-port "$AWT_WG_PORT" \
        peer "$KEY_P_PUB" allowed-ips "$allowed" endpoint "$AWT_IP_P_WAN:$AWT_WG_PORT" ||
        return 1
      ip -n "$NS_G" link set "$WG_G" up || return 1
      ip -n "$NS_G" route add "$AWT_SUBNET_B" dev "$WG_G" || return 1
      if ((AWT_IPV6)); then ip -n "$NS_G" -6 route add "$AWT_SUBNET6_B" dev "$WG_G" || return 1; fi
      in_ns G wg show "$WG_G" dump >/dev/null || { awt_log "wg show $WG_G failed"; return 1; }
      ;;
    actorwire) _start_actorwire ;;
    *) echo "unknown mode '$mode'" >&2; return 1 ;;
  esac
}

# SIGINT: actorwire prints its summary on exit (and wireguard-go exits cleanly on it too).
# DPDK leaves its runtime directory /var/run/dpdk/actorwire<PID> (actorwire's default
# --file-prefix) behind; `ip netns exec` execs the binary, so that is our PID.
stop_gateway() {
  local pid="${AWT_PIDS[g]:-}"
  _stop_pid g INT 100
  [[ -n "$pid" && "$AWT_MODE" == actorwire ]] && rm -rf "/var/run/dpdk/actorwire$pid"
  return 0
}

restart_gateway() {
  stop_gateway
  start_gateway "$@"
}

# The LAN port's DPDK device. AWT_LAN_PMD=pcap uses the pcap PMD (libpcap's own packet socket,
# without the af_packet PMD's PACKET_FANOUT_FLAG_DEFRAG), so IPv4 fragments from host A reach
# the gateway as fragments, as they would from a NIC. One queue pair only: not for the workers.
lan_device() {
  case "${AWT_LAN_PMD:-af_packet}" in
    af_packet) echo "net_af_packet0,iface=lan" ;;
    pcap) echo "net_pcap0,iface=lan" ;;
  esac
}

# The gateway's config: the af_packet PMD binds to the existing kernel interfaces lan and wan
# of namespace G (the process runs inside it). No huge pages, no PCI scan.
write_actorwire_config() {
  local config="$AWT_WORK/actorwire.toml"
  (
    umask 077
    cat >"$config" <<EOF
# generated by tests/interop/netns-lib.sh
[interface]
private_key = "$(cat "$AWT_WORK/keys/g.key")"
listen_port = $AWT_WG_PORT
mtu = 1420
addresses = ["$AWT_IP_G_TUNNEL/32"]
mss_clamping = ${AWT_MSS_CLAMPING:-true}

[[port]]
role = "lan"
device = "$(lan_device)"
addresses = ["$AWT_IP_G_LAN/24", "$AWT_IP6_G_LAN/64"]

[[port]]
role = "wan"
device = "net_af_packet1,iface=wan"
addresses = ["$AWT_IP_G_WAN/24", "$AWT_IP6_G_WAN/64"]

[[peer]]
public_key = "$KEY_P_PUB"
endpoint = "$AWT_IP_P_WAN:$AWT_WG_PORT"
allowed_ips = ["$AWT_SUBNET_B", "$AWT_SUBNET6_B"]

[dpdk]
eal_args = ["--no-huge", "-m", "512", "--no-pci"]
mbuf_count = 8192

[topology]
kind = "${AWT_TOPOLOGY:-single}"
crypto_workers = ${AWT_CRYPTO_WORKERS:-2}
EOF
  )
  chmod 600 "$config"
  echo "$config"
}

# Starts actorwire in G and waits until it has started its ports (or 10 s, or it died).
_start_actorwire() {
  local bin="${AWT_ACTORWIRE_BIN:-}" config log="$AWT_WORK/logs/actorwire.log" i first
  if [[ -z "$bin" || ! -x "$bin" ]]; then
    awt_log "actorwire binary '$bin' not executable (set AWT_ACTORWIRE_BIN)"
    return 1
  fi
  config="$(write_actorwire_config)"
  echo "---- start $(date +%T.%N): $bin run -c $config" >>"$log"
  first=$(wc -l <"$log")  # this start's output begins after that line
  # --live: the stats lines each second (actorwire_summary waits for the one after a summary),
  # which stdout to a file would not get otherwise.
  # shellcheck disable=SC2086 # AWT_ACTORWIRE_RUN_ARGS: extra options, split on spaces
  ip netns exec "$NS_G" "$bin" run -c "$config" --live ${AWT_ACTORWIRE_RUN_ARGS:-} >>"$log" 2>&1 &
  AWT_PIDS[g]=$!
  # It logs "actorwire: topology ..." once the ports run (on stderr, journald's "<6>" first,
  # since stderr is no terminal); stats lines follow each second.
  for ((i = 0; i < 100; i++)); do
    kill -0 "${AWT_PIDS[g]}" 2>/dev/null || break
    tail -n +"$((first + 1))" "$log" | grep -qE '^(<6>)?actorwire: topology' && return 0
    sleep 0.1
  done
  if kill -0 "${AWT_PIDS[g]}" 2>/dev/null; then
    awt_log "actorwire runs but printed no start line within 10 s"
    return 0
  fi
  wait "${AWT_PIDS[g]}"
  awt_log "actorwire exited with status $? during start; its output:"
  tail -n +"$((first + 1))" "$log" | tail -n 20 >&2
  unset "AWT_PIDS[g]"
  return 1
}

gateway_alive() { [[ -n "${AWT_PIDS[g]:-}" ]] && kill -0 "${AWT_PIDS[g]}" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# Observations

# neighbour_mac NS DEV IP: the MAC the namespace learned for IP (empty when unresolved).
neighbour_mac() {
  ip -n "$(_ns "$1")" neigh show "$3" dev "$2" 2>/dev/null |
    sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p' | head -n 1
}
_ns() { case "$1" in A | a) echo "$NS_A" ;; G | g) echo "$NS_G" ;; P | p) echo "$NS_P" ;;
  B | b) echo "$NS_B" ;; *) echo "$1" ;; esac; }

# The wg tool finds userspace interfaces through /var/run/wireguard/<if>.sock, which all
# namespaces share; we still run it in the owning namespace. `wg show IF dump` prints the
# interface line, then per peer: public-key preshared-key endpoint allowed-ips
# latest-handshake rx-bytes tx-bytes persistent-keepalive (tab-separated).
_wg_ns() { case "$1" in "$WG_G") echo "$NS_G" ;; *) echo "$NS_P" ;; esac; }

# latest_handshake IFNAME: newest handshake time of any peer (UNIX seconds, 0 = never).
latest_handshake() {
  in_ns "$(_wg_ns "$1")" wg show "$1" dump 2>/dev/null |
    awk -F'\t' 'NR > 1 && $5 > t { t = $5 } END { print t + 0 }'
}

# peer_endpoint IFNAME: the endpoint of the (first) peer, "(none)" if unknown.
peer_endpoint() {
  in_ns "$(_wg_ns "$1")" wg show "$1" dump 2>/dev/null | awk -F'\t' 'NR == 2 { print $3 }'
}

# peer_transfer IFNAME: "RX TX" bytes summed over the peers.
peer_transfer() {
  in_ns "$(_wg_ns "$1")" wg show "$1" dump 2>/dev/null |
    awk -F'\t' 'NR > 1 { rx += $6; tx += $7 } END { print rx + 0, tx + 0 }'
}

# wait_for_handshake IFNAME TIMEOUT_S [NEWER_THAN]: waits for a handshake newer than
# NEWER_THAN (UNIX seconds; default 0 = any). Status 0 when one happened.
wait_for_handshake() {
  local ifname="$1" timeout="$2" newer="${3:-0}" deadline
  deadline=$((SECONDS + timeout))
  while ((SECONDS <= deadline)); do
    (($(latest_handshake "$ifname") > newer)) && return 0
    sleep 0.2
  done
  return 1
}

# actorwire_summary FILE: makes the running actorwire print its summary (SIGUSR1, it keeps
# running) and writes that summary (the "summary after" line up to the last peer line) to FILE.
# actorwire prints it at its next 1 s tick, and it reaches the log file only with the live
# line after it (stdout to a file is flushed per live line): up to ~2 s. Status 1 when no
# complete summary appeared within 5 s (gateway gone?).
actorwire_summary() {
  local out="$1" log="$AWT_WORK/logs/actorwire.log" pid="${AWT_PIDS[g]:-}" before i
  [[ -n "$pid" && -f "$log" ]] || return 1
  before=$(grep -c '^summary after' "$log")
  kill -USR1 "$pid" 2>/dev/null || return 1
  for ((i = 0; i < 50; i++)); do
    sleep 0.1
    # Complete once a live line ("[  12.0s] ...") follows the new summary.
    if awk -v n="$before" '/^summary after/ { c++ } c > n && /^\[/ { found = 1; exit }
                           END { exit !found }' "$log"; then
      awk -v n="$before" '/^summary after/ { c++ }
                          c == n + 1 { if (/^\[/ || /^----/) exit; if (NF) print }' "$log" >"$out"
      return 0
    fi
  done
  awt_log "actorwire printed no summary within 5 s of SIGUSR1"
  return 1
}

# summary_drops FILE: "SIDE/REASON COUNT" per drop reason of a summary (zeros omitted), SIDE
# being "handshake" (the control actor) or "data" (all data-plane actors together, whatever
# the topology: single, workerN, or rx/lookup/cryptoN/tx).
summary_drops() {
  awk '/^[^ ]/ { side = ($1 == "handshake" ? "handshake" : "data") }
       /^    drop / { sub(/:$/, "", $2); sum[side "/" $2] += $3 }
       END { for (k in sum) print k, sum[k] }' "$1"
}

# summary_router FILE EVENT: the sum over all actors of a router event line ("    EVENT: N":
# icmp_sent, icmp_suppressed, mss_clamped, fragmented), 0 if none.
summary_router() {
  awk -v e="$2" '$1 == e ":" { n += $2 } END { print n + 0 }' "$1"
}

# summary_actor FILE ACTOR: "PACKETS_IN PACKETS_OUT DROPS" of an actor's row (zeros if absent):
# the first three numbers after the name (more columns follow: busy, mailbox, stalls, ...).
summary_actor() {
  awk -v a="$2" '$1 == a && $2 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/ { print $2, $3, $4; f = 1; exit }
                 END { if (!f) print 0, 0, 0 }' "$1"
}

# summary_peer FILE PUBKEY: "RX_PACKETS RX_BYTES TX_PACKETS TX_BYTES KEEPALIVES_SENT
# KEEPALIVES_RECEIVED SESSIONS" from the peer's line, e.g.
#   peer KEY: rx 4 packets 512 bytes, tx 20 packets 2464 bytes, keepalives 1 sent 0 received,
#   sessions 2
# Nothing (status 1) when the line is missing.
summary_peer() {
  awk -v k="$2:" '$1 == "peer" && $2 == k { print $4, $6, $9, $11, $14, $16, $19; f = 1; exit }
                  END { exit !f }' "$1"
}

# udp_in_errors NS: UDP datagrams the namespace's kernel dropped on receive (full socket
# buffer, bad checksum): the Udp InErrors counter of /proc/net/snmp (per namespace).
udp_in_errors() {
  in_ns "$1" cat /proc/net/snmp |
    awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 }
                   else { print $col["InErrors"]; exit } }'
}

# link_counter NS DEV NAME: a kernel statistics counter of a link (rx_dropped, tx_dropped, ...).
link_counter() {
  in_ns "$1" cat "/sys/class/net/$2/statistics/$3" 2>/dev/null || echo 0
}

# ns_of_ip IP: which of our namespaces holds the address.
ns_of_ip() {
  local ns
  for ns in "$NS_A" "$NS_G" "$NS_P" "$NS_B"; do
    ip -n "$ns" -o -4 addr show 2>/dev/null | grep -q " inet $1/" && { echo "$ns"; return 0; }
  done
  return 1
}

stop_iperf_server() { _stop_pid iperf TERM 20; }

# iperf_tcp FROM_NS TO_IP SECONDS: TCP throughput FROM_NS -> TO_IP (server in TO_IP's
# namespace). Prints Mbit/s as received by the server and sets AWT_IPERF_MBPS and
# AWT_IPERF_JSON (the full report, kept in the log directory); status non-zero on any error.
# Call it directly (not in $(...)) to keep the globals and the server's PID for cleanup.
AWT_IPERF_MBPS=""
AWT_IPERF_JSON=""
iperf_tcp() {
  local from="$1" to_ip="$2" seconds="$3" to_ns json bps i status
  AWT_IPERF_MBPS=""
  to_ns="$(ns_of_ip "$to_ip")" || { awt_log "no namespace holds $to_ip"; return 1; }
  json="$(mktemp "$AWT_WORK/logs/iperf-XXXX.json")"
  AWT_IPERF_JSON="$json"
  # -1: one test, then exit. Not -D: we keep its PID so cleanup can stop it if the client never
  # arrives. Bound to TO_IP so the test cannot pass over another address.
  ip netns exec "$to_ns" iperf3 -s -1 -B "$to_ip" -p "$AWT_IPERF_PORT" \
    >"${json%.json}-server.log" 2>&1 &
  AWT_PIDS[iperf]=$!
  for ((i = 0; i < 30; i++)); do
    ip netns exec "$to_ns" ss -Hltn "sport = :$AWT_IPERF_PORT" 2>/dev/null | grep -q . && break
    sleep 0.1
  done
  # Background + wait: a signal's trap runs at once instead of after the client's end.
  timeout $((seconds + 20)) ip netns exec "$(_ns "$from")" iperf3 -c "$to_ip" \
    -p "$AWT_IPERF_PORT" -t "$seconds" --connect-timeout 3000 --json >"$json" 2>&1 &
  wait $!
  status=$?
  stop_iperf_server
  # The JSON is pretty-printed: the first bits_per_second after "sum_received" is the
  # receiver's average over the whole test.
  bps="$(awk '/"sum_received"/ { f = 1 }
              f && /"bits_per_second"/ { gsub(/[^0-9.e+]/, "", $2); print $2; exit }' "$json")"
  if ((status != 0)) || grep -q '"error"' "$json" || [[ -z "$bps" ]]; then
    awt_log "iperf3 failed (status $status): $(grep -m1 '"error"' "$json" | tr -s ' ')"
    return 1
  fi
  AWT_IPERF_MBPS="$(awk -v b="$bps" 'BEGIN { printf "%.0f", b / 1e6 }')"
  echo "$AWT_IPERF_MBPS"
}

# iperf_retransmits: TCP retransmissions (sender side) of the last iperf_tcp run.
iperf_retransmits() {
  awk '/"sum_sent"/ { f = 1 } f && /"retransmits"/ { gsub(/[^0-9]/, "", $2); print $2; exit }' \
    "$AWT_IPERF_JSON"
}
