#!/usr/bin/env bash
# Makes a CA and a serving certificate for the ScaleGuard webhook with the openssl CLI.
#
#   certs/generate.sh [--out DIR] [--service NAME] [--namespace NS] [--days N] [--ca-days N] [--rsa] [--force]
#
# Writes DIR/ca.crt, DIR/ca.key, DIR/tls.crt, DIR/tls.key (keys mode 600). The serving certificate names
# NAME.NS.svc, NAME.NS.svc.cluster.local, NAME, NAME.NS, localhost and 127.0.0.1 in its subjectAltName:
# kube-apiserver (Go) checks the SAN only, never the CN. An existing CA in DIR is reused, so a renewed
# serving certificate still chains to the caBundle already registered.
set -euo pipefail

out=./certs/out
service=scaleguard
namespace=scaleguard-system
days=365
ca_days=3650
algorithm=ec
force=0

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --service) service=$2; shift 2 ;;
    --namespace) namespace=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --ca-days) ca_days=$2; shift 2 ;;
    --rsa) algorithm=rsa; shift ;;
    --force) force=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "generate.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

command -v openssl >/dev/null || { echo "generate.sh: openssl is not installed (apt-get install -y openssl)" >&2; exit 1; }
mkdir -p "$out"
umask 077

newkey() {
  if [ "$algorithm" = rsa ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
  else
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  fi
}

if [ "$force" = 1 ] || [ ! -s "$out/ca.key" ] || [ ! -s "$out/ca.crt" ]; then
  newkey "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$ca_days" -subj "/CN=scaleguard-ca" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.crt"
  echo "made a new CA: $out/ca.crt (valid $ca_days days)" >&2
fi

dns="$service.$namespace.svc"
ext=$(mktemp)
trap 'rm -f "$ext" "$out/tls.csr"' EXIT
cat >"$ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:$dns,DNS:$dns.cluster.local,DNS:$service,DNS:$service.$namespace,DNS:localhost,IP:127.0.0.1,IP:::1
EXT
newkey "$out/tls.key.new"
openssl req -new -key "$out/tls.key.new" -subj "/CN=$dns" -out "$out/tls.csr"
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -sha256 \
  -days "$days" -extfile "$ext" -out "$out/tls.crt.new" 2>/dev/null
# Replace the pair with renames, so that a server polling the folder never sees a new certificate with an old key for long.
mv "$out/tls.key.new" "$out/tls.key"
mv "$out/tls.crt.new" "$out/tls.crt"
chmod 600 "$out/ca.key" "$out/tls.key"
chmod 644 "$out/ca.crt" "$out/tls.crt"
rm -f "$out/ca.srl"

openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" >/dev/null

cat <<MSG
Wrote $out/ca.crt, $out/tls.crt, $out/tls.key for $dns (valid $days days).

caBundle for the ValidatingWebhookConfiguration (Helm: --set-file webhook.caBundle=$out/ca.crt):
$(base64 -w0 < "$out/ca.crt")

Create the Secret the chart mounts:
  kubectl -n $namespace create secret tls $service-tls --cert=$out/tls.crt --key=$out/tls.key

Try it locally:
  curl --cacert $out/ca.crt https://localhost:8443/healthz
MSG
