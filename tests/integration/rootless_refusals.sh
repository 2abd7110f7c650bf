#!/bin/bash
# What an ordinary user without subordinate ids cannot do stops before touching anything and says
# why, with the line to add: `bale bootstrap` (Debian's packages own files as other users) and
# limits (`--memory` without a delegated cgroup). Nothing on stdout, no store created. (What does
# work as a user: run_rootless.sh, build_rootless.sh, rootless_debian.sh.)
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need setpriv

run_root root
"$BALE" pack root -o img.bale 2>/dev/null
chmod 0755 "$T"
chmod 0644 img.bale
mkdir -m 0777 scratch
setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null || skip "setpriv cannot switch to nobody here"
[ -x "$BALE" ] && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$BALE" ||
  skip "user nobody cannot execute '$BALE'"

# as_nobody CMD...: CMD as uid/gid 65534 with no groups, its own HOME, stdout/stderr in $T.
as_nobody() {
  local rc=0
  env HOME="$T/scratch" BALE_STORE="$T/scratch/store" \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$@" >"$T/out" 2>"$T/err" || rc=$?
  echo "$rc"
}

mkdir ctx
echo 'FROM scratch' >ctx/Dockerfile
chmod -R a+rX ctx
# One line each for why, the line to add and the hint: a warning, the error, its hint.
for args in "bootstrap debian:bookworm" "run --memory 64m img.bale true"; do
  # shellcheck disable=SC2086  # the argument list on purpose
  rc=$(as_nobody "$BALE" $args)
  [ "$rc" -ne 0 ] || fail "'bale $args' as nobody succeeded"
  [ "$(wc -l <err)" -le 3 ] || fail "'bale $args' as nobody printed $(wc -l <err) lines: $(cat err)"
  [ ! -s out ] || fail "'bale $args' as nobody printed on stdout: $(cat out)"
  [ ! -e scratch/store ] || fail "'bale $args' as nobody created a store"
done
rc=$(as_nobody "$BALE" bootstrap debian:bookworm)
grep -q "bootstrap as an ordinary user needs subordinate ids" err || fail "bootstrap does not say why: $(cat err)"
grep -q "add to /etc/subuid and /etc/subgid (as root): nobody:[0-9]*:65536" err || fail "no line to add: $(cat err)"
rc=$(as_nobody "$BALE" run --memory 64m img.bale true)
[ "$rc" -eq 125 ] || fail "a refused run exited $rc, not 125"
grep -q "need a delegated cgroup v2 subtree" err || fail "--memory does not say what is missing: $(cat err)"
[ -z "$(find scratch -mindepth 1 -print -quit)" ] || fail "bale as nobody created: $(find scratch -mindepth 1)"
exit 0
