#!/bin/bash
# A first run killed (-9) in the middle of unpacking leaves no half image under images/: the next
# run unpacks afresh and sees every file whole, and `bale store gc` removes the leftover in tmp/.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

run_root root
# About 200 MB in 2000 files of random bytes, so the unpack takes a while.
random_tree root/data 20
last_sum=$(sha256sum root/data/d19/f99 | cut -d' ' -f1)
"$BALE" pack root -o big.bale 2>/dev/null

"$BALE" run big.bale true 2>err &
pid=$!
at_exit "kill -9 $pid"
# Kill once the unpack has begun writing files into its directory under tmp/.
unpack_started() {
  [ -n "$(find "$BALE_STORE/tmp" -mindepth 4 -maxdepth 4 -print -quit 2>/dev/null)" ]
}
wait_for 30 unpack_started ||
  fail "no unpack into the store's tmp appeared: $(cat err)"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
[ "$(store_count images)" -eq 0 ] ||
  fail "images/ has $(store_names images) though the run was killed mid-unpack (or finished first)"
[ "$(store_count tmp)" -eq 1 ] || fail "expected the interrupted unpack in tmp/, found: $(store_names tmp)"
leftover=$(store_names tmp)

"$BALE" run big.bale sh -c 'sha256sum /data/d19/f99; find /data -type f | wc -l' >out 2>err ||
  fail "the run after the killed one failed: $(cat err)"
[ "$(sed -n 1p out | cut -d' ' -f1)" = "$last_sum" ] || fail "the last file's sha256 in the container differs"
[ "$(sed -n 2p out)" -eq 2000 ] || fail "the container sees $(sed -n 2p out) of 2000 files"
[ "$(store_count images)" -eq 1 ] || fail "images/ holds: $(store_names images)"

"$BALE" store gc >gc.out 2>err || fail "bale store gc failed: $(cat err)"
[ ! -e "$BALE_STORE/tmp/$leftover" ] || fail "gc left the interrupted unpack '$leftover' in tmp/"
[ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp after gc: $(store_names tmp)"
exit 0
