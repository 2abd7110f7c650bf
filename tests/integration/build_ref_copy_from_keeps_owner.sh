#!/bin/bash
# COPY --from a stage without --chown keeps the source files' uid and gid (only files from the
# context become 0:0); the destination directory COPY creates is 0:0.
# BuildKit (docker.io 20.10.24) gives /o 0:0, /o/f 5:6, /o/sub 5:6, /o/sub/g 5:6, /of 5:6, and
# with --chown=7:8 everything 7:8.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
busybox_context ctx
cat >ctx/Dockerfile <<DF
$BUSYBOX_STAGE
RUN mkdir -p /out/sub && echo x >/out/f && echo y >/out/sub/g && chown -R 5:6 /out && chmod 0741 /out/f
FROM scratch
COPY --from=0 /out /o
COPY --from=0 /out/f /of
COPY --from=0 --chown=7:8 /out /oc
DF
build -q -o img.bale ctx
extract img.bale r
check() { [ "$(stat -c %u:%g:%a "r$1")" = "$2" ] || fail "$1: $(stat -c %u:%g:%a "r$1"), BuildKit gives $2"; }
check /o 0:0:755
check /o/f 5:6:741
check /o/sub 5:6:755
check /o/sub/g 5:6:644
check /of 5:6:741
check /oc/f 7:8:741
check /oc/sub/g 7:8:644
exit 0
