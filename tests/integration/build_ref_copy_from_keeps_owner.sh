#!/bin/bash
# COPY --from a stage without --chown keeps the source files' uid and gid (only files from the
# context become 0:0); the destination directory COPY creates is 0:0.
# BuildKit (docker.io 20.10.24) gives /o 0:0, /o/f 5:6, /o/sub 5:6, /o/sub/g 5:6, /of 5:6, and
# with --chown=7:8 everything 7:8. The other sides of the rule, also BuildKit's: a context file
# owned by 1234:5678 is 0:0, a heredoc is 0:0, and ADD of a local tar keeps the archive's owners.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
busybox_context ctx
echo c >ctx/owned && chown 1234:5678 ctx/owned
mkdir -p payload/t && echo t >payload/t/file && chown -R 9:10 payload/t
tar -C payload --numeric-owner -cf ctx/t.tar t
cat >ctx/Dockerfile <<DF
$BUSYBOX_STAGE
RUN mkdir -p /out/sub && echo x >/out/f && echo y >/out/sub/g && chown -R 5:6 /out && chmod 0741 /out/f
FROM scratch
COPY --from=0 /out /o
COPY --from=0 /out/f /of
COPY --from=0 --chown=7:8 /out /oc
COPY owned /ctx-file
COPY <<EOT /heredoc
h
EOT
ADD t.tar /tar/
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
check /ctx-file 0:0:644
check /heredoc 0:0:644
check /tar/t 9:10:755
check /tar/t/file 9:10:644
exit 0
