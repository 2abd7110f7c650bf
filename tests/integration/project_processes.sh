#!/bin/bash
# Each command runs under bale's init in a PID namespace of its own: the command is PID 2, a
# background process it leaves behind dies with it, kill -9 of bale kills every process of the
# command (parent-death signal plus the namespace), SIGTERM to bale reaches the command, and on
# a real terminal Ctrl-C reaches the foreground program and the status is 130.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/project_lib.sh"
need script
busybox_project
yaml '  leave:
    run: [sh, -c, "sleep 1231 & echo left"]
  hold:
    run: [sh, -c, "sleep 1232 & sleep 1233 & echo $$ >/work/pid; wait"]
  trap:
    run: [sh, -c, "trap \"echo got-term; exit 9\" TERM; echo ready >/work/ready; while :; do sleep 0.1; done"]
  ask:
    run: [sh, -c, "echo ready >/work/ready; read line; echo never"]
  sl1:
    run: [sh, -c, "echo ready >/work/ready1; sleep 1001"]
  sl2:
    run: [sleep, "1002"]
  group:
    supervise: {children: [sl1, sl2]}'
count() { pgrep -fc "^sleep $1\$" || true; }

[ "$(in_proj "$BALE" leave 2>err)" = left ] || fail "leave failed: $(cat err)"
sleep 0.2
[ "$(count 1231)" -eq 0 ] || fail "a background process outlived its command"

# kill -9 of bale: nothing of the command is left.
(cd "$P" && exec "$BALE" hold) >/dev/null 2>&1 &
bale_pid=$!
for _ in $(seq 100); do [ -s "$P/pid" ] && [ "$(count 1233)" -eq 1 ] && break; sleep 0.1; done
[ "$(count 1232)" -eq 1 ] && [ "$(count 1233)" -eq 1 ] || fail "the command's processes did not start"
[ "$(cat "$P/pid")" = 2 ] || fail "the command is PID $(cat "$P/pid") of its namespace, not 2"
sleeper=$(pgrep -f '^sleep 1232$')
[ "$(readlink /proc/$sleeper/ns/pid)" != "$(readlink /proc/self/ns/pid)" ] || fail "the command is in the host's PID namespace"
kill -9 "$bale_pid"
wait "$bale_pid" 2>/dev/null || true
for _ in $(seq 50); do [ "$(count 1232)$(count 1233)" = 00 ] && break; sleep 0.1; done
[ "$(count 1232)$(count 1233)" = 00 ] || fail "kill -9 of bale left processes: $(ps -ef | grep 'sleep 123[23]')"

# SIGTERM to bale is passed on to the command, whose own status comes back.
rm -f "$P/ready"
(cd "$P" && exec "$BALE" trap) >trap.out 2>&1 &
bale_pid=$!
for _ in $(seq 100); do [ -s "$P/ready" ] && break; sleep 0.1; done
kill -TERM "$bale_pid"
wait "$bale_pid" && rc=0 || rc=$?
[ "$rc" -eq 9 ] || fail "after SIGTERM bale exited $rc, not the command's 9: $(cat trap.out)"
grep -q got-term trap.out || fail "the command did not get SIGTERM: $(cat trap.out)"

# Ctrl-C on a real terminal (script gives bale a pty; ^C is written to it).
rm -f "$P/ready"
( for _ in $(seq 100); do [ -s "$P/ready" ] && break; sleep 0.1; done; sleep 0.3; printf '\003'; sleep 2 ) |
  (cd "$P" && script -qec "$BALE ask" /dev/null) >tty.out 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 130 ] || fail "Ctrl-C on a terminal gave $rc, not 130: $(cat tty.out)"
grep -q never tty.out && fail "the command went on after Ctrl-C"

# Ctrl-C on a terminal stops a supervise group: 130, and nothing of it left.
( for _ in $(seq 100); do [ -s "$P/ready1" ] && break; sleep 0.1; done; sleep 0.3; printf '\003'; sleep 2 ) |
  (cd "$P" && script -qec "$BALE group" /dev/null) >group.out 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 130 ] || fail "Ctrl-C of a supervise group gave $rc, not 130: $(cat group.out)"
[ "$(count 1001)$(count 1002)" = 00 ] || fail "children left after Ctrl-C: $(ps -ef | grep 'sleep 100[12]')"

# kill -9 of bale running a supervise group: every child's processes go too.
rm -f "$P/ready1"
(cd "$P" && exec "$BALE" group) >/dev/null 2>&1 &
bale_pid=$!
for _ in $(seq 100); do [ -s "$P/ready1" ] && [ "$(count 1002)" -eq 1 ] && break; sleep 0.1; done
[ "$(count 1001)$(count 1002)" = 11 ] || fail "the group's children did not start"
kill -9 "$bale_pid"
wait "$bale_pid" 2>/dev/null || true
for _ in $(seq 50); do [ "$(count 1001)$(count 1002)" = 00 ] && break; sleep 0.1; done
[ "$(count 1001)$(count 1002)" = 00 ] || fail "kill -9 of a supervising bale left: $(ps -ef | grep 'sleep 100[12]')"
echo ok
