#!/bin/bash
# Resumed apps (register --resume): the first call starts one long-lived instance, every call
# joins it (its mount namespace: writes persist between calls) with its own arguments, stdin and
# exit status; BALE_APP_INSTANCE names separate instances; concurrent first calls share one;
# an instance killed with -9 is stale and the next call replaces it; app ps lists them and
# app stop ends one.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/app_lib.sh"
make_layer_images
register_sh rs --resume
at_exit "for p in \$(\"$BALE\" app ps --format json | python3 -c 'import json,sys; print(*[i[\"pid\"] for i in json.load(sys.stdin)])'); do kill -9 \$p; done"

# The first call has fds 3 and 4 of its caller's: the keeper it starts must not keep them.
"$T/bin/rs" -c 'echo one > /tmp/state' 3>fd3.txt 4</dev/null || fail "first resumed call failed"
[ "$("$T/bin/rs" -c 'cat /tmp/state /etc/layer')" = "$(printf 'one\ndelta')" ] ||
  fail "the second call did not see the first call's write (or the layers)"
"$BALE" app ps --format json >ps.json
[ "$(json_get ps.json 'len(j)')" = 1 ] || fail "app ps: $(cat ps.json)"
[ "$(json_get ps.json 'j[0]["app"]')" = rs ] || fail "app ps: $(cat ps.json)"
keeper=$(json_get ps.json 'j[0]["pid"]')
# Its fds: /dev/null as 0-2, and the store's in-use locks of its images (store gc leaves an
# instance's trees alone), nothing else.
for fd in /proc/"$keeper"/fd/*; do
  to=$(readlink "$fd")
  case "${fd##*/}:$to" in
    [012]:/dev/null | *:"$BALE_STORE"/locks/*.lock) ;;
    *) fail "the keeper holds fd ${fd##*/} -> $to" ;;
  esac
done
# A call is in the instance's mount namespace, not the host's, and is not the keeper.
ns=$("$T/bin/rs" -c 'readlink /proc/self/ns/mnt; echo $$')
[ "$(echo "$ns" | head -1)" = "$(readlink "/proc/$keeper/ns/mnt")" ] || fail "a call did not join the instance"
[ "$(echo "$ns" | head -1)" != "$(readlink /proc/self/ns/mnt)" ] || fail "a call ran in the host's namespace"
[ "$(ps -o sid= -p "$keeper" | tr -d " ")" != "$(ps -o sid= -p $$ | tr -d " ")" ] || fail "the keeper is in the caller's session"
grep -q "$T" /proc/self/mountinfo && fail "the instance's mounts leaked into the host"

# Exit status, stdin, arguments: the call's own.
"$T/bin/rs" -c 'exit 42' && rc=0 || rc=$?
[ "$rc" -eq 42 ] || fail "a joined call's exit 42 came back as $rc"
[ "$(printf 'a\nb\n' | "$T/bin/rs" -c 'wc -l')" = 2 ] || fail "a joined call's stdin"
[ "$("$T/bin/rs" -c 'echo "[$1]"' _ '@x --help')" = "[@x --help]" ] || fail "arguments of a joined call"

# Instance names: another instance, its own writes.
out=$(BALE_APP_INSTANCE=other "$T/bin/rs" -c 'cat /tmp/state 2>/dev/null || echo fresh')
[ "$out" = fresh ] || fail "instance 'other' saw the default instance's write: $out"
[ "$(json_get <("$BALE" app ps --format json) 'len(j)')" = 2 ] || fail "two instances expected"
expect_fail 2 "an instance name is letters" env BALE_APP_INSTANCE='../x' "$T/bin/rs" -c true

# kill -9: the stale instance is replaced, never "in use" forever.
kill -9 "$keeper"
wait_for 10 sh -c "! kill -0 $keeper 2>/dev/null" || fail "the keeper did not die"
out=$("$T/bin/rs" -c 'cat /tmp/state 2>/dev/null || echo fresh')
[ "$out" = fresh ] || fail "after kill -9 the call did not get a new instance: $out"
"$BALE" app ps --format json >ps.json
new=$(json_get ps.json '[i["pid"] for i in j if i["instance"] == ""][0]')
[ "$new" != "$keeper" ] || fail "the stale keeper is still listed"

# app stop: SIGTERM ends it; the next call starts afresh.
"$BALE" app stop rs >/dev/null || fail "app stop failed"
wait_for 10 sh -c "! kill -0 $new 2>/dev/null" || fail "app stop left the keeper running"
expect_fail 1 "no instance of app 'rs' is running" "$BALE" app stop rs
"$BALE" app stop rs --instance other >/dev/null || fail "app stop --instance failed"
[ "$(json_get <("$BALE" app ps --format json) 'len(j)')" = 0 ] || fail "instances left after stop"

# Concurrent first calls: one instance, every call joined it.
for i in 1 2 3 4; do "$T/bin/rs" -c "echo $i >> /tmp/calls" & done
wait
[ "$(json_get <("$BALE" app ps --format json) 'len(j)')" = 1 ] || fail "concurrent first calls made more than one instance"
[ "$("$T/bin/rs" -c 'sort /tmp/calls | tr -d "\n"')" = 1234 ] || fail "not every concurrent call joined the one instance"
