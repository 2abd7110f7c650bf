#!/bin/bash
# The build cache: nothing changed, nothing runs again (and the image is bit-identical); a
# changed file re-runs from the first step that reads it; a touched file (mtime only) changes
# nothing; a changed --build-arg re-runs only the RUNs that see it; --no-cache runs everything;
# `bale store gc` prunes what no build used in the last week unless a named image was built from
# it (`--all`: the whole cache).
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
export SOURCE_DATE_EPOCH=1700000000

busybox_context ctx
echo one >ctx/early.txt
echo two >ctx/late.txt
cat >ctx/Dockerfile <<EOF
$BUSYBOX_STAGE
COPY early.txt /early.txt
RUN head -c 16 /dev/urandom | od -An -tx1 > /early-stamp
ARG FLAVOR=plain
RUN echo "\$FLAVOR" > /flavor; head -c 16 /dev/urandom | od -An -tx1 > /flavor-stamp
COPY late.txt /late.txt
RUN head -c 16 /dev/urandom | od -An -tx1 > /late-stamp
EOF
build -o 1.bale ctx
[ "$(step_lines CACHED)" -eq 0 ] || fail "a first build found cache entries"
build -o 2.bale ctx
[ "$(step_lines ' CACHED$')" -eq 7 ] || fail "rebuild: $(step_lines ' CACHED$') of 7 steps cached: $(cat "$T/build.log")"
[ "$(step_lines DONE)" -eq 0 ] || fail "rebuild ran steps: $(cat "$T/build.log")"
cmp -s 1.bale 2.bale || fail "the rebuild with nothing changed is not bit-identical"

touch -d @1500000000 ctx/early.txt
build -o 3.bale ctx
[ "$(step_lines DONE)" -eq 0 ] || fail "an mtime-only change re-ran steps: $(cat "$T/build.log")"

echo TWO >ctx/late.txt
build -o 4.bale ctx
grep -qE '^\[8/9\] COPY late.txt /late.txt$' "$T/build.log" || fail "the changed COPY did not run: $(cat "$T/build.log")"
[ "$(step_lines ' CACHED$')" -eq 5 ] || fail "after changing late.txt: $(cat "$T/build.log")"
extract 4.bale r4
extract 1.bale r1
[ "$(cat r4/late.txt)" = TWO ] || fail "the new content is not in the image"
cmp -s r1/early-stamp r4/early-stamp || fail "an early RUN ran again"
cmp -s r1/late-stamp r4/late-stamp && fail "the RUN after the changed COPY was not re-run"

build -o 5.bale --build-arg FLAVOR=spicy ctx
grep -qE '^\[7/9\] RUN echo' "$T/build.log" || fail "the RUN that sees the ARG did not re-run"
[ "$(step_lines ' CACHED$')" -eq 4 ] || fail "a build arg re-ran more than the RUNs that see it: $(cat "$T/build.log")"
extract 5.bale r5
[ "$(cat r5/flavor)" = spicy ] || fail "--build-arg did not reach RUN: $(cat r5/flavor)"
cmp -s r4/early-stamp r5/early-stamp || fail "the RUN before the ARG ran again"

build -o 6.bale --no-cache ctx
[ "$(step_lines CACHED)" -eq 0 ] || fail "--no-cache used the cache"
extract 6.bale r6
cmp -s r4/early-stamp r6/early-stamp && fail "--no-cache did not re-run the first RUN"
build -o 7.bale ctx
[ "$(step_lines ' CACHED$')" -eq 7 ] || fail "the --no-cache results were not kept"
extract 7.bale r7
cmp -s r6/early-stamp r7/early-stamp || fail "the cache holds an older result than --no-cache made"

chmod 0600 ctx/late.txt
build -o 8.bale ctx
[ "$(step_lines ' CACHED$')" -eq 5 ] || fail "a changed mode did not re-run the COPY: $(cat "$T/build.log")"

[ "$(find "$BALE_STORE/build/cache" -mindepth 1 -maxdepth 1 | wc -l)" -gt 0 ] || fail "no cache entries in the store"
# gc keeps what builds used in the last week: the next rebuild stays a cached one.
entries=$(find "$BALE_STORE/build/cache" -mindepth 1 -maxdepth 1 | wc -l)
"$BALE" store gc >gc.out 2>&1 || fail "store gc: $(cat gc.out)"
[ "$(find "$BALE_STORE/build/cache" -mindepth 1 -maxdepth 1 | wc -l)" -eq "$entries" ] ||
  fail "gc removed recently used cache entries: $(cat gc.out)"
grep -qE "removed 0 build cache entries, freed [0-9.]+ MB; kept $entries that named images were built from or that were used in the last 7 days" gc.out ||
  fail "gc did not say what it kept: $(cat gc.out)"
build -o 9.bale ctx
[ "$(step_lines ' CACHED$')" -ge 5 ] || fail "a rebuild after gc was not cached: $(cat "$T/build.log")"
# Entries no build used for 8 days go; a rebuild's hits count as use.
find "$BALE_STORE/build/cache" "$BALE_STORE/build/images" "$BALE_STORE/build/squash" -mindepth 1 -maxdepth 1 \
  -exec touch -h -d '8 days ago' {} +
build -o 10.bale ctx   # uses (and so keeps) the entries of this Dockerfile
used=$(find "$BALE_STORE/build/cache" -mindepth 1 -maxdepth 1 -newermt '1 day ago' | wc -l)
old=$(find "$BALE_STORE/build/cache" -mindepth 1 -maxdepth 1 ! -newermt '1 day ago' | wc -l)
[ "$old" -gt 0 ] || fail "setup: no old entries to prune"
"$BALE" store gc >gc.out 2>&1 || fail "store gc: $(cat gc.out)"
grep -qE "removed $old build cache entries, freed [0-9.]+ MB; kept $used that" gc.out ||
  fail "gc did not remove exactly the $old old entries: $(cat gc.out)"
# What a named image was built from stays, however old, while the name points at the image: its
# rebuild is all cached (and hands out the same file). Untagged, it goes like the rest.
busybox_context named
echo named >named/file.txt
printf '%s\nCOPY file.txt /file.txt\nRUN cat /file.txt > /copied\n' "$BUSYBOX_STAGE" >named/Dockerfile
build -t named:1 named
find "$BALE_STORE/build/cache" "$BALE_STORE/build/images" "$BALE_STORE/build/squash" -mindepth 1 -maxdepth 1 \
  -exec touch -h -d '8 days ago' {} +
"$BALE" store gc >gc.out 2>&1 || fail "store gc: $(cat gc.out)"
build -t named:1 named
[ "$(step_lines ' CACHED$')" -eq 4 ] ||
  fail "gc removed what a named image was built from: $(cat "$T/build.log")"
grep -q "the image of an identical earlier build" "$T/build.log" ||
  fail "gc removed the named image's kept file: $(cat "$T/build.log")"
"$BALE" rmi named:1 >/dev/null
find "$BALE_STORE/build/cache" "$BALE_STORE/build/images" "$BALE_STORE/build/squash" -mindepth 1 -maxdepth 1 \
  -exec touch -h -d '8 days ago' {} +
"$BALE" store gc >gc.out 2>&1 || fail "store gc: $(cat gc.out)"
[ "$(find "$BALE_STORE/build/cache" -mindepth 1 -maxdepth 1 | wc -l)" -eq 0 ] ||
  fail "the cache of an image no longer named was kept: $(cat gc.out)"
[ -z "$(ls -A "$BALE_STORE/build/uses" 2>/dev/null)" ] || fail "records of unnamed images kept: $(ls "$BALE_STORE/build/uses")"
# --all: everything.
"$BALE" store gc --all >gc.out 2>&1 || fail "store gc --all: $(cat gc.out)"
[ "$(find "$BALE_STORE/build/cache" -mindepth 1 -maxdepth 1 | wc -l)" -eq 0 ] || fail "gc --all left cache entries"
build -o 11.bale ctx
[ "$(step_lines CACHED)" -eq 0 ] || fail "cache hits after gc --all"
no_build_leftovers
exit 0
