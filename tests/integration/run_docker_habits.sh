#!/bin/bash
# Fingers and scripts written for docker work: --rm, -i, -t, -it, -ti, --interactive and --tty
# are accepted as the no-ops they are (a bale container is always removed and always has the
# caller's stdin and terminal), in any position before IMAGE and in `bale unit`; -d/--detach is
# refused with what to do instead. From a terminal the container gets the caller's TERM.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
run_root root
"$BALE" pack root -o img.bale -e FROM_IMAGE=1 2>/dev/null

for flags in "--rm" "-i" "-t" "-it" "-ti" "--interactive --tty" "--rm -it -e X=1" "-e X=1 --rm -t"; do
  # shellcheck disable=SC2086  # the flags are words on purpose
  out=$(echo piped | "$BALE" run $flags img.bale sh -c 'cat; exit 3' 2>err) && rc=0 || rc=$?
  [ "$rc" -eq 3 ] || fail "run $flags: exit $rc, expected the target's 3: $(cat err)"
  [ "$out" = piped ] || fail "run $flags: stdin did not reach the target: '$out'"
done
# `bale unit` parses its options with CLI11, which takes them too.
"$BALE" unit -it --rm img.bale >unit.txt 2>err || fail "unit -it --rm failed: $(cat err)"

for d in -d --detach; do
  expect_fail 2 "bale run has no -d: there is no daemon to detach to" "$BALE" run "$d" img.bale true
  grep -q "systemd-run" "$T/.err" || fail "run $d: no alternative offered: $(cat "$T/.err")"
done

# TERM from a real terminal (script gives the command a pty), not from a pipe.
need script
TERM=xterm-bale-test script -qec "$BALE run img.bale sh -c 'echo term=\$TERM'" /dev/null >tty.out 2>&1 ||
  fail "run under a terminal failed: $(cat tty.out)"
grep -q "term=xterm-bale-test" tty.out || fail "the container did not get the caller's TERM: $(cat tty.out)"
out=$(TERM=xterm-bale-test "$BALE" run img.bale sh -c 'echo "term=$TERM"' </dev/null 2>err | cat)
[ "$out" = "term=" ] || fail "TERM leaked into a container with no terminal: '$out'"
TERM=xterm-bale-test script -qec "$BALE run -e TERM=dumb img.bale sh -c 'echo term=\$TERM'" /dev/null >tty.out 2>&1
grep -q "term=dumb" tty.out || fail "-e TERM did not win over the caller's: $(cat tty.out)"
exit 0
