#!/bin/bash
# A host app launched through its link: the image stacked on its layers on its base (overlay
# lowers, the top one wins), include paths bound read-only, env with the caller's %VAR, the
# arguments verbatim (none taken for bale's), same PID, stdout and stderr separate, stdin
# streamed, and the exit status exact: the target's own, 128+N when killed, 127 for a missing
# target, 125 with a message when an image is gone or its signer untrusted.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/app_lib.sh"
make_layer_images
mkdir -p host/certs
echo host-cert >host/certs/ca.pem
register_sh sh1 --include-path "$T/host/certs" --env "PROFILE=%APP_PROFILE" \
  --env 'LITERAL=100%%' --env "GONE=%APP_UNSET_VAR"

# Layer order: delta over mid over base; every layer's own file is there, nothing was copied.
out=$("$T/bin/sh1" -c 'cat /etc/layer /etc/base-only /etc/mid-only /etc/delta-only')
[ "$out" = "$(printf 'delta\nbase\nmid\ndelta')" ] || fail "layer order: $out"
grep -q "$T" /proc/self/mountinfo && fail "a mount leaked into the host"
# The top image's config: its env and workdir.
out=$("$T/bin/sh1" -c 'echo "$DELTA_ENV $(pwd)"')
[ "$out" = "from-delta /srv" ] || fail "the delta image's config is not used: $out"

# Include paths: the host's files at the same path, read-only.
[ "$("$T/bin/sh1" -c "cat $T/host/certs/ca.pem")" = host-cert ] || fail "include path missing"
"$T/bin/sh1" -c "echo x > $T/host/certs/new" 2>/dev/null && fail "an include path was writable"
[ ! -e host/certs/new ] || fail "the app wrote into the host's include path"

# Environment: %VAR from the caller at launch, %% a literal %, an unset %VAR left out.
out=$(APP_PROFILE=prod "$T/bin/sh1" -c 'echo "$PROFILE $LITERAL ${GONE-unset}"')
[ "$out" = "prod 100% unset" ] || fail "env expansion: $out"
out=$(APP_PROFILE=dev "$T/bin/sh1" -c 'echo "$PROFILE"')
[ "$out" = dev ] || fail "env is expanded at launch, not at registration: $out"

# Arguments verbatim: bale takes none of them, however they look.
out=$("$T/bin/sh1" -c 'for a; do echo "[$a]"; done' _ --help --version -v %AWS @inst -- '' 'a b')
[ "$out" = "$(printf '[--help]\n[--version]\n[-v]\n[%%AWS]\n[@inst]\n[--]\n[]\n[a b]')" ] ||
  fail "arguments were not passed verbatim: $out"
out=$("$T/bin/sh1" --help 2>&1) && true
echo "$out" | grepq "bale" && fail "--help reached bale instead of the app: $out"

# Same PID: bale became the target.
"$T/bin/sh1" -c 'echo $$' >pid.out &
pid=$!
wait "$pid"
[ "$(cat pid.out)" = "$pid" ] || fail "the app's PID $(cat pid.out) is not the one started ($pid)"

# stdin streamed; stdout and stderr separate.
[ "$(printf 'a\nb\n' | "$T/bin/sh1" -c 'wc -l')" = 2 ] || fail "piped stdin did not arrive"
head -c 300000 /dev/urandom >big
"$T/bin/sh1" -c cat <big >big.out || fail "cat through the app failed"
cmp -s big big.out || fail "300 kB through stdin and stdout came back different"
"$T/bin/sh1" -c 'echo out; echo err >&2' >o.txt 2>e.txt
[ "$(cat o.txt)" = out ] && [ "$(cat e.txt)" = err ] || fail "stdout/stderr mixed: $(cat o.txt) / $(cat e.txt)"

# Unbuffered: a line is there when the app writes it, long before it exits.
"$T/bin/sh1" -c 'echo first; while :; do sleep 0.1; done; echo second' >live.out &
live=$!
at_exit "kill -9 $live"
wait_for 10 grep -q first live.out || fail "the first line did not appear while the app ran"
grep -q second live.out && fail "second line too early"
kill -TERM "$live"
wait "$live" && rc=0 || rc=$?
[ "$rc" -eq 143 ] || fail "killed by TERM: exit $rc, expected 143"

# Exit codes.
"$T/bin/sh1" -c 'exit 42' && rc=0 || rc=$?
[ "$rc" -eq 42 ] || fail "exit 42 came back as $rc"
"$BALE" app register --app "$T/bin/nothere" --image "$T/delta.bale" --base "$T/base.bale" \
  --target /bin/no-such-program >/dev/null || fail "register nothere"
expect_fail 127 "no-such-program" "$T/bin/nothere"

# The image gone, or signed by a key nobody trusts: 125 and what is wrong.
cp delta.bale gone.bale
"$BALE" app register --app "$T/bin/gone" --image "$T/gone.bale" --base "$T/base.bale" \
  --target /bin/sh >/dev/null || fail "register gone"
rm gone.bale
expect_fail 125 "app 'gone': image '$T/gone.bale'" "$T/bin/gone" -c true
ssh-keygen -q -t ed25519 -N '' -f other_key
"$BALE" pack delta -o foreign.bale --key other_key 2>/dev/null
expect_fail 1 "not trusted|untrusted" "$BALE" app register --app "$T/bin/foreign" \
  --image "$T/foreign.bale" --base "$T/base.bale"
[ ! -e bin/foreign ] || fail "an app of an untrusted image was linked"
cp delta.bale swap.bale
"$BALE" app register --app "$T/bin/swap" --image "$T/swap.bale" --base "$T/base.bale" \
  --target /bin/sh >/dev/null || fail "register swap"
cp foreign.bale swap.bale
expect_fail 125 "app 'swap': image .*(not trusted|untrusted)" "$T/bin/swap" -c true

# Target /: the image's entrypoint, the caller's arguments as its cmd.
"$BALE" pack base -o entry.bale --entrypoint '["/bin/echo","entry"]' --cmd '["default"]' 2>/dev/null
"$BALE" app register --app "$T/bin/entry" --image "$T/entry.bale" --target / >/dev/null
[ "$("$T/bin/entry")" = "entry default" ] || fail "target /: $("$T/bin/entry")"
[ "$("$T/bin/entry" a b)" = "entry a b" ] || fail "target / with arguments: $("$T/bin/entry" a b)"

# --bind-cwd: the caller's directory, at the same path, is where the app starts and writes.
register_sh cwd --bind-cwd
mkdir -p work/sub
echo from-host >work/sub/in
out=$(cd work/sub && "$T/bin/cwd" -c 'pwd; cat in; echo from-app > out')
[ "$out" = "$(printf '%s\nfrom-host' "$T/work/sub")" ] || fail "--bind-cwd: $out"
[ "$(cat work/sub/out)" = from-app ] || fail "--bind-cwd: the app's write is not in the caller's directory"
expect_fail 2 "--bind-cwd and --resume" "$BALE" app register --app "$T/bin/both" \
  --image "$T/delta.bale" --bind-cwd --resume

# Parallel calls never collide.
for i in 1 2 3 4 5 6; do "$T/bin/sh1" -c "echo $i > /tmp/mine; sleep 0.3; cat /tmp/mine" >"par.$i" & done
wait
for i in 1 2 3 4 5 6; do [ "$(cat "par.$i")" = "$i" ] || fail "parallel call $i saw $(cat "par.$i")"; done
# Writes are ephemeral.
"$T/bin/sh1" -c 'echo x > /etc/written'
"$T/bin/sh1" -c 'test -e /etc/written' && fail "a write of one call was seen by the next"
true
