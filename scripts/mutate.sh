#!/usr/bin/env bash
# Applies each one-line mutation in scripts/mutations.txt alone, runs the tests that should notice, and reports
# which the suite catches. Run by hand, not in CI: a mutation that survives is a test that is missing.
#
#   scripts/mutate.sh [NAME-SUBSTRING]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
python3 - "${1:-}" <<'PY'
import os, re, subprocess, sys

wanted = sys.argv[1]
blocks, current, key = [], {}, None
for line in open("scripts/mutations.txt"):
    if line.startswith("#"):
        continue
    if not line.strip():
        if current: blocks.append(current)
        current, key = {}, None
        continue
    match = re.match(r"^(name|file|from|to|filter): ?(.*)$", line.rstrip("\n"))
    if match:
        key = match.group(1)
        current[key] = match.group(2)
    elif key:
        current[key] += "\n" + line.rstrip("\n")
if current: blocks.append(current)

caught, survived = [], []
for block in blocks:
    if wanted and wanted not in block["name"]:
        continue
    path, original = block["file"], open(block["file"]).read()
    if original.count(block["from"]) != 1:
        print(f"SKIP  {block['name']}: the original text is not in {path} exactly once")
        survived.append(block["name"])
        continue
    open(path, "w").write(original.replace(block["from"], block["to"]))
    try:
        built = subprocess.run(["swift", "build", "--build-tests"], capture_output=True, text=True)
        if built.returncode != 0:
            print(f"BUILD {block['name']}: the mutation does not compile; fix the mutation")
            survived.append(block["name"])
            continue
        test = ["swift", "test", "--skip-build"] + (["--filter", block["filter"]] if block.get("filter") else [])
        result = subprocess.run(test, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"CAUGHT   {block['name']}")
            caught.append(block["name"])
        else:
            print(f"SURVIVED {block['name']}")
            survived.append(block["name"])
    finally:
        open(path, "w").write(original)
subprocess.run(["swift", "build", "--build-tests"], capture_output=True)
print(f"{len(caught)} caught, {len(survived)} survived")
sys.exit(1 if survived else 0)
PY
