#!/usr/bin/env bash
# A real Prometheus scrapes a real daemon. The embedded default (in-process ring ports, the
# built-in generator) runs with `[metrics] listen` on a free loopback port; Debian's prometheus,
# on another free loopback port with a temporary data directory, scrapes it every second. The
# test asks Prometheus's HTTP API until the actorwire series exist and grow, runs
# `promtool check metrics` on the /metrics body (no findings allowed), compares /stats.json with
# the control socket's answer, and checks that the Grafana dashboard is valid JSON querying only
# metrics that /metrics has. Every process it starts is killed on exit.
# Usage: tests/prometheus.sh path/to/actorwire [path/to/grafana.json]
set -euo pipefail
actorwire="$1"
dashboard="${2:-$(dirname "$0")/../contrib/grafana/actorwire.json}"
work="$(mktemp -d)"
daemon=""
prometheus_pid=""
cleanup() {
  [[ -n "$daemon" ]] && kill -9 "$daemon" 2>/dev/null || true
  [[ -n "$prometheus_pid" ]] && kill -9 "$prometheus_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for log in daemon.out prometheus.log; do
    [[ -f "$work/$log" ]] && { echo "--- $log (tail)"; tail -5 "$work/$log"; }
  done
  exit 1
}
for tool in prometheus promtool curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh --test)"
done

# shellcheck source=tests/wait_for.sh
source "$(dirname "$0")/wait_for.sh"
# Two loopback ports nobody listens on (the kernel's picks, released again).
read -r metrics_port prometheus_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

# The daemon: the embedded default at a modest generator rate (this machine has 2 cores and
# Prometheus needs one too), with the metrics endpoint on.
"$actorwire" run --print-default-config |
  sed -E 's/^rate_pps = .*/rate_pps = 200000/' >"$work/gateway.toml"
grep -q '^rate_pps = 200000' "$work/gateway.toml" || fail "the default config has no rate_pps line"
printf '\n[metrics]\nlisten = "127.0.0.1:%s"\n' "$metrics_port" >>"$work/gateway.toml"
chmod 600 "$work/gateway.toml"
# Started directly (not under `timeout`) so that the trap's kill reaches it; -d bounds it.
"$actorwire" run -c "$work/gateway.toml" -d 90 --socket-dir "$work/run" >"$work/daemon.out" 2>&1 &
daemon=$!
metrics_url="http://127.0.0.1:$metrics_port"
wait_for 30 "the daemon's /metrics to answer 200" curl -sf "$metrics_url/metrics"

# Prometheus: its own data directory, loopback only, one scrape per second of the daemon.
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: actorwire
    static_configs:
      - targets: ["127.0.0.1:$metrics_port"]
EOF
promtool check config "$work/prometheus.yml" >"$work/promtool-config.out" 2>&1 ||
  fail "promtool check config: $(cat "$work/promtool-config.out")"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
prometheus_pid=$!
api="http://127.0.0.1:$prometheus_port/api/v1/query"
wait_for 30 "Prometheus to be ready" curl -sf "http://127.0.0.1:$prometheus_port/-/ready"

# value QUERY: the first result's value of an instant query ("" when there is none yet).
value() {
  curl -sf --get "$api" --data-urlencode "query=$1" | python3 -c '
import json, sys
answer = json.load(sys.stdin)
assert answer["status"] == "success", answer
result = answer["data"]["result"]
print(result[0]["value"][1] if result else "")'
}
has_value() { [[ -n "$(value "$1")" ]]; }
packets='actorwire_stage_packets_total{job="actorwire",stage="single",direction="out"}'
peer_bytes='sum(actorwire_peer_tx_bytes_total{job="actorwire"})'
wait_for 30 "Prometheus to have scraped the daemon (up == 1)" has_value 'up{job="actorwire"} == 1'
wait_for 30 "a first sample of $packets in Prometheus" has_value "$packets"
first_packets="$(value "$packets")"
first_bytes="$(value "$peer_bytes")"
grows() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' \
  "$(value "$1")" "$2"; }
wait_for 30 "$packets to grow past $first_packets in Prometheus" grows "$packets" "$first_packets"
wait_for 30 "$peer_bytes to grow past $first_bytes in Prometheus" grows "$peer_bytes" "$first_bytes"
for series in 'actorwire_info{job="actorwire",name="aw0",topology="single"}' \
  'actorwire_mailbox_capacity{job="actorwire",stage="single"}' \
  'actorwire_stage_busy_ratio{job="actorwire",stage="single"}' \
  'actorwire_peer_current_keypair_age_seconds{job="actorwire"}' \
  'actorwire_peer_endpoint_info{job="actorwire",endpoint="192.0.2.2:51820"}'; do
  has_value "$series" || fail "Prometheus has no $series"
done

# promtool lints the exposition: no findings at all.
curl -sf "$metrics_url/metrics" >"$work/metrics.txt" || fail "GET /metrics failed"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.out" 2>&1 ||
  fail "promtool check metrics: $(cat "$work/promtool.out")"
[[ ! -s "$work/promtool.out" ]] || fail "promtool check metrics found: $(cat "$work/promtool.out")"

# /stats.json is the control socket's answer (same fields; the counters move in between).
curl -sf "$metrics_url/stats.json" >"$work/stats-http.json" || fail "GET /stats.json failed"
"$actorwire" stats --socket-dir "$work/run" --json >"$work/stats-socket.json" ||
  fail "actorwire stats --json exited $?"
python3 - "$work/stats-http.json" "$work/stats-socket.json" <<'PY' || fail "/stats.json differs"
import json, sys
http, socket = (json.load(open(path)) for path in sys.argv[1:3])
def shape(value):
    if isinstance(value, dict): return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list): return [shape(v) for v in value]
    return type(value).__name__ if value is not None else "null"
assert shape(http) == shape(socket), (shape(http), shape(socket))
assert http["name"] == "aw0" and http["version"] == 1
peer = http["peers"][0]
assert peer["endpoint"] == "192.0.2.2:51820", peer
assert peer["current_keypair_age_s"] > 0 and peer["last_handshake_unix_s"] is None, peer
PY
! grep -qF "$(sed -nE 's/^private_key = "(.*)"/\1/p' "$work/gateway.toml")" \
  "$work/metrics.txt" "$work/stats-http.json" || fail "the private key is exported"

# The Grafana dashboard: valid JSON, and every metric it queries is on /metrics.
python3 -m json.tool "$dashboard" >/dev/null || fail "$dashboard is not valid JSON"
python3 - "$dashboard" "$work/metrics.txt" <<'PY' || fail "the dashboard queries unknown metrics"
import json, re, sys
dashboard = json.load(open(sys.argv[1]))
exposed = set(re.findall(r"^# TYPE (\S+) ", open(sys.argv[2]).read(), re.M))
queries = []
def walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "definition") and isinstance(value, str): queries.append(value)
            walk(value)
    elif isinstance(node, list):
        for value in node: walk(value)
walk(dashboard)
used = set(re.findall(r"\bactorwire_[a-z_]+", " ".join(queries)))
assert len(queries) >= 10 and used, queries
unknown = sorted(used - exposed)
assert not unknown, f"not on /metrics: {unknown}"
assert any(v.get("type") == "datasource" for v in dashboard["templating"]["list"]), "no datasource variable"
PY

# A normal stop: the daemon exits 0 and its port is free again.
kill -TERM "$daemon"
wait "$daemon" || fail "the daemon exited $? on SIGTERM"
daemon=""
if curl -s "$metrics_url/metrics" >/dev/null 2>&1; then fail "/metrics still answers"; fi
echo "prometheus: actorwire series in Prometheus, growing; promtool clean; dashboard ok"
