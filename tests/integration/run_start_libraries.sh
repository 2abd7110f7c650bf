#!/bin/bash
# A warm `bale run` maps libc and nothing else: libarchive, libcurl and libcrypto are loaded on
# first use (base/lazy_lib), and no libm function is called (one lround once made every start
# load libm, ~0.1 ms of a 2.5 ms start). The loader's own report of a real start is the check.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

run_root root true
"$BALE" pack root -o img.bale 2>/dev/null
"$BALE" run img.bale true || fail "the first run failed"

# Only the binary's needs, as the loader resolves them (no ldd: it runs the loader differently).
LD_DEBUG=files "$BALE" run img.bale true 2>loaded || fail "the warm run failed: $(cat loaded)"
libs=$(sed -n 's/.*file=\([^ ]*\) \[0\];  needed by.*/\1/p' loaded | sort -u)
[ "$libs" = "libc.so.6" ] || fail "a warm start loads more than libc: $(echo $libs)"
grepq 'calling init: /lib/x86_64-linux-gnu/libc.so.6' <loaded || fail "LD_DEBUG gave no report to check: $(head -5 loaded)"
exit 0
