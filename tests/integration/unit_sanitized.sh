#!/bin/bash
# The unit tests again, built by clang with AddressSanitizer and UBSan (build-fuzz/, which
# scripts/setup --tests makes): a use after free or undefined behaviour that the plain build
# lets pass (a member used after its object was destroyed, a value read after a move) fails here.
. "$(dirname "$0")/lib.sh"
unit="$BALE_SRC/build-fuzz/bale_unit"
[ -x "$unit" ] || skip "no sanitizer build at '$unit' (scripts/setup --tests makes it)"
ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$unit" --gtest_brief=1 >"$T/unit.log" 2>&1 || fail "the sanitized unit tests failed: $(tail -60 "$T/unit.log")"
exit 0
