#!/bin/bash
# RUN --mount=type=bind of the context (all of it, a directory or a file) in a context with no
# .dockerignore. (build_run_mounts.sh has a .dockerignore, so it takes the copying path.)
# BuildKit (docker.io 20.10.24) builds it: /bls is "f sub", /subls "g", /bfs "f".
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
busybox_context ctx
echo f >ctx/f
mkdir ctx/sub && echo g >ctx/sub/g
cat >ctx/Dockerfile <<DF
$BUSYBOX_STAGE
RUN --mount=type=bind,target=/b ls /b | grep -v -e busybox -e Dockerfile | tr '\n' ' ' >/bls
RUN --mount=type=bind,source=sub,target=/s ls /s >/subls
RUN --mount=type=bind,source=f,target=/bf cat /bf >/bfs
DF
build -q -o img.bale ctx
extract img.bale r
[ "$(cat r/bls)" = "f sub " ] || fail "bind of the whole context: $(cat r/bls)"
[ "$(cat r/subls)" = g ] || fail "bind of a context directory: $(cat r/subls)"
[ "$(cat r/bfs)" = f ] || fail "bind of a context file: $(cat r/bfs)"
exit 0
