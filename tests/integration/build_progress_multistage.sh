#!/bin/bash
# The progress of a multi-stage build: every step number 1..N is shown once and in order, each
# step's line names its own stage ("[tools 7/11]"), even when a final stage's COPY --from builds
# another stage in the middle of the step; no line is shown twice; the same in plain and tty
# mode (a real terminal, through script(1)); -q shows nothing but errors.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
need script

busybox_context ctx
echo f >ctx/f
# `tools` is built only when the unnamed last stage's COPY --from asks for it.
cat >ctx/Dockerfile <<DF
${BUSYBOX_STAGE/FROM scratch/FROM scratch AS base}
RUN echo output-of-base
FROM base AS tools
RUN echo output-of-tools >/tools && cat /tools
ENV T=1
FROM base
COPY f /f
COPY --from=tools /tools /tools
RUN cat /f
DF
expected='[base 1/11] FROM scratch AS base
[base 2/11] COPY busybox /bin/busybox
[base 3/11] RUN ["/bin/busybox", "--install", "-s", "/bin"]
[base 4/11] RUN echo output-of-base
[stage-2 5/11] FROM base
[stage-2 6/11] COPY f /f
[tools 7/11] FROM base AS tools
[tools 8/11] RUN echo output-of-tools >/tools && cat /tools
[tools 9/11] ENV T=1
[stage-2 10/11] COPY --from=tools /tools /tools
[stage-2 11/11] RUN cat /f'

# check_log LOG CACHED: the step lines of LOG are the expected ones (with " CACHED" after each
# filesystem step when CACHED is 1); a DONE line follows its own step, with its number and
# stage; no line is shown twice.
check_log() {
  local log=$1 cached=$2 want got dups
  want=$expected
  [ "$cached" = 1 ] && want=$(sed -E '/ (FROM|ENV) /!s/$/ CACHED/' <<<"$expected")
  got=$(grep -E '^\[' "$log" | grep -vE '^\[[^]]*\] DONE [0-9.]+s$' || true)
  [ "$got" = "$want" ] || fail "step lines of $log:
$got
expected:
$want"
  awk '/^\[/ && !/\] DONE [0-9.]+s$/ { last = $1 " " $2 }
       /\] DONE [0-9.]+s$/ { if ($1 " " $2 != last) { print "DONE of another step: " $0; exit 1 }
                             last = "" }' "$log" || fail "$log: $(cat "$log")"
  dups=$(sort "$log" | uniq -d)
  [ -z "$dups" ] || fail "lines shown twice in $log: $dups"
  [ "$(grep -c '^output-of-base$' "$log")" -eq "$((1 - cached))" ] || fail "RUN output in $log: $(cat "$log")"
}

build --progress plain -o img.bale ctx
check_log "$T/build.log" 0
extract img.bale r
[ "$(cat r/tools)" = output-of-tools ] || fail "the COPY --from did not copy tools' file"

# tty mode on a real terminal: script(1) gives bale a pty as stdout and stderr.
script -qec "'$BALE' build --progress tty --no-cache -o tty.bale ctx" /dev/null >tty.raw ||
  fail "bale build on a terminal failed: $(cat tty.raw)"
tr -d '\r' <tty.raw | grep -vE '^sha256:[0-9a-f]{64}$' >tty.log
check_log tty.log 0

build --progress plain -o again.bale ctx
check_log "$T/build.log" 1

# -q: the digest on stdout and nothing else; a failing step shows its own output and the error.
build -q --no-cache -o quiet.bale ctx
[ ! -s "$T/build.log" ] || fail "-q printed: $(cat "$T/build.log")"
grep -qxE 'sha256:[0-9a-f]{64}' "$T/build.out" || fail "-q stdout: $(cat "$T/build.out")"
printf 'RUN echo why-it-failed && exit 3\n' >>ctx/Dockerfile
expect_fail 3 'Dockerfile:12: RUN echo why-it-failed && exit 3: exit code 3' \
  "$BALE" build -q -o fail.bale ctx
grep -q '^why-it-failed$' "$T/.err" || fail "-q hid the failing step's output: $(cat "$T/.err")"
! grep -qE '^\[|output-of' "$T/.err" || fail "-q showed steps: $(cat "$T/.err")"
[ ! -s "$T/.out" ] || fail "-q printed on stdout for a failed build: $(cat "$T/.out")"
no_build_leftovers
exit 0
