#!/usr/bin/env bash
# `actorwire stats` live, as a user sees it: in a detached tmux pane of a fixed size, against a
# pipeline daemon (2 crypto workers) carrying the built-in generator's traffic.
#   1. the graph's rows (rx, lookup, crypto0, crypto1, tx, handshake), a rate, the peer row and
#      the key legend; `t` shows totals; `q` quits with status 0; SIGTERM ends it with 0 too.
#   2. crypto1 slowed down on purpose (ACTORWIRE_TEST_DELAY_ACTOR): the bottleneck marker is on
#      crypto1's box and nowhere else; when the daemon goes away, stats says so and exits 1.
# Its own socket directory and tmux server: nothing else is touched; a trap cleans up.
set -euo pipefail
actorwire="$1"
work="$(mktemp -d)"
tmux_server="aw-stats-view-$$"
daemon=""
cleanup() {
  tmux -L "$tmux_server" kill-server 2>/dev/null || true
  if [[ -n "$daemon" ]]; then kill -9 "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  if [[ -f "$work/pane.txt" ]]; then echo "--- last pane capture:"; cat "$work/pane.txt"; fi
  if [[ -f "$work/stats.err" ]]; then echo "--- stats stderr:"; cat "$work/stats.err"; fi
  exit 1
}
tmux() { command tmux -L "$tmux_server" -f /dev/null "$@"; }

# shellcheck source=tests/wait_for.sh
source "$(dirname "$0")/wait_for.sh"
capture() { tmux capture-pane -p -t view >"$work/pane.txt"; }
pane_shows() { capture && grep -qE -- "$1" "$work/pane.txt"; }
# The view runs as the child of a shell that records its exit status (143: killed by SIGTERM):
# tmux's own #{pane_dead_status} can lag behind the pane's end.
exit_status() { cat "$work/stats.status" 2>/dev/null; }
pane_exited() { [[ -s "$work/stats.status" ]]; }
stats_pid() { cat "/proc/$(cat "$work/shell.pid")/task/$(cat "$work/shell.pid")/children"; }

start_daemon() {  # start_daemon [VAR=VALUE...]: the embedded default as a 2-worker pipeline
  # env execs actorwire, so $! is the daemon itself (kill -9 must not hit a wrapper).
  env "$@" "$actorwire" run -t pipeline -w 2 -d 60 --socket-dir "$work/run" \
    >"$work/daemon.out" 2>&1 &
  daemon=$!
  wait_for 30 "the daemon's control socket to answer" \
    "$actorwire" stats --socket-dir "$work/run" --json
}
stop_daemon() {
  kill -TERM "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  daemon=""
}
start_view() {  # the live view in a 120x50 pane
  tmux kill-session -t view 2>/dev/null || true
  rm -f "$work/stats.status"
  tmux new-session -d -s view -x 120 -y 50 "echo \$\$ >'$work/shell.pid'; \
    '$actorwire' stats aw0 --socket-dir '$work/run' 2>'$work/stats.err'; \
    echo \$? >'$work/stats.status.new'; mv '$work/stats.status.new' '$work/stats.status'"
  # The second snapshot brings the rates (the first frame shows "-").
  wait_for 15 "the graph with rates in the pane" pane_shows '\| rx +busy +[0-9]+%'
}

# --- 1. rows, rates, totals, q, SIGTERM
start_daemon
peer="$("$actorwire" stats --socket-dir "$work/run" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"][0]["public_key"][:12])')"
start_view
for row in '\| rx ' '\| lookup ' '\| crypto0 ' '\| crypto1 ' '\| tx ' '^  handshake \(control\)' \
  'in  [0-9.]+[kM]pps' "^  ${peer//+/\\+}\.\. " 'q quit' 'rates per second' '--->\| lookup'; do
  grep -qE -- "$row" "$work/pane.txt" || fail "no row matching '$row' in the pane"
done
tmux send-keys -t view t
# A capture can catch ncurses half-way through a redraw: wait for a whole totals frame.
totals_shown() { pane_shows '\[totals\]' && pane_shows 'in  [0-9.]+[kMG]?pk ' && ! pane_shows 'pps'; }
wait_for 15 "packet totals and no rates after 't'" totals_shown
tmux send-keys -t view q
wait_for 15 "stats to exit after 'q'" pane_exited
[[ "$(exit_status)" == 0 ]] || fail "stats exited $(exit_status) after 'q'"
start_view
kill -TERM "$(stats_pid)"
wait_for 15 "stats to exit after SIGTERM" pane_exited
[[ "$(exit_status)" == 0 ]] || fail "stats exited $(exit_status) after SIGTERM"
stop_daemon

# --- 2. a slow crypto worker is the bottleneck; the daemon going away ends the view
start_daemon ACTORWIRE_TEST_DELAY_ACTOR=crypto1=2000
start_view
wait_for 20 "the bottleneck line to name crypto1" pane_shows '^bottleneck: crypto1 \('
python3 - "$work/pane.txt" <<'PY' || fail "the marker is not on crypto1's box alone"
import sys
lines = open(sys.argv[1]).read().split("\n")
marks = [(i, line.find("BOTTLENECK")) for i, line in enumerate(lines) if "+== BOTTLENECK" in line]
assert len(marks) == 1, marks
row, column = marks[0]
box = lines[row + 1][column - 4:]  # the marker sits 4 columns into the box's top border
assert box.startswith("| crypto1 "), (row, column, lines[row + 1])
PY
stop_daemon
wait_for 15 "stats to exit when the daemon went away" pane_exited
[[ "$(exit_status)" == 1 ]] || fail "stats exited $(exit_status) when the daemon went away"
grep -q "lost the gateway 'aw0'" "$work/stats.err" || fail "no clear message when the daemon went away"
echo "2 passed, 0 failed"
