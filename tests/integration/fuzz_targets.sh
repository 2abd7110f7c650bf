#!/bin/bash
# Every libFuzzer target (image files, Dockerfiles, .dockerignore rules, import archives, bale.yaml) runs
# for a short fixed time under AddressSanitizer and UBSan: a crash or a sanitizer report fails
# the suite. Skipped when clang is not installed (scripts/setup --tests installs it).
. "$(dirname "$0")/lib.sh"
need clang++
rc=0
"$BALE_SRC/scripts/fuzz" "${BALE_FUZZ_SECONDS:-20}" >"$T/fuzz.log" 2>&1 || rc=$?
[ "$rc" -ne 77 ] || skip "scripts/fuzz: $(tail -1 "$T/fuzz.log")"
[ "$rc" -eq 0 ] || fail "a fuzz target failed: $(tail -60 "$T/fuzz.log")"
exit 0
