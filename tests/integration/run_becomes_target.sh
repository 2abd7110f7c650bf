#!/bin/bash
# `bale run` becomes the target with execve: the caller sees the target's own exit status, the
# target has bale's PID (no supervisor in between), signals sent to that PID reach it, and no
# file descriptor of bale or of the caller leaks into it.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

run_root root mv
"$BALE" pack root -o img.bale 2>/dev/null

# status CMD...: CMD's exit status, whatever it is.
status() { local rc=0; "$@" >/dev/null 2>&1 || rc=$?; echo "$rc"; }

[ "$(status "$BALE" run img.bale true)" -eq 0 ] || fail "true did not exit 0"
[ "$(status "$BALE" run img.bale sh -c 'exit 7')" -eq 7 ] || fail "'exit 7' did not give 7"
[ "$(status "$BALE" run img.bale sh -c 'exit 255')" -eq 255 ] || fail "'exit 255' did not give 255"
# Killed by a signal: the caller's shell reports 128+N only if bale itself is what got killed.
[ "$(status "$BALE" run img.bale sh -c 'kill -9 $$')" -eq 137 ] || fail "SIGKILL did not give 137"
[ "$(status "$BALE" run img.bale sh -c 'kill -15 $$')" -eq 143 ] || fail "SIGTERM did not give 143"

# stdin, stdout and stderr are the caller's own.
[ "$(printf 'line in\n' | "$BALE" run img.bale sh -c 'cat; echo to-stderr >&2' 2>err)" = 'line in' ] ||
  fail "stdin did not reach the target or stdout did not come back"
[ "$(cat err)" = to-stderr ] || fail "the target's stderr came back as: $(cat err)"

# Same PID: the target writes its $$ through a bind mount while it waits for SIGTERM.
mkdir share
# shellcheck disable=SC2016  # expanded by the container's shell
"$BALE" run -v "$T/share:/share" img.bale sh -c '
  trap "echo got-term >/share/term; exit 42" TERM
  echo $$ >/share/pid.new && mv /share/pid.new /share/pid
  while :; do sleep 0.1; done' 2>err &
pid=$!
wait_for 20 test -s share/pid || { kill -9 "$pid"; fail "the target never wrote its PID: $(cat err)"; }
[ "$(cat share/pid)" = "$pid" ] || { kill -9 "$pid"; fail "target's PID $(cat share/pid), bale's was $pid"; }
# The process at that PID is the target itself, not a bale waiting for it.
[ "$(head -c 6 /proc/"$pid"/cmdline | tr '\0' ' ')" = "sh -c " ] ||
  fail "PID $pid runs '$(tr '\0' ' ' </proc/"$pid"/cmdline)', not the target"
[ "$(readlink /proc/"$pid"/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] ||
  fail "the target shares the caller's mount namespace"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 42 ] || fail "after SIGTERM the run exited $rc, expected the trap's 42; stderr: $(cat err)"
[ "$(cat share/term 2>/dev/null)" = got-term ] || fail "the target's TERM trap did not run"

# Open files: neither bale's own nor the caller's (here 5 and 7, not close-on-exec) reach the
# target; ls sees 0 1 2 and the one it opens for the directory.
"$BALE" run img.bale ls /proc/self/fd 5</etc/hostname 7>"$T/seven" >fds 2>err ||
  fail "ls /proc/self/fd failed: $(cat err)"
[ "$(tr '\n' ' ' <fds)" = "0 1 2 3 " ] || fail "the target has fds $(tr '\n' ' ' <fds), expected 0 1 2 (3 is ls's own)"
exit 0
