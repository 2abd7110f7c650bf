#!/bin/bash
# `bale store ls` lists unpacked images by digest and whether a container uses them; `bale store
# gc` never removes an image a running container is built on, removes it once nothing uses it,
# and the next run unpacks it again.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

run_root root
echo one >root/etc/which
"$BALE" pack root -o one.bale 2>/dev/null
echo two >root/etc/which
"$BALE" pack root -o two.bale 2>/dev/null
one=$(image_hex one.bale)
two=$(image_hex two.bale)

"$BALE" store ls >ls.out 2>err || fail "store ls of an empty store failed: $(cat err)"
[ "$(grep -c . ls.out)" -eq 1 ] || fail "store ls of an empty store printed: $(cat ls.out)"
"$BALE" run one.bale true
"$BALE" run two.bale true

# in_use_of HEX: the IN USE column of HEX's line in `bale store ls`.
in_use_of() {
  "$BALE" store ls >"$T/ls.out" 2>"$T/ls.err" || fail "store ls failed: $(cat "$T/ls.err")"
  awk -v d="sha256:$1" '$1 == d { print $NF }' "$T/ls.out"
}
[ "$(in_use_of "$one")" = no ] || fail "store ls: one.bale's image not listed as unused: $(cat ls.out)"
[ "$(in_use_of "$two")" = no ] || fail "store ls: two.bale's image not listed as unused: $(cat ls.out)"

mkdir share
"$BALE" run -v "$T/share:/share" one.bale \
  sh -c 'touch /share/up; while [ ! -e /share/stop ]; do sleep 0.1; done; cat /etc/which' >run.out 2>err &
pid=$!
at_exit "kill -9 $pid"
wait_for 20 test -e share/up || fail "the container did not start: $(cat err)"
[ "$(in_use_of "$one")" = yes ] || fail "store ls: one.bale's image not in use while it runs: $(cat ls.out)"
[ "$(in_use_of "$two")" = no ] || fail "store ls: two.bale's image in use: $(cat ls.out)"

"$BALE" store gc >gc.out 2>err || fail "store gc failed: $(cat err)"
[ -d "$BALE_STORE/images/$one/rootfs" ] || fail "gc removed the image of a running container"
[ ! -e "$BALE_STORE/images/$two" ] || fail "gc kept the unused image of two.bale"
grep -qx "removed sha256:$two" gc.out || fail "gc did not report removing two.bale's image: $(cat gc.out)"
grep -q "$one" gc.out && fail "gc reported removing the running image: $(cat gc.out)"

touch share/stop
wait "$pid" || fail "the container exited $?: $(cat err)"
[ "$(cat run.out)" = one ] || fail "the running container lost its files: $(cat run.out)"
"$BALE" store gc >gc.out 2>err || fail "store gc failed: $(cat err)"
[ "$(store_count images)" -eq 0 ] || fail "gc left unused images: $(store_names images)"
grep -qx "removed sha256:$one" gc.out || fail "gc did not report removing one.bale's image: $(cat gc.out)"
[ "$(grep -c "^sha256:" <("$BALE" store ls))" -eq 0 ] || fail "store ls lists images after gc"

"$BALE" run one.bale cat /etc/which >out 2>err || fail "run after gc failed: $(cat err)"
[ "$(cat out)" = one ] || fail "run after gc printed: $(cat out)"
[ -d "$BALE_STORE/images/$one/rootfs" ] || fail "the run after gc did not unpack the image again"
[ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp: $(store_names tmp)"

# The same store named another way (trailing slash, a symlink) is the same store: its gc must
# still see the running container.
ln -s "$BALE_STORE" storelink
rm -f share/up share/stop
"$BALE" run -v "$T/share:/share" one.bale \
  sh -c 'touch /share/up; while [ ! -e /share/stop ]; do sleep 0.1; done; cat /etc/which' >run.out 2>err &
pid=$!
at_exit "kill -9 $pid"
wait_for 20 test -e share/up || fail "the container did not start: $(cat err)"
for spelling in "$BALE_STORE/" "$T/storelink"; do
  [ "$(BALE_STORE=$spelling in_use_of "$one")" = yes ] ||
    fail "store ls with the store as '$spelling': the running image is not in use: $(cat ls.out)"
  BALE_STORE=$spelling "$BALE" store gc >gc.out 2>err || fail "store gc failed: $(cat err)"
  [ -d "$BALE_STORE/images/$one/rootfs" ] ||
    fail "gc with the store as '$spelling' removed the image of a running container: $(cat gc.out)"
done
touch share/stop
wait "$pid" || fail "the container exited $?: $(cat err)"
[ "$(cat run.out)" = one ] || fail "the running container lost its files: $(cat run.out)"

# The store given explicitly, without BALE_STORE: `bale store ls|gc [--store DIR]`.
env -u BALE_STORE "$BALE" store --store "$BALE_STORE" ls >ls2.out 2>err ||
  fail "store --store DIR ls failed: $(cat err)"
grep -q "^sha256:$one " ls2.out || fail "store --store DIR ls does not list the image: $(cat ls2.out)"
env -u BALE_STORE "$BALE" store ls --store "$BALE_STORE" >ls2.out 2>err ||
  fail "store ls --store DIR failed: $(cat err)"
grep -q "^sha256:$one " ls2.out || fail "store ls --store DIR does not list the image: $(cat ls2.out)"
env -u BALE_STORE "$BALE" store gc --store "$BALE_STORE" >gc.out 2>err || fail "store gc --store DIR failed: $(cat err)"
grep -qx "removed sha256:$one" gc.out || fail "store gc --store DIR did not remove the image: $(cat gc.out)"
exit 0
