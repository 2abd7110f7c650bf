#!/bin/bash
# A store whose file system fills up during the unpack: `bale run` fails with 125 and an error
# naming the store and ENOSPC, leaves no partial image under images/ or tmp/, and the store works
# for an image that fits. The store is a small tmpfs in a mount namespace of the test's own.
if [ "${1:-}" != --inside ]; then
  command -v unshare >/dev/null || { echo "SKIP: unshare is not installed" >&2; exit 77; }
  exec unshare -m bash "$0" --inside
fi
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

run_root small
"$BALE" pack small -o small.bale 2>/dev/null
run_root big
mkdir big/data
for i in $(seq 12); do head -c 1000000 /dev/urandom >"big/data/f$i"; done
"$BALE" pack big -o big.bale 2>/dev/null

mkdir "$BALE_STORE"
mount -t tmpfs -o size=8m,mode=0700 bale-test-store "$BALE_STORE"
at_exit "umount -l '$BALE_STORE'"

expect_fail 125 "$(re_escape "'$BALE_STORE'").*No space left on device" "$BALE" run big.bale true
[ "$(store_count images)" -eq 0 ] || fail "a failed unpack left images/: $(store_names images)"
[ "$(store_count tmp)" -eq 0 ] || fail "a failed unpack left tmp/: $(store_names tmp)"
[ "$(df --output=used -B1 "$BALE_STORE" | tail -1)" -lt 1000000 ] ||
  fail "the failed unpack still holds $(df --output=used -h "$BALE_STORE" | tail -1) of the store"

"$BALE" run small.bale echo fits >out 2>err || fail "an image that fits does not run: $(cat err)"
[ "$(cat out)" = fits ] || fail "the image that fits printed: $(cat out)"
exit 0
