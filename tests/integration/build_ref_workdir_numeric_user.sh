#!/bin/bash
# A directory WORKDIR creates is owned as COPY --chown=USER would own it: a numeric USER that is
# not in /etc/passwd takes its uid as the gid.
# BuildKit (docker.io 20.10.24) gives /numeric and /numeric/new 4242:4242, /pair 4242:4243,
# /named 1000:2000 (app's primary group).
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
busybox_context ctx
cat >ctx/Dockerfile <<DF
$BUSYBOX_STAGE
RUN echo 'root:x:0:0::/root:/bin/sh' >/etc/passwd && echo 'app:x:1000:2000::/home/app:/bin/sh' >>/etc/passwd && \\
    echo 'root:x:0:' >/etc/group && echo 'g:x:2000:' >>/etc/group
USER 4242
WORKDIR /numeric/new
USER 4242:4243
WORKDIR /pair
USER app
WORKDIR /named
DF
build -q -o img.bale ctx
extract img.bale r
check() { [ "$(stat -c %u:%g "r$1")" = "$2" ] || fail "$1: owner $(stat -c %u:%g "r$1"), BuildKit gives $2"; }
check /numeric 4242:4242
check /numeric/new 4242:4242
check /pair 4242:4243
check /named 1000:2000
exit 0
