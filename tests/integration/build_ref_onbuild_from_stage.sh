#!/bin/bash
# ONBUILD triggers run when a stage is built FROM an earlier stage of the same Dockerfile, not
# only FROM an image, and the child does not inherit them.
# BuildKit (docker.io 20.10.24) gives: /trig and /fromctx present in the child, Env with OB=1,
# and no OnBuild in the child's config.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
busybox_context ctx
echo c >ctx/ctxfile
cat >ctx/Dockerfile <<DF
${BUSYBOX_STAGE/FROM scratch/FROM scratch AS parent}
ONBUILD RUN echo trig >/trig
ONBUILD COPY ctxfile /fromctx
ONBUILD ENV OB=1
FROM parent AS child
RUN cat /trig >/seen
DF
build -q -o child.bale ctx
extract child.bale r
[ "$(cat r/seen 2>/dev/null)" = trig ] || fail "the ONBUILD RUN of the parent stage did not run first"
[ "$(cat r/fromctx 2>/dev/null)" = c ] || fail "the ONBUILD COPY of the parent stage did not run"
image_config child.bale
[ "$(json_get "$T/config.json" 'j["config"]["config"]["Env"]')" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","OB=1"]' ] ||
  fail "Env: $(json_get "$T/config.json" 'j["config"]["config"]["Env"]'), BuildKit gives PATH and OB=1"
[ "$(json_get "$T/config.json" 'j["config"]["config"].get("OnBuild")')" = null ] ||
  fail "the child inherited the parent stage's OnBuild: $(json_get "$T/config.json" 'j["config"]["config"].get("OnBuild")')"
exit 0
