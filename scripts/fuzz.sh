#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer and runs each for a bounded time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET ...]     default: 60 seconds each, every target
#   FUZZ_JOBS=2 scripts/fuzz.sh 60             two targets at a time (one per core)
#
# Seeds come from Fuzz/corpus/TARGET (in the repository); what the fuzzer learns goes to .build-fuzz/corpus/TARGET.
# A crash, a hang (-timeout), a leak or a failed property leaves its input in .build-fuzz/artifacts/TARGET and makes
# the script exit 1: turn the input into a regression test, then fix.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
seconds=${1:-60}
shift || true
all=(http-request http-response review manifest selector policy kubeconfig watch)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

export SCALEGUARD_FUZZ=1
swift build -c release --scratch-path .build-fuzz --product ScaleGuardFuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld >&2
binary=.build-fuzz/release/ScaleGuardFuzz

fuzz() {  # TARGET: runs it, prints one line, returns 1 on a finding
  local target=$1 log=".build-fuzz/$1.log"
  mkdir -p ".build-fuzz/corpus/$target" ".build-fuzz/artifacts/$target"
  # Swift's own crash handler would take the trap first and libFuzzer would write no crash file.
  if SWIFT_BACKTRACE=enable=no FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=1 "$binary" \
      ".build-fuzz/corpus/$target" "Fuzz/corpus/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix=".build-fuzz/artifacts/$target/" >"$log" 2>&1; then
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "fuzz $target: ${seconds}s, $runs runs, $cov, no finding"
  else
    echo "fuzz $target: FINDING, see $log and .build-fuzz/artifacts/$target/" >&2
    grep -E "ERROR|Fatal error|SUMMARY" "$log" | head -5 >&2
    return 1
  fi
}

failed=0
jobs=${FUZZ_JOBS:-1}
pids=()
for target in "${targets[@]}"; do
  fuzz "$target" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit $failed
