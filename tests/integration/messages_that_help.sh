#!/bin/bash
# Messages that once misled, each checked: build -q prints no "tagged"; a build's untrusted base
# is not offered --insecure (build has none); a bad --tmpfs option is named as given, not as
# /proc/self/fd/N; pack --stop-signal takes signals only; a missing -o directory is found before
# the build starts, and so is a bare ENV; --version names the commit; `cmake --install` puts
# bale on a PATH.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
busybox_context ctx
printf '%s\n' "$BUSYBOX_STAGE" >ctx/Dockerfile
"$BALE" build -q -t quiet:1 -o q.bale ctx >out 2>err || fail "build -q failed: $(cat err)"
[ ! -s err ] || fail "build -q printed on stderr: $(cat err)"

# A base signed by a key this machine does not trust.
make_busybox_root root
ssh-keygen -q -t ed25519 -N '' -C stranger -f stranger
"$BALE" pack root -o base.bale --key stranger 2>/dev/null
printf 'FROM ./base.bale\n' >ctx/Dockerfile.untrusted
cp base.bale ctx/
expect_fail 1 "signer not trusted" "$BALE" build -q -f ctx/Dockerfile.untrusted -o u.bale ctx
grep -q -- '--insecure' "$T/.err" && fail "build offers --insecure, which it does not have: $(cat "$T/.err")"
grep -q 'bale trust add' "$T/.err" || fail "build does not say how to trust the signer: $(cat "$T/.err")"

expect_fail 125 "^bale: --tmpfs /scratch:size=bogus: Invalid argument" "$BALE" run --tmpfs /scratch:size=bogus q.bale true
grep -q '/proc/self/fd' "$T/.err" && fail "--tmpfs error names an fd path: $(cat "$T/.err")"

expect_fail 2 "--stop-signal 'SIGFOO': not a signal" "$BALE" pack root -o s.bale --stop-signal SIGFOO
[ ! -e s.bale ] || fail "pack wrote an image with a bad stop signal"
"$BALE" pack root -o s.bale --stop-signal SIGRTMIN+3 2>/dev/null || fail "pack refused SIGRTMIN+3"

expect_fail 2 "-o '$T/missing/x.bale': the directory '$T/missing' does not exist" \
  "$BALE" build -o "$T/missing/x.bale" ctx
grep -q '\[1/' "$T/.err" && fail "the build ran before the -o directory was checked: $(cat "$T/.err")"

# A bare ENV late in the Dockerfile is refused before any step runs.
printf '%s\nRUN echo ran >/ran\nENV\n' "$BUSYBOX_STAGE" >ctx/Dockerfile.bare
expect_fail 1 "Dockerfile.bare:5: ENV needs at least one KEY=VALUE" "$BALE" build -f ctx/Dockerfile.bare -o b.bale ctx
grep -q '\[1/' "$T/.err" && fail "steps ran before the bare ENV was refused: $(cat "$T/.err")"

if git -C "$BALE_SRC" rev-parse --short HEAD >/dev/null 2>&1; then
  "$BALE" --version | grepq -E '^bale [0-9]+\.[0-9]+\.[0-9]+ \([0-9a-f]{12}(-dirty)?\)$' ||
    fail "--version does not name the commit: $("$BALE" --version)"
fi
build_dir=$(dirname "$BALE")
if [ -f "$build_dir/cmake_install.cmake" ]; then
  cmake --install "$build_dir" --prefix "$T/prefix" >/dev/null || fail "cmake --install failed"
  [ -x "$T/prefix/bin/bale" ] || fail "cmake --install put no bin/bale under the prefix"
  "$T/prefix/bin/bale" --version >/dev/null || fail "the installed bale does not run"
fi
no_build_leftovers
exit 0
