#!/bin/bash
# A heredoc's name comes from the Dockerfile: no form of it (.., an absolute path, a name that
# matches a file bale keeps in the step) may write outside the step, before or after any check.
# A sentinel directory outside the store must stay exactly as it was; the builds themselves
# work as BuildKit's do (the body is copied; a directory destination gets the name's last part).
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"

S="$T/sentinel"
mkdir -p "$S/sub"
echo original >"$S/keep"
before=$(tree_manifest "$S"; file_hashes "$S")
up=$(printf '../%.0s' $(seq 30))            # far more .. than the store is deep
victim="${up}${S#/}/victim"

busybox_context ctx
# check NAME DEST EXPECT-PATH: COPY <<NAME DEST builds, and the image holds EXPECT-PATH with the body.
n=0
check() {
  n=$((n + 1))
  printf 'FROM scratch\nCOPY <<%s %s\nPWNED\n%s\n' "$1" "$2" "$1" >"ctx/Dockerfile.$n"
  "$BALE" build -q -f "ctx/Dockerfile.$n" -o "out$n.bale" ctx >"$T/b.out" 2>"$T/b.err" ||
    fail "COPY <<$1 $2: the build failed: $(cat "$T/b.err")"
  extract "out$n.bale" "x$n"
  [ "$(cat "x$n$3")" = PWNED ] || fail "COPY <<$1 $2: '$3' lacks the body: $(find "x$n")"
  [ "$before" = "$(tree_manifest "$S"; file_hashes "$S")" ] || fail "COPY <<$1 $2 wrote outside the store"
}
check "$victim" /x /x
check "$victim" /d/ /d/victim
check "/${S#/}/victim" /x /x
check "${up}${S#/}/keep" /x /x
check "src" /d/ /d/src          # the name of the directory bale keeps a step's sources in
check "../src" /x /x
check "EOF" /d/ /d/EOF

# A name that is no file name at all, into a directory: refused, naming it; nothing written.
printf 'FROM scratch\nCOPY <<%s /d/\nx\n%s\n' "$up" "$up" >ctx/Dockerfile.dots
expect_fail 1 "Dockerfile.dots:2: .*heredoc '$(re_escape "$up")' names no file" \
  "$BALE" build -q -f ctx/Dockerfile.dots -o bad.bale ctx
[ ! -e bad.bale ] || fail "an image was written"

# RUN's script heredoc (#!) is bound into the step: its name must not place it either.
printf '%s\nRUN <<%s\n#!/bin/sh\necho ran >/ran\n%s\n' "$BUSYBOX_STAGE" "$victim" "$victim" >ctx/Dockerfile.run
build -q -f ctx/Dockerfile.run -o run.bale ctx
extract run.bale xr
[ "$(cat xr/ran)" = ran ] || fail "RUN <<NAME with #! did not run its script"
[ ! -e xr/run/bale-heredoc ] || fail "the script's mountpoint stayed in the image"

[ "$before" = "$(tree_manifest "$S"; file_hashes "$S")" ] || fail "a build wrote into '$S'"
[ ! -e /tmp/victim ] || fail "/tmp/victim exists"
no_build_leftovers
exit 0
