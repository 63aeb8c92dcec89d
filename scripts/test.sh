#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every test (unit, CLI, HTTPS server, watch, chart).
#
# The suites that start processes and wait on them (servers, API servers, timeouts) block the threads Swift Testing
# runs tests on, which are as many as the cores: run in one process they take turns. So the test binary runs as four
# processes at once, three with the slow suites and one with the rest (everything not named below), and each
# process's report is printed when it ends. With arguments (`scripts/test.sh --filter X`), one `swift test` runs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
scripts/deps.sh --tests
swift build --build-tests
if [ $# -gt 0 ]; then
  exec swift test --skip-build "$@"
fi

binary="$(swift build --show-bin-path)/ScaleGuardPackageTests.xctest"
shards=(
  "HTTPProtocolTests|ReliabilityTests"
  "ConnectionLoadTests|LedgerTests|KubectlPluginTests|LifecycleTests"
  "LiveClusterTests|AuditPublishingLiveTests|EndpointAuthTests|WorkloadKindsLiveTests|ThroughTLSTests|KubeClientTests"
)
logs="$(mktemp -d)"
pids=()
for i in "${!shards[@]}"; do
  "$binary" --testing-library swift-testing --filter "${shards[$i]}" >"$logs/$i.log" 2>&1 &
  pids+=($!)
done
rest=$(IFS='|'; echo "${shards[*]}")
"$binary" --testing-library swift-testing --skip "$rest" >"$logs/rest.log" 2>&1 &
pids+=($!)

failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
for log in "$logs"/*.log; do cat "$log"; done
grep -h "Test run with" "$logs"/*.log
rm -rf "$logs"
if [ "$failed" -ne 0 ]; then
  echo "scripts/test.sh: some tests failed (above)" >&2
  exit 1
fi
