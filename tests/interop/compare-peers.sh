#!/usr/bin/env bash
# Baseline throughput in the interop namespaces (see netns-lib.sh), as a markdown table:
# iperf3 TCP from host A, with the veth offloads on (kernel default) and off (as actorwire's
# af_packet ports need them), over
#   - the bare veth A -> G (no forwarding, no tunnel: the link's ceiling),
#   - A -> G -> P -> B routed in clear (the same two forwarding hops as the tunnel, no crypto),
#   - A -> B through the wireguard-go gateway G and wireguard-go peer P,
#   - A -> B through actorwire as G (only with --actorwire; offloads off only).
# Needs root; creates and removes its namespaces itself. Takes about 6 x SECONDS + 10 s.
#
# Usage: tests/interop/compare-peers.sh [--seconds N] [--actorwire BIN]
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/netns-lib.sh
source "$here/netns-lib.sh"

seconds=10
actorwire_bin=""
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --actorwire) actorwire_bin="$2"; shift 2 ;;
    *) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2 ;;
  esac
done

# measure FROM TO_IP: sets $result to "Mbit/s (retransmissions)" or "failed". Not in $(...):
# the iperf3 server's PID must stay known to the cleanup trap.
result=""
measure() {
  if iperf_tcp "$1" "$2" "$seconds" >/dev/null; then
    result="$AWT_IPERF_MBPS ($(iperf_retransmits) retr.)"
  else
    result="failed"
  fi
}

# Cleartext routing over the WAN link instead of the tunnel, and back.
route_clear() {
  ip -n "$NS_G" route replace "$AWT_SUBNET_B" via "$AWT_IP_P_WAN" dev wan
  ip -n "$NS_P" route replace "$AWT_SUBNET_A" via "$AWT_IP_G_WAN" dev wanp
}
route_tunnel() {
  ip -n "$NS_G" route replace "$AWT_SUBNET_B" dev "$WG_G"
  ip -n "$NS_P" route replace "$AWT_SUBNET_A" dev "$WG_P"
}

declare -A cell=()
awt_init || exit 2
setup_namespaces wggo || exit 2
start_peer_wireguard_go || exit 2
start_gateway wggo || exit 2
# The handshake first, so it is not part of the measurement.
in_ns B ping -n -c 2 -W 2 "$AWT_IP_A" >/dev/null || awt_log "warning: tunnel ping failed"

for offloads in on off; do
  set_veth_offloads "$offloads" || exit 2
  awt_log "offloads $offloads: veth A -> G"
  measure A "$AWT_IP_G_LAN"; cell[$offloads,veth]="$result"
  awt_log "offloads $offloads: routed in clear A -> B"
  route_clear
  measure A "$AWT_IP_B"; cell[$offloads,routed]="$result"
  route_tunnel
  awt_log "offloads $offloads: wireguard-go tunnel A -> B"
  in_ns A ping -n -c 1 -W 2 "$AWT_IP_B" >/dev/null  # re-handshake if the session went idle
  measure A "$AWT_IP_B"; cell[$offloads,wggo]="$result"
done
cell[on,actorwire]="n/a (needs offloads off)"
cell[off,actorwire]="not run (--actorwire BIN)"

if [[ -n "$actorwire_bin" ]]; then
  # A second namespace set with actorwire as G (same names: the first set is removed first).
  cleanup
  AWT_CLEANED=0
  AWT_ACTORWIRE_BIN="$actorwire_bin"
  awt_init || exit 2
  if setup_namespaces actorwire && start_peer_wireguard_go && start_gateway actorwire; then
    in_ns B ping -n -c 2 -W 2 "$AWT_IP_A" >/dev/null || awt_log "warning: tunnel ping failed"
    awt_log "offloads off: actorwire tunnel A -> B"
    measure A "$AWT_IP_B"; cell[off,actorwire]="$result"
  else
    cell[off,actorwire]="failed to start"
  fi
fi

echo
echo "iperf3 TCP A -> server, ${seconds} s, Mbit/s received (sender retransmissions);" \
  "$(nproc) CPUs, kernel $(uname -r), $(wireguard-go --version 2>/dev/null | head -n 1)," \
  "$(date +%F)"
echo
echo "| veth offloads | veth A -> G (no forwarding) | routed A -> B, no tunnel | wireguard-go gateway | actorwire gateway |"
echo "|---|---|---|---|---|"
for offloads in on off; do
  label="on (default)"
  [[ "$offloads" == off ]] && label="off (tx csum, TSO, GSO, GRO)"
  echo "| $label | ${cell[$offloads,veth]} | ${cell[$offloads,routed]} | ${cell[$offloads,wggo]} | ${cell[$offloads,actorwire]} |"
done
