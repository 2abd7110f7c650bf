#!/bin/bash
# Without root, the commands that still need it (build, bootstrap) stop before touching
# anything and say so in one line: nothing on stdout, no store created. (`bale run` as an
# ordinary user is run_rootless.sh.)
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
for args in "build -t x ctx" "bootstrap debian:bookworm"; do
  # shellcheck disable=SC2086  # the argument list on purpose
  rc=$(as_nobody "$BALE" $args)
  [ "$rc" -ne 0 ] || fail "'bale $args' as nobody succeeded"
  [ "$(wc -l <err)" -le 2 ] || fail "'bale $args' as nobody printed $(wc -l <err) lines: $(cat err)"
  grep -q 'needs root' err || fail "'bale $args' as nobody does not say it needs root: $(cat err)"
  [ ! -s out ] || fail "'bale $args' as nobody printed on stdout: $(cat out)"
  [ ! -e scratch/store ] || fail "'bale $args' as nobody created a store"
done
[ -z "$(find scratch -mindepth 1 -print -quit)" ] || fail "bale as nobody created: $(find scratch -mindepth 1)"
exit 0
