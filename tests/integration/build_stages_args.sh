#!/bin/bash
# Stages and ARG scoping: an ARG before FROM is seen by FROM lines only, unless a stage declares
# it again; --build-arg overrides defaults; TARGETARCH and friends are predefined; --target picks
# a stage; only the stages the target needs are built; an unused --build-arg is a warning.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"

busybox_context ctx
arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
cat >ctx/Dockerfile <<EOF
ARG BASE=tools
ARG VERSION=1.0
FROM scratch AS tools
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]

FROM \$BASE AS unused
RUN echo this stage is not needed >/unused

FROM \${BASE} AS final
RUN echo "version=[\$VERSION]" >/seen-without-declaring
ARG VERSION
ARG TARGETARCH
ARG TARGETPLATFORM
RUN echo "version=\$VERSION arch=\$TARGETARCH platform=\$TARGETPLATFORM" >/seen
EOF
build -o final.bale --build-arg VERSION=2.5 --build-arg NOBODY=x ctx
extract final.bale r
[ "$(cat r/seen-without-declaring)" = "version=[]" ] || fail "a global ARG leaked into a stage: $(cat r/seen-without-declaring)"
[ "$(cat r/seen)" = "version=2.5 arch=$arch platform=linux/$arch" ] || fail "ARG values: $(cat r/seen)"
grep -q 'this stage is not needed' "$T/build.log" && fail "a stage the target does not need was built"
grep -q "warning: build arg 'NOBODY' was not consumed" "$T/build.log" || fail "no warning for an unused build arg"
grep -qE '^\[tools 1/9\] ' "$T/build.log" || fail "the step count should cover the needed stages only: $(head -2 "$T/build.log")"

build -o tools.bale --target tools ctx
extract tools.bale t
[ -e t/seen ] && fail "--target tools built past the tools stage"
[ -x t/bin/busybox ] || fail "--target tools: no busybox"

expect_fail 1 "--target 'nope': no stage of that name" "$BALE" build -o x.bale --target nope ctx
exit 0
