#!/bin/bash
# An interrupted build (SIGINT, SIGTERM, SIGKILL during a RUN) leaves no mount anywhere, no
# process of the step, and no half-written cache entry: the next build runs the step again and
# `bale store gc` removes what a killed build left in the step area.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

busybox_context ctx
cat >ctx/Dockerfile <<EOF
$BUSYBOX_STAGE
RUN touch /started-\$MARK; sleep 600
EOF
# interrupt SIGNAL: start a build, wait for its RUN to start, send SIGNAL to bale.
interrupt() {
  rm -f build.log
  "$BALE" build -o img.bale --build-arg MARK="$1" ctx >/dev/null 2>build.log &
  local pid=$!
  wait_for 30 pgrep -f '^sleep 600' >/dev/null || fail "the RUN step did not start: $(cat build.log)"
  kill "-$1" "$pid"
  local rc=0
  wait "$pid" || rc=$?
  echo "$rc"
}
sed -i 's/^RUN touch/ARG MARK\nRUN touch/' ctx/Dockerfile
for sig in INT TERM; do
  rc=$(interrupt "$sig")
  want=$((128 + $(kill -l "$sig")))
  [ "$rc" -eq "$want" ] || fail "SIG$sig: bale exited $rc, expected $want: $(cat build.log)"
  grep -q "interrupted by SIG$sig" build.log || fail "SIG$sig: no message: $(cat build.log)"
  wait_for 10 sh -c '! pgrep -f "^sleep 600"' || fail "SIG$sig: the step's process is still running"
  no_build_leftovers
  [ -e img.bale ] && fail "SIG$sig: an image was written"
done
rc=$(interrupt KILL)
[ "$rc" -eq 137 ] || fail "SIGKILL: exit $rc"
wait_for 10 sh -c '! pgrep -f "^sleep 600"' || fail "SIGKILL: the step outlived bale"
! grep -qF "$T/" /proc/self/mountinfo || fail "SIGKILL left mounts"
for c in "$BALE_STORE"/build/cache/*; do
  [ -e "$c/diff/started-KILL" ] && fail "a killed step reached the cache"
done
"$BALE" store gc >/dev/null 2>&1 || fail "store gc failed"
no_build_leftovers
exit 0
