#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every test (unit, CLI, HTTPS server, watch, chart).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
scripts/deps.sh --tests
swift build --build-tests
swift test --skip-build "$@"
