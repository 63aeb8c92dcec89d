#!/usr/bin/env bash
# Runs ScaleGuard on this machine with no cluster: local certificates and the embedded demo cluster view
# (an A100 Deployment of model llama with a model-only selector, and its PodAutoscaler).
# Pass --kubeconfig FILE (or set KUBECONFIG) to check against a real cluster instead. Extra arguments go to `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
scripts/deps.sh
[ -s local/certs/tls.crt ] || certs/generate.sh --out local/certs >/dev/null
swift build -c release --product scaleguard
view=(--demo)
token=""
for arg in "$@"; do
  if [ "$arg" = --kubeconfig ]; then view=(); token=' -H "Authorization: Bearer $(kubectl create token YOUR-SERVICE-ACCOUNT)"'; fi
done
echo "ScaleGuard on https://localhost:8443 (probes and metrics on http://localhost:8081) — try:" >&2
echo "  curl --cacert local/certs/ca.crt$token --data-binary @examples/wrong/llama-a40.yaml https://localhost:8443/check" >&2
exec .build/release/scaleguard serve --listen 127.0.0.1:8443 --probe-listen 127.0.0.1:8081 --cert-dir local/certs "${view[@]}" "$@"
