# shellcheck shell=bash
# Sourced by the shell tests: every wait has a deadline and says what it waited for.
# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it succeeds, or calls the
# test's own `fail` after SECONDS.
wait_for() {
  local seconds="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after $seconds s waiting for $what"
    sleep 0.1
  done
}
