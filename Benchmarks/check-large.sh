#!/usr/bin/env bash
# `scaleguard check` on a large cluster export: 100,000 Deployments as `kubectl get deploy -A -o yaml` writes them
# (one document, a List), against the same objects split into files of 5,000 as a baseline in the same run.
# Prints wall time and peak RSS of each. Needs python3 and GNU time (/usr/bin/time, Debian's time package).
#
#   Benchmarks/check-large.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }
swift build -c release --product scaleguard >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" "$count" <<'PY'
import os, sys
work, count = sys.argv[1], int(sys.argv[2])
def deployment(i, indent):
    p = " " * indent
    name = f"svc-{i}"
    return (f"{p}apiVersion: apps/v1\n{p}kind: Deployment\n{p}metadata:\n{p}  name: {name}\n{p}  namespace: ns-{i % 50}\n"
            f"{p}  labels: {{app: {name}, team: t{i % 40}}}\n{p}spec:\n{p}  replicas: 2\n{p}  selector:\n{p}    matchLabels: {{app: {name}}}\n"
            f"{p}  template:\n{p}    metadata:\n{p}      labels: {{app: {name}, tier: web}}\n{p}    spec:\n{p}      containers:\n"
            f"{p}      - name: web\n{p}        image: nginx:1.27\n{p}        resources: {{requests: {{cpu: 100m, memory: 64Mi}}}}\n")
with open(f"{work}/export.yaml", "w") as f:
    f.write("apiVersion: v1\nitems:\n")
    for i in range(count):
        f.write("- " + deployment(i, 2)[2:])
    f.write("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
os.makedirs(f"{work}/split")
for start in range(0, count, 5000):
    with open(f"{work}/split/part-{start // 5000:03}.yaml", "w") as f:
        f.write("---\n".join(deployment(i, 0) for i in range(start, min(count, start + 5000))))
PY
echo "$count Deployments, $(du -h "$work/export.yaml" | cut -f1) of YAML"
run() {  # name paths...
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" .build/release/scaleguard check "$@" > "$work/out" 2>"$work/err" || true
  read -r seconds kib < "$work/time"
  printf '%-34s %8s s %8s MiB   %s\n' "$name" "$seconds" "$((kib / 1024))" "$(tail -1 "$work/out")"
}
run "split into files of 5,000 (baseline)" "$work/split"
run "one file, kubectl get -o yaml" "$work/export.yaml"
