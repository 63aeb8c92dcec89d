#!/usr/bin/env bash
# Load figures for `scaleguard serve` next to nginx on the same machine, in the same run.
#
#   Benchmarks/webhook-wrk.sh [SECONDS] [CONNECTIONS]
#
# Both serve HTTPS on 127.0.0.1 with the same certificate; wrk (2 threads, keep-alive) posts the same
# ~3.5 KB AdmissionReview of a GPU Deployment. nginx (one worker) answers a fixed AdmissionReview without
# reading it: it is the ceiling for TLS + HTTP on this machine, not a webhook. Needs wrk and nginx-light.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-16}
for tool in wrk nginx openssl; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y wrk nginx-light openssl" >&2; exit 1; }
done

work=$(mktemp -d)
cleanup() {
  [ -n "${sg_pid:-}" ] && kill "$sg_pid" 2>/dev/null || true
  [ -n "${live_pid:-}" ] && kill "$live_pid" 2>/dev/null || true
  [ -n "${fake_pid:-}" ] && kill "$fake_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

swift build -c release --product scaleguard --product ScaleGuardBench >/dev/null 2>&1 || swift build -c release >/dev/null
certs/generate.sh --out "$work/certs" >/dev/null

# A realistic review: a vLLM Deployment of the kind AIBrix runs, as kubectl apply sends it.
python3 - "$work/review.json" <<'PY'
import json, sys
labels = {"model.aibrix.ai/name": "mistral-7b", "model.aibrix.ai/port": "8000", "scaleguard.io/gpu-type": "a40",
          "app.kubernetes.io/name": "mistral-7b-a40", "adapter.model.aibrix.ai/enabled": "true"}
container = {
    "name": "vllm-openai", "image": "vllm/vllm-openai:v0.6.2", "imagePullPolicy": "IfNotPresent",
    "command": ["python3", "-m", "vllm.entrypoints.openai.api_server", "--host", "0.0.0.0", "--port", "8000",
                "--model", "mistralai/Mistral-7B-Instruct-v0.3", "--served-model-name", "mistral-7b",
                "--gpu-memory-utilization", "0.9", "--max-model-len", "8192", "--enable-lora"],
    "ports": [{"containerPort": 8000, "protocol": "TCP", "name": "http"}],
    "env": [{"name": "HF_HOME", "value": "/models"}, {"name": "VLLM_ALLOW_RUNTIME_LORA_UPDATING", "value": "True"}],
    "resources": {"limits": {"nvidia.com/gpu": "1", "cpu": "8", "memory": "48Gi"},
                  "requests": {"nvidia.com/gpu": "1", "cpu": "4", "memory": "32Gi"}},
    "readinessProbe": {"httpGet": {"path": "/health", "port": 8000, "scheme": "HTTP"}, "initialDelaySeconds": 90, "periodSeconds": 5},
    "livenessProbe": {"httpGet": {"path": "/health", "port": 8000, "scheme": "HTTP"}, "initialDelaySeconds": 120, "periodSeconds": 10},
    "volumeMounts": [{"name": "models", "mountPath": "/models"}, {"name": "dshm", "mountPath": "/dev/shm"}],
}
deployment = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "mistral-7b-a40", "namespace": "default", "labels": {"model.aibrix.ai/name": "mistral-7b", "model.aibrix.ai/min_replicas": "1"},
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
    "spec": {"replicas": 2, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
             "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
             "selector": {"matchLabels": {"model.aibrix.ai/name": "mistral-7b", "scaleguard.io/gpu-type": "a40"}},
             "template": {"metadata": {"labels": labels, "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8000"}},
                          "spec": {"containers": [container, {"name": "aibrix-runtime", "image": "aibrix/runtime:v0.2.0",
                                                              "command": ["aibrix_runtime", "--port", "8080"],
                                                              "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                                                              "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}],
                                   "nodeSelector": {"nvidia.com/gpu.product": "NVIDIA-A40"},
                                   "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                                   "volumes": [{"name": "models", "hostPath": {"path": "/mnt/models", "type": "DirectoryOrCreate"}},
                                               {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}],
                                   "restartPolicy": "Always", "terminationGracePeriodSeconds": 60, "dnsPolicy": "ClusterFirst",
                                   "schedulerName": "default-scheduler", "securityContext": {}}}},
}
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
    "uid": "0df28fbd-5f5f-11e8-bc74-36e6bb280816", "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
    "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
    "requestKind": {"group": "apps", "version": "v1", "kind": "Deployment"},
    "requestResource": {"group": "apps", "version": "v1", "resource": "deployments"},
    "name": "mistral-7b-a40", "namespace": "default", "operation": "CREATE",
    "userInfo": {"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]},
    "object": deployment, "oldObject": None, "dryRun": True,
    "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-client-side-apply"}}}
open(sys.argv[1], "w").write(json.dumps(review))
PY
bytes=$(wc -c < "$work/review.json")

cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/review.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA

sg_port=18943
nginx_port=18944
live_port=18945

# A third server answers from a live cache: 10,000 Deployments listed and watched from a fake API server.
mkfifo "$work/fake.in"
sleep 3600 > "$work/fake.in" &
fake_keep=$!
.build/release/ScaleGuardBench fake-api 10000 "$work/certs" < "$work/fake.in" > "$work/fake.out" &
fake_pid=$!
for _ in $(seq 100); do grep -q '^port ' "$work/fake.out" 2>/dev/null && break; sleep 0.1; done
fake_port=$(awk '/^port / {print $2}' "$work/fake.out")
cat > "$work/kubeconfig" <<KUBE
apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: "https://127.0.0.1:$fake_port", certificate-authority: $work/certs/ca.crt}}]
users: [{name: u, user: {}}]
contexts: [{name: fake, context: {cluster: fake, user: u}}]
current-context: fake
KUBE
SCALEGUARD_MISSING_API_RETRY=600 .build/release/scaleguard serve --listen 127.0.0.1:$live_port --cert-dir "$work/certs" \
  --kubeconfig "$work/kubeconfig" --log-level warning 2>"$work/live.log" &
live_pid=$!
.build/release/scaleguard serve --listen 127.0.0.1:$sg_port --cert-dir "$work/certs" --demo --log-level warning \
  2>"$work/scaleguard.log" &
sg_pid=$!

fixed='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"0df28fbd-5f5f-11e8-bc74-36e6bb280816","allowed":true}}'
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body;
  client_max_body_size 8m;
  client_body_buffer_size 64k;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/certs/tls.crt;
    ssl_certificate_key $work/certs/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_requests 1000000;
    location / { default_type application/json; return 200 '$fixed'; }
  }
}
NGINX
nginx -c "$work/nginx.conf"

for port in $sg_port $nginx_port $live_port; do
  for _ in $(seq 300); do
    curl -sf --cacert "$work/certs/ca.crt" -o /dev/null "https://127.0.0.1:$port/readyz" && break
    sleep 0.1
  done
done
# The review must be answered (allowed) before it is measured.
curl -s --cacert "$work/certs/ca.crt" -H 'Content-Type: application/json' --data-binary @"$work/review.json" \
  "https://127.0.0.1:$sg_port/validate" | grep -q '"allowed":true' || { echo "scaleguard did not allow the review" >&2; exit 1; }

run() {  # name port -> "rps p50 p99"
  local out
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "https://127.0.0.1:$2/validate")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local errors
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  printf '%-22s %12s %10s %10s  %s\n' "$1" "$rps" "$p50" "$p99" "$errors"
  echo "$rps" > "$work/$1.rps"
}

echo "POST /validate, ${bytes}-byte AdmissionReview, wrk -t2 -c$connections -d${seconds}s, keep-alive, TLS 1.3, loopback, $(nproc) cores"
printf '%-22s %12s %10s %10s\n' server req/s p50 p99
run nginx-1-worker $nginx_port
run scaleguard $sg_port
run scaleguard-live-10k $live_port
kill "$fake_keep" 2>/dev/null || true
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
rps = lambda name: float(open(f"{w}/{name}.rps").read())
ng = rps("nginx-1-worker")
print(f"scaleguard / nginx = {rps('scaleguard') / ng:.2f} (target >= 0.33); with the live cache: {rps('scaleguard-live-10k') / ng:.2f}")
PY
