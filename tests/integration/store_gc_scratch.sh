#!/bin/bash
# `bale store gc` while a build writes its image into the store's tmp/: the build's scratch
# directory is locked by its owner, so gc leaves it and the build ends named and whole (gc used
# to take any tmp/ entry whose "name-prefix" lock was free, and a build's, pull's or bootstrap's
# work went with it). What a killed owner left (no lock held) is removed, as is a dot entry's.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
need flock

busybox_context ctx
head -c 150000000 /dev/urandom >ctx/big   # enough that the squash takes a while
printf '%s\nCOPY big /big\n' "$BUSYBOX_STAGE" >ctx/Dockerfile
"$BALE" build -t warm ctx >/dev/null 2>&1 || fail "the first build failed"
echo x >>ctx/big   # the next build copies it again and squashes anew

"$BALE" build --no-cache -t x ctx >build.out 2>build.log &
pid=$!
at_exit "kill $pid"
squashing() { compgen -G "$BALE_STORE/tmp/build.*" >/dev/null; }
wait_for 60 squashing || fail "no build scratch appeared in tmp/: $(cat build.log)"
"$BALE" store gc >gc.out 2>gc.err || fail "gc failed: $(cat gc.err)"
wait "$pid" || fail "the build failed while gc ran: $(tail -5 build.log)"
"$BALE" images | grepq '^x ' || fail "the build did not name its image"
"$BALE" run x sh -c 'test -s /big' || fail "the image lost its file"

# Left by a killed owner: no lock, so gc removes it; a live owner's (flock held) stays.
mkdir "$BALE_STORE/tmp/pull.dead12" "$BALE_STORE/tmp/build.live12"
echo half >"$BALE_STORE/tmp/pull.dead12/image.bale"
flock -s -o "$BALE_STORE/tmp/build.live12" sleep 30 &
holder=$!
at_exit "kill $holder"
wait_for 10 sh -c "grep -q . /proc/locks"
"$BALE" store gc >gc.out 2>gc.err || fail "gc failed: $(cat gc.err)"
[ -e "$BALE_STORE/tmp/pull.dead12" ] && fail "gc left a dead owner's scratch"
[ -d "$BALE_STORE/tmp/build.live12" ] || fail "gc removed a scratch its owner still holds"
kill "$holder"
wait "$holder" 2>/dev/null || true
"$BALE" store gc >gc.out 2>gc.err || fail "gc failed: $(cat gc.err)"
[ -e "$BALE_STORE/tmp/build.live12" ] && fail "gc left a scratch whose owner is gone"
exit 0
