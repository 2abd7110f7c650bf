#!/bin/bash
# RUN --mount: type=cache keeps its content from one build to the next and never reaches the
# image; type=bind shows the context read-only (what .dockerignore leaves in, nothing more) or
# another stage, and its content is part of the cache key; type=tmpfs is empty and gone after.
# The mountpoints themselves are not left in the image.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"

busybox_context ctx
mkdir ctx/src
echo v1 >ctx/src/version
echo hidden >ctx/src/secret.txt
echo 'src/secret.txt' >ctx/.dockerignore
cat >ctx/Dockerfile <<EOF
$BUSYBOX_STAGE
RUN mkdir /made && echo from-stage >/made/file
FROM 0
ARG RUNS=1
RUN --mount=type=cache,target=/var/cache/thing \
    echo "run \$RUNS" >>/var/cache/thing/log; cat /var/cache/thing/log >/cache-log
RUN --mount=type=bind,source=src,target=/mnt/src \
    cat /mnt/src/version >/bound; ls /mnt/src >/bound-list; (touch /mnt/src/x 2>/dev/null && echo writable || echo read-only) >/bound-rw
RUN --mount=type=bind,from=0,source=/made,target=/other cat /other/file >/from-stage
RUN --mount=type=tmpfs,target=/scratch-space echo temp >/scratch-space/t && cat /scratch-space/t >/tmpfs-seen
EOF
build -o 1.bale --build-arg RUNS=1 ctx
build -o 2.bale --build-arg RUNS=2 ctx
extract 2.bale r
[ "$(tr '\n' ' ' <r/cache-log)" = "run 1 run 2 " ] || fail "the cache mount did not persist: $(cat r/cache-log)"
[ -e r/var/cache/thing ] && fail "the cache mount's target was left in the image"
[ -e r/var ] && fail "directories made only for a mountpoint were left in the image"
[ "$(cat r/bound)" = v1 ] || fail "bind from the context: $(cat r/bound)"
[ "$(cat r/bound-list)" = version ] || fail "a bind of the context shows ignored files: $(cat r/bound-list)"
[ "$(cat r/bound-rw)" = read-only ] || fail "a bind mount is writable by default"
[ -e r/mnt ] && fail "the bind mountpoint was left in the image"
[ "$(cat r/from-stage)" = from-stage ] || fail "bind from a stage: $(cat r/from-stage)"
[ "$(cat r/tmpfs-seen)" = temp ] || fail "tmpfs mount"
[ -e r/scratch-space ] && fail "the tmpfs mountpoint was left in the image"

# The bound content is part of the key: changing it re-runs that step.
echo v2 >ctx/src/version
build -o 3.bale --build-arg RUNS=2 ctx
grep -qE 'RUN --mount=type=bind,source=src.* CACHED$' "$T/build.log" && fail "a changed bind source did not re-run the step"
extract 3.bale r3
[ "$(cat r3/bound)" = v2 ] || fail "bind after the change: $(cat r3/bound)"
no_build_leftovers
exit 0
