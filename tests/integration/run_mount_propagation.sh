#!/bin/bash
# No mount of a container reaches the namespace that started it, even where "/" is shared (as
# under systemd): the test runs itself under `unshare -m --propagation shared`, so a bale that
# forgot to make "/" private would leak its overlay, /proc, binds and tmpfs here. After 200 runs
# the mount table and /tmp are exactly as before.
if [ "${1:-}" != --inside ]; then
  command -v unshare >/dev/null || { echo "SKIP: unshare is not installed" >&2; exit 77; }
  exec unshare -m --propagation shared bash "$0" --inside
fi
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

grep -qE '^[0-9]+ [0-9]+ [^ ]+ / / [^ ]+ shared:' /proc/self/mountinfo ||
  fail "/ is not shared in this namespace, so the test would prove nothing: $(grep ' / / ' /proc/self/mountinfo)"

run_root root
"$BALE" pack root -o img.bale 2>/dev/null
mkdir share
"$BALE" run img.bale true || fail "a first run failed"

# A fresh /tmp for this namespace, so that nothing else on the machine writing to /tmp shows up
# in the comparison; $T stays reachable through /mnt.
mount --bind "$T" /mnt
at_exit "umount -l /mnt"
# The binary may live under /tmp (a clone there), which the tmpfs below hides.
cp "$BALE" "$T/bale"
BALE=/mnt/bale
mount -t tmpfs -o mode=1777 bale-test-tmp /tmp
at_exit "umount -l /tmp"
cd /mnt
export BALE_STORE=/mnt/store BALE_CONFIG_DIR=/mnt/config BALE_RUN_DIR=/mnt/run
touch /tmp/marker
# shellcheck disable=SC2012  # names, modes and times, compared as text
ls -lA --time-style=+%s /tmp >tmp.before
cat /proc/self/mountinfo >mounts.before

# While a container runs, with every kind of mount bale makes, nothing appears here.
"$BALE" run -v /mnt/share:/share -v /mnt/share:/share-ro:ro --tmpfs /scratch img.bale \
  sh -c 'touch /share/started; while [ ! -e /share/stop ]; do sleep 0.1; done' 2>err &
pid=$!
at_exit "kill -9 $pid"
wait_for 20 test -e share/started || fail "the container did not start: $(cat err)"
diff mounts.before /proc/self/mountinfo >mounts.diff ||
  fail "the running container's mounts leaked into the parent namespace: $(cat mounts.diff)"
grep -q ' / / .*overlay' /proc/"$pid"/mountinfo ||
  fail "the container's root is no overlay, so this test checks nothing: $(cat /proc/"$pid"/mountinfo)"
grep -q 'shared:' /proc/"$pid"/mountinfo &&
  fail "the container's mounts are still shared: $(grep 'shared:' /proc/"$pid"/mountinfo)"
touch share/stop
wait "$pid" || fail "the container exited $?: $(cat err)"

for _ in $(seq 200); do
  "$BALE" run img.bale true 2>err || fail "a run failed: $(cat err)"
done
diff mounts.before /proc/self/mountinfo >mounts.diff ||
  fail "200 runs changed the mount table: $(head -20 mounts.diff)"
[ "$(wc -l </proc/self/mountinfo)" -eq "$(wc -l <mounts.before)" ] || fail "the number of mounts changed"
# shellcheck disable=SC2012
ls -lA --time-style=+%s /tmp | diff tmp.before - >tmp.diff || fail "200 runs changed /tmp: $(cat tmp.diff)"
[ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp: $(store_names tmp)"
[ "$(store_count mnt)" -eq 0 ] || fail "left in the store's mnt: $(store_names mnt)"
exit 0
