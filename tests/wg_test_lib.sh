# shellcheck shell=bash
# Sourced by the shell tests that run actorwire beside wg(8) (wg_tools.sh, live_reload.sh):
# `wg_test_init PREFIX` skips (exit 77) without wg or root, makes a work dir, an instance name
# of its own (PREFIX + PID) and a cleanup trap that kills the daemon (set `daemon` to its PID)
# and removes its UAPI socket. Also `fail`, `bounded SECONDS CMD...` and wait_for.
fail() { echo "FAIL: $*"; exit 1; }
bounded() {
  local seconds="$1"
  shift
  timeout --kill-after=5 "$seconds" "$@"
}
wg_test_cleanup() {
  [[ -z "$daemon" ]] || kill -9 "$daemon" 2>/dev/null || true
  rm -f "/var/run/wireguard/$name.sock"
  rm -rf "$work"
}
wg_test_init() {
  command -v wg >/dev/null || { echo "SKIP: no wg(8) (apt-get install wireguard-tools)"; exit 77; }
  [[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root for /var/run/wireguard"; exit 77; }
  work="$(mktemp -d)"
  name="$1$$"
  name="${name:0:15}"
  daemon=""
  trap wg_test_cleanup EXIT
}
# shellcheck source=tests/wait_for.sh
source "$(dirname "${BASH_SOURCE[0]}")/wait_for.sh"
