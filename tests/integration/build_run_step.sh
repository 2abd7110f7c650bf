#!/bin/bash
# How a RUN step runs: in its own PID namespace (the command is PID 2 under a reaping init, and
# nothing it starts outlives it), with /proc, /dev and /sys, the host's resolv.conf and hosts
# during the step only (nothing of them left in a FROM scratch image), HOME and the default
# PATH, as the stage's USER, in WORKDIR, with --network=none isolating it. Deletions become
# absent files in the image, never whiteout markers. A failing RUN's own exit code is bale's.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"

busybox_context ctx
# A sleep of a length no other test (or a second suite running beside this one) uses.
nap=$((300000 + $$ % 10000))
cat >ctx/Dockerfile <<EOF
$BUSYBOX_STAGE
RUN mkdir -p /etc /gone/deep /opaque && echo x >/gone/deep/f && echo old >/opaque/old && \
    printf 'root:x:0:0:root:/root:/bin/sh\\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\\n' >/etc/passwd && \
    printf 'root:x:0:\\nnogroup:x:65534:\\n' >/etc/group
RUN echo "pid=\$\$" >/facts; grep -c . /etc/resolv.conf >>/facts; test -e /proc/1/status && \
    echo proc >>/facts; test -c /dev/null && echo dev >>/facts; test -d /sys/kernel && echo sys >>/facts; \
    echo "home=\$HOME path=\$PATH" >>/facts
RUN sleep $nap & echo "\$!" >/sleeper
RUN rm -rf /gone && rm -rf /opaque && mkdir /opaque && echo new >/opaque/new
USER nobody
WORKDIR /tmp/work
RUN id -u >/tmp/work/uid 2>&1 || true
USER root
RUN --network=none cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' >/netdevs
EOF
build -o img.bale ctx
extract img.bale r
[ "$(sed -n 1p r/facts)" = "pid=2" ] || fail "the RUN command is not PID 2 of its own namespace: $(cat r/facts)"
[ "$(sed -n 2p r/facts)" -ge 1 ] || fail "resolv.conf was not visible during the step"
[ "$(sed -n 3,5p r/facts | tr '\n' ' ')" = "proc dev sys " ] || fail "/proc, /dev or /sys missing: $(cat r/facts)"
[ "$(sed -n 6p r/facts)" = "home=/root path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ] ||
  fail "HOME/PATH: $(sed -n 6p r/facts)"
pgrep -fx "sleep $nap" >/dev/null && fail "a process of a RUN step outlived it"
for f in etc/resolv.conf etc/hosts proc sys dev; do
  [ -e "r/$f" ] && fail "the image holds /$f, which only the step needed"
done
[ -e r/gone ] && fail "a deleted directory is in the image"
[ "$(ls r/opaque)" = new ] || fail "an emptied and re-made directory kept old entries: $(ls r/opaque)"
tar -tzf img.bale | grepq '\.wh\.' && fail "whiteout markers in the image"
[ "$(cat r/tmp/work/uid)" = 65534 ] || fail "USER nobody: $(cat r/tmp/work/uid)"
[ "$(stat -c %u r/tmp/work)" = 65534 ] || fail "WORKDIR made by USER nobody is not owned by nobody"
[ "$(cat r/netdevs)" = lo ] || fail "--network=none sees interfaces: $(cat r/netdevs)"

# A failing RUN: its own exit code, the file, line and command, no image written.
cat >ctx/Dockerfile.fail <<EOF
$BUSYBOX_STAGE
RUN echo before; exit 42
EOF
expect_fail 42 'Dockerfile.fail:4: RUN echo before; exit 42: exit code 42' \
  "$BALE" build -f ctx/Dockerfile.fail -o fail.bale ctx
grep -q '^before$' "$T/.err" || fail "the failing step's output was not shown"
[ -e fail.bale ] && fail "an image was written by a failed build"
expect_fail 42 'exit code 42' "$BALE" build -q -f ctx/Dockerfile.fail -o fail.bale ctx
grep -q '^before$' "$T/.err" || fail "--quiet hid a failing step's output"
no_build_leftovers
exit 0
