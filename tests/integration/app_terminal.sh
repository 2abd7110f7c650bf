#!/bin/bash
# A host app in a real terminal (util-linux `script` gives it a pty): stdin and stdout are that
# terminal inside, with its size; Ctrl-C reaches the app (its trap runs), and an app that does
# not catch it dies of SIGINT: exit 130.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/app_lib.sh"
need script
make_layer_images
mkdir mark
register_sh tsh --bind "$T/mark:/mark"

# in_terminal FEED CMD: CMD run by `script` on a new pty, FEED (a shell command) writing its
# keyboard; the output in term.out, the exit status script's (the app's, 128+N when killed).
# `script` runs CMD with $SHELL -c, and dash stays as the parent of even a lone command: it would
# die of the Ctrl-C itself. So a CMD that takes a Ctrl-C execs the app.
in_terminal() {
  local feed=$1 cmd=$2 rc=0
  eval "$feed" | script -qefc "$cmd" /dev/null >term.out 2>&1 || rc=$?
  return "$rc"
}

in_terminal 'sleep 0.1' "stty rows 33 cols 97; $T/bin/tsh -c 'test -t 0 && test -t 1 && test -t 2 && echo tty-yes; stty size; echo \$TERM'" ||
  fail "the app failed in a terminal: $(cat term.out)"
grep -q tty-yes term.out || fail "stdin/stdout/stderr are not the terminal inside: $(cat term.out)"
grep -q '^33 97' term.out || fail "the terminal's size did not reach the app: $(cat term.out)"

# Ctrl-C: the app's own trap runs (the signal reached it), exit status its own.
ctrl_c='wait_for 30 test -e mark/started; printf "\003"; sleep 2'
in_terminal "$ctrl_c" "exec $T/bin/tsh -c 'trap \"echo got-int; exit 3\" INT; touch /mark/started; while :; do sleep 0.1; done'" &&
  rc=0 || rc=$?
[ "$rc" -eq 3 ] || fail "Ctrl-C with a trap: exit $rc, expected 3: $(cat term.out)"
grep -q got-int term.out || fail "the app's INT trap did not run: $(cat term.out)"
rm -f mark/started
in_terminal "$ctrl_c" "exec $T/bin/tsh -c 'touch /mark/started; exec sleep 30'" && rc=0 || rc=$?
[ "$rc" -eq 130 ] || fail "Ctrl-C: exit $rc, expected 130: $(cat term.out)"

# Piped, not a terminal: the app sees a pipe.
out=$(echo | "$T/bin/tsh" -c 'test -t 0 && echo tty || echo pipe')
[ "$out" = pipe ] || fail "a pipe looked like a terminal: $out"
