#!/usr/bin/env bash
# Installs what ScaleGuard builds with, if any is missing: Debian packages. With --tests, also what the tests use:
# real Helm (Helm v4 as a library, the PyPI package helm-python-sdk) in a virtual environment under .build/.
#
#   scripts/deps.sh [--tests]
set -euo pipefail
cd "$(dirname "$0")/.."
tests=0
[ "${1:-}" = --tests ] && tests=1
packages=(libssl-dev libyaml-dev openssl ca-certificates curl pkg-config)
[ $tests = 1 ] && packages+=(python3 python3-venv kubectl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH (Swift 6.2 or later: /opt/swift/usr/bin)" >&2; exit 1; }

[ $tests = 1 ] || exit 0
helm_sdk=helm-python-sdk==0.2.2
venv=.build/helm-venv
if ! "$venv/bin/python" -c 'import helm_python' 2>/dev/null; then
  echo "installing $helm_sdk into $venv" >&2
  mkdir -p .build
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$helm_sdk"
fi
