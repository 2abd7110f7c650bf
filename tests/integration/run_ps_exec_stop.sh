#!/bin/bash
# Named containers without a daemon: `bale run --name` leaves a record that `bale ps` lists while
# the process lives; `bale exec` runs a command inside the running container (its mount
# namespace, environment, user and workdir; the command's exit code); `bale stop` sends the
# image's StopSignal, then SIGKILL. Stale records (kill -9) vanish; bad names and PIDs are refused
# with what was looked for.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
run_root root trap
"$BALE" pack root -o img.bale -e FROM_IMAGE=yes -w /srv --stop-signal SIGUSR1 2>/dev/null

# The service: notes its start in its own writable layer, answers SIGUSR1 with exit 7.
"$BALE" run --name web img.bale sh -c \
  'echo inside > /tmp/marker; trap "exit 7" USR1; while :; do sleep 0.05; done' 2>web.err &
web=$!
at_exit "kill -9 $web"
wait_for 10 grep -q '"name":"web"' "$BALE_RUN_DIR/$web.json" 2>/dev/null ||
  fail "no record for the named container: $(ls "$BALE_RUN_DIR" 2>&1) $(cat web.err)"
wait_for 10 "$BALE" exec web test -f /tmp/marker || fail "the service never started"

# ps: bale became the target, so the PID is the one the shell started.
"$BALE" ps >ps.txt
grep -qE "^web +img\.bale +$web +sh -c " ps.txt || fail "ps does not list web with its PID $web: $(cat ps.txt)"
"$BALE" ps --format json >ps.json
[ "$(json_get ps.json 'j[0]["pid"]')" = "$web" ] || fail "ps json: wrong pid: $(cat ps.json)"
[ "$(json_get ps.json 'j[0]["name"]')" = web ] || fail "ps json: wrong name: $(cat ps.json)"
[ "$(json_get ps.json 'j[0]["command"][0]')" = sh ] || fail "ps json: wrong command: $(cat ps.json)"
[ "$("$BALE" ps -q)" = "$web" ] || fail "ps -q: $("$BALE" ps -q)"

# exec: the container's own files, environment, workdir and namespace; the command's exit code.
out=$("$BALE" exec web sh -c 'cat /tmp/marker; echo "$FROM_IMAGE"; pwd; exit 5') && rc=0 || rc=$?
[ "$rc" -eq 5 ] || fail "exec: exit $rc, expected the command's 5"
[ "$out" = "$(printf 'inside\nyes\n/srv')" ] || fail "exec did not run inside the container: '$out'"
[ ! -e /tmp/marker ] || [ "$(cat /tmp/marker)" != inside ] || fail "the container's /tmp is the host's"
ns=$("$BALE" exec "$web" readlink /proc/self/ns/mnt)
[ "$ns" = "$(readlink "/proc/$web/ns/mnt")" ] || fail "exec by PID is not in the container's mount namespace"
[ "$ns" != "$(readlink /proc/self/ns/mnt)" ] || fail "exec ran in the host's mount namespace"
out=$("$BALE" exec -it -e FROM_IMAGE=over -e NEW=1 -w /tmp -u 1234:5678 web \
        sh -c 'echo "$FROM_IMAGE $NEW $(pwd) $(id -u):$(id -g)"')
[ "$out" = "over 1 /tmp 1234:5678" ] || fail "exec -e/-w/-u: '$out'"
expect_fail 127 "not found" "$BALE" exec web no-such-command
expect_fail 2 "no command" "$BALE" exec web

# A container without --name leaves no record (its start pays nothing for one): ps finds it from
# its process (its root is an overlay over one of the store's images), exec and stop take its PID.
"$BALE" run img.bale sh -c 'while :; do sleep 0.05; done' &
anon=$!
at_exit "kill -9 $anon"
hex=$(image_hex img.bale)
wait_for 10 sh -c "'$BALE' ps | grep -qE '^- +sha256:${hex:0:12} +$anon '" ||
  fail "ps does not list the unnamed container $anon: $("$BALE" ps)"
[ ! -e "$BALE_RUN_DIR/$anon.json" ] || fail "an unnamed run wrote a record"
[ "$("$BALE" ps -q | sort -n | tr '\n' ' ')" = "$(printf '%s\n' "$web" "$anon" | sort -n | tr '\n' ' ')" ] ||
  fail "ps -q: $("$BALE" ps -q)"
[ "$("$BALE" exec "$anon" sh -c 'echo $FROM_IMAGE')" = yes ] || fail "exec by PID into the unnamed container"
[ "$("$BALE" stop -t 5 "$anon")" = "$anon" ] || fail "stop by PID did not name the PID"
wait "$anon" 2>/dev/null || true
# Its last `sleep 0.05`, orphaned, may outlive it in its namespace for a moment (no PID namespace).
only_web() { [ "$("$BALE" ps -q)" = "$web" ]; }
wait_for 5 only_web || fail "the stopped unnamed container is still listed: $("$BALE" ps)"

# A second container of the same name is refused before it starts, and leaves no record.
expect_fail 125 "a container of that name is running \(PID $web\)" "$BALE" run --name web img.bale true
[ "$(ls "$BALE_RUN_DIR")" = "$web.json" ] || fail "the refused run left a record: $(ls "$BALE_RUN_DIR")"

# stop: the image's StopSignal (the service exits 7 on SIGUSR1), then the record is gone.
[ "$("$BALE" stop -t 5 web)" = web ] || fail "stop did not name what it stopped"
wait "$web" && rc=0 || rc=$?
[ "$rc" -eq 7 ] || fail "stop did not send the image's StopSignal: the service exited $rc"
[ -z "$("$BALE" ps -q)" ] || fail "a stopped container is still listed: $("$BALE" ps)"
[ ! -e "$BALE_RUN_DIR/$web.json" ] || fail "stop left the record behind"

# A target that ignores its StopSignal is killed when the time is up.
"$BALE" run --name stubborn img.bale sh -c 'trap "" USR1 TERM; while :; do sleep 0.05; done' &
stubborn=$!
at_exit "kill -9 $stubborn"
wait_for 10 grep -q stubborn "$BALE_RUN_DIR/$stubborn.json" 2>/dev/null || fail "stubborn never started"
start=$(date +%s%N)
"$BALE" stop -t 0.5 stubborn >/dev/null
wait "$stubborn" && rc=0 || rc=$?
[ "$rc" -eq 137 ] || fail "stop -t 0.5 of a target ignoring SIGUSR1: exit $rc, expected SIGKILL's 137"
[ $(( ($(date +%s%N) - start) / 1000000 )) -ge 450 ] || fail "SIGKILL came before the -t time"

# kill -9 leaves a stale record: ps does not list it and removes it; the name is free again.
"$BALE" run --name k9 img.bale sleep 60 &
k9=$!
at_exit "kill -9 $k9"
wait_for 10 test -e "$BALE_RUN_DIR/$k9.json" || fail "k9 never started"
kill -9 "$k9"
wait "$k9" || true
[ -e "$BALE_RUN_DIR/$k9.json" ] || fail "the test needs the stale record to exist"
[ -z "$("$BALE" ps -q)" ] || fail "ps lists a container killed with -9"
[ ! -e "$BALE_RUN_DIR/$k9.json" ] || fail "ps did not remove the stale record"
"$BALE" run --name k9 img.bale true || fail "the name of a dead container is not free again"
# A record whose PID now belongs to another process (start time differs) is stale too.
sleep 60 &
other=$!
at_exit "kill -9 $other"
printf '{"name":"reused","image":"x","digest":"","pid":%d,"start_ticks":1,"started":0,"argv":[],"workdir":"/","user":"","stop_signal":""}\n' \
  "$other" >"$BALE_RUN_DIR/$other.json"
expect_fail 125 "'reused': no running container of that name" "$BALE" exec reused true
expect_fail 1 "'reused': no running container of that name" "$BALE" stop reused
kill -0 "$other" || fail "stop signalled a process that only reuses a stale record's PID"

# A container that has exited but is not reaped yet (a zombie: its PID and start time still
# match the record) is gone for exec and stop, as it is a moment later.
python3 - "$BALE" <<'PY' &
import os, sys, time
if os.fork() == 0:
    os.execv(sys.argv[1], [sys.argv[1], "run", "--name", "zombie", "img.bale", "true"])
time.sleep(6)  # never waits: the exited bale stays a zombie meanwhile
PY
holder=$!
at_exit "kill $holder"
zombie_record() { grep -ls '"name":"zombie"' "$BALE_RUN_DIR"/*.json; }
wait_for 10 zombie_record >/dev/null || fail "the zombie's record never appeared"
zpid=$(zombie_record | sed 's|.*/||; s|\.json$||')
wait_for 10 grep -q '^State:.*Z' "/proc/$zpid/status" || fail "setup: PID $zpid did not become a zombie"
expect_fail 125 "'zombie': no running container of that name" "$BALE" exec zombie true
expect_fail 1 "'zombie': no running container of that name" "$BALE" stop zombie
kill "$holder"; wait "$holder" 2>/dev/null || true

# Bad input: what was looked for, and why it was not found.
expect_fail 125 "'nosuch': no running container of that name" "$BALE" exec nosuch true
expect_fail 125 "PID 1: not a bale container .*its root is no image of a bale store" "$BALE" exec 1 true
expect_fail 125 "PID 999999999: no such process" "$BALE" exec 999999999 true
expect_fail 1 "'nosuch': no running container of that name" "$BALE" stop nosuch
expect_fail 2 "--name 'a/b': a name is letters" "$BALE" run --name a/b img.bale true
expect_fail 2 "--name '123': a name is letters" "$BALE" run --name 123 img.bale true
expect_fail 2 "must be 0 or more seconds" "$BALE" stop -t -1 web
[ -z "$(ls "$BALE_RUN_DIR")" ] || fail "records left behind: $(ls "$BALE_RUN_DIR")"
exit 0
