#!/bin/bash
# A store whose path holds a space, a comma, a colon and a backslash: the overlay options name it
# escaped (overlayfs splits at ',' and ':'), and gc finds the running container's tree in the
# mount table, where the kernel writes those characters as octal escapes. It keeps the tree.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
export BALE_STORE="$T/a store, with:odd\\chars"
run_root root
"$BALE" pack root -o img.bale 2>/dev/null
out=$("$BALE" run img.bale /bin/echo hello 2>err) || fail "run in an odd store path failed: $(cat err)"
[ "$out" = hello ] || fail "run printed '$out'"
mkdir share
"$BALE" run -v "$T/share:/share" img.bale sh -c 'touch /share/up; while [ ! -e /share/stop ]; do sleep 0.1; done' 2>err &
pid=$!
at_exit "kill -9 $pid"
wait_for 20 test -e share/up || fail "the container did not start: $(cat err)"
"$BALE" store gc >gc.out 2>err || fail "store gc failed: $(cat err)"
grep -q '^removed sha256' gc.out && fail "gc removed the tree of a running container: $(cat gc.out)"
ls -d "$BALE_STORE"/images/*/rootfs >/dev/null 2>&1 || fail "the running container's tree is gone"
touch share/stop
wait "$pid" || fail "the container failed: $(cat err)"
"$BALE" store gc >gc.out 2>err || fail "store gc failed: $(cat err)"
grep -q '^removed sha256' gc.out || fail "gc kept the tree once nothing used it: $(cat gc.out)"
exit 0
