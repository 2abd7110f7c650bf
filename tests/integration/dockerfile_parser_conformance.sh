#!/bin/bash
# The Dockerfile parser agrees with BuildKit's on BuildKit's own parser test data: every
# positive case dumps exactly as its `result`, every negative case is rejected. Skipped when
# the conformance data is not on this machine.
set -euo pipefail

: "${BALE:?set BALE to the bale binary}"
: "${BALE_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"

data=""
for d in "$BALE_SRC/../shared/conformance/buildkit-parser" /work/shared/conformance/buildkit-parser; do
  if [ -x "$d/check.sh" ]; then data=$d; break; fi
done
[ -n "$data" ] || { echo "SKIP: no buildkit-parser conformance data" >&2; exit 77; }

out=$("$data/check.sh" "$BALE" debug-parse) || { echo "$out" >&2; echo "FAIL: conformance" >&2; exit 1; }
echo "$out" | tail -n 1
# check.sh exits 0 only with no failures; make sure it also ran the cases.
echo "$out" | tail -n 1 | grep -qE '^[1-9][0-9]* passed, 0 failed$' ||
  { echo "FAIL: unexpected summary: $(echo "$out" | tail -n 1)" >&2; exit 1; }
