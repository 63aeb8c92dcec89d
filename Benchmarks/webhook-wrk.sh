#!/usr/bin/env bash
# Load figures for `scaleguard serve` next to nginx, in the same run, pinned so that neither borrows a core:
# the server on core 0, wrk on core 1 (wrk -t1). On two cores an unpinned `wrk -t2` starves a one-worker nginx
# and flatters a server with many threads; pinned, both get exactly one core and CPU per request is comparable.
#
#   Benchmarks/webhook-wrk.sh [SECONDS] [CONNECTIONS]
#
# wrk posts a 3.6 KB AdmissionReview: CREATE of a GPU Deployment (not a dry run, so each allowed one is counted
# for race narrowing). nginx (one worker) answers a fixed AdmissionReview without reading it: the ceiling for
# TLS + HTTP here, not a webhook. ScaleGuard runs with one event loop and answers from a view of 10, 1,000 and
# 100,000 Deployments in the review's namespace; then 100,000 with an audit every 5 s; then with 1,000 idle and
# 200 slow-header connections open; then with 10,000 idle connections open.
# Needs wrk, nginx-light, python3, taskset (util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-16}
for tool in wrk nginx openssl python3 taskset; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y wrk nginx-light openssl python3 util-linux" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "needs two cores: one for the server, one for wrk" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

swift build -c release --product scaleguard >/dev/null
certs/generate.sh --out "$work/certs" >/dev/null
python3 Benchmarks/webhook-fixtures.py "$work" 10 1000 100000
bytes=$(wc -c < "$work/review.json")
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/review.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA
tick=$(getconf CLK_TCK)
port=18943

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
threads() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }
wait_ready() {
  for _ in $(seq 600); do
    curl -sf --cacert "$work/certs/ca.crt" -o /dev/null "https://127.0.0.1:$port/$1" && return 0
    sleep 0.1
  done
  echo "server on $port did not get ready" >&2
  exit 1
}

# measure NAME PID: wrk on core 1 against the server PID on core 0; prints a row and keeps the rate for ratios.
measure() {
  local name=$1 pid=$2 before after out requests rps p50 p99 errors cpu
  before=$(cpu_ticks "$pid")
  out=$(taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "https://127.0.0.1:$port/validate")
  after=$(cpu_ticks "$pid")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
  cpu=$(python3 -c "print(f'{($after - $before) / $tick / max($requests, 1) * 1e6:.1f}')")
  [ -z "${nginx_rps:-}" ] && nginx_rps=$rps
  printf '%-34s %9s %9s %9s %11s %8s %7s %6s  %s\n' "$name" "$rps" "$p50" "$p99" "$cpu" "$(rss_mib "$pid")" \
    "$(python3 -c "print(f'{$rps / $nginx_rps:.2f}')")" "$(threads "$pid")" "$errors"
}

serve() {  # extra serve flags...; starts ScaleGuard on core 0 and sets sg_pid
  taskset -c 0 .build/release/scaleguard serve --listen 127.0.0.1:$port --probe-listen 127.0.0.1:$((port + 1)) \
    --cert-dir "$work/certs" --event-loops 1 --log-level warning "$@" 2>>"$work/scaleguard.log" &
  sg_pid=$!
  pids+=("$sg_pid")
  for _ in $(seq 600); do curl -sf -o /dev/null "http://127.0.0.1:$((port + 1))/readyz" && break; sleep 0.1; done
  wait_ready healthz
  curl -s --cacert "$work/certs/ca.crt" -H 'Content-Type: application/json' --data-binary @"$work/review.json" \
    "https://127.0.0.1:$port/validate" | grep -q '"allowed":true' || { echo "scaleguard did not allow the review" >&2; exit 1; }
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

fixed='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"0df28fbd-5f5f-11e8-bc74-36e6bb280816","allowed":true}}'
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
worker_cpu_affinity 01;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body;
  client_max_body_size 8m;
  client_body_buffer_size 64k;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $work/certs/tls.crt;
    ssl_certificate_key $work/certs/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_requests 1000000;
    location / { default_type application/json; return 200 '$fixed'; }
  }
}
NGINX

echo "POST /validate, ${bytes}-byte CREATE AdmissionReview, wrk -t1 -c$connections -d${seconds}s on core 1, server on core 0,"
echo "keep-alive, TLS 1.3, loopback. CPU = server user+system time per request. ratio = req/s over nginx's."
printf '%-34s %9s %9s %9s %11s %8s %7s %6s\n' server req/s p50 p99 "CPU µs/req" "RSS MiB" ratio threads

taskset -c 0 nginx -c "$work/nginx.conf"
for _ in $(seq 100); do [ -s "$work/nginx.pid" ] && break; sleep 0.05; done
wait_ready ""
nginx_pid=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
measure "nginx, 1 worker, fixed answer" "$nginx_pid"
kill "$(cat "$work/nginx.pid")"
sleep 0.5

for n in 10 1000 100000; do
  serve --cluster-state "$work/state-$n" --audit-interval 0
  measure "scaleguard, $n Deployments" "$sg_pid"
  if [ "$n" = 100000 ]; then
    stop "$sg_pid"
    serve --cluster-state "$work/state-$n" --audit-interval 5
    measure "scaleguard, $n, audit every 5 s" "$sg_pid"
  fi
  stop "$sg_pid"
done

serve --cluster-state "$work/state-1000"
taskset -c 1 python3 Benchmarks/hold-connections.py 127.0.0.1 $port "$work/certs/ca.crt" 1000 200 $((seconds + 12)) > "$work/hold.out" &
hold=$!
pids+=("$hold")
for _ in $(seq 600); do grep -q '^ready' "$work/hold.out" 2>/dev/null && break; sleep 0.1; done
measure "scaleguard, +1,000 idle +200 slow" "$sg_pid"
wait "$hold" || true
echo "  $(tail -1 "$work/hold.out")"
stop "$sg_pid"

serve --cluster-state "$work/state-1000"
rss_before=$(rss_mib "$sg_pid")
taskset -c 1 python3 Benchmarks/hold-connections.py 127.0.0.1 $port "$work/certs/ca.crt" 10000 0 $((seconds + 5)) > "$work/hold.out" &
hold=$!
pids+=("$hold")
for _ in $(seq 1200); do grep -q '^ready' "$work/hold.out" 2>/dev/null && break; sleep 0.1; done
echo "  10,000 idle connections: $(head -1 "$work/hold.out"); RSS $rss_before MiB before, $(rss_mib "$sg_pid") MiB with them open"
measure "scaleguard, +10,000 idle" "$sg_pid"
wait "$hold" || true
echo "  $(tail -1 "$work/hold.out")"
stop "$sg_pid"
