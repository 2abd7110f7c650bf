#!/bin/bash
# Host apps of an ordinary user: registered in ~/.config/bale/apps with links in the user's own
# directory, the images in the user's store (verified with the user's trust), launched in the
# user's namespace: layers, includes, pipes and exit codes as for root; the user cannot replace
# a file that is not bale's.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/app_lib.sh"
need setpriv
need useradd
[ -u /usr/bin/newuidmap ] || skip "newuidmap is not installed setuid (package uidmap)"
user=bale-app-$$
test_user "$user" 4600000
make_layer_images
mkdir -p "$T/home/bin" "$T/home/certs"
echo user-cert >"$T/home/certs/ca.pem"
mkdir -p inc/etc && echo user-tar >inc/etc/from-tar
tar -C inc -czf "$T/home/inc.tgz" .
chown -R "$user:" "$T/home/bin" "$T/home/certs" "$T/home/inc.tgz"
as_test_user "$T/bale" trust add "$T/config/id_ed25519.pub" --name test-root >/dev/null ||
  fail "the user could not trust the signer"

as_test_user "$T/bale" app register --app "$T/home/bin/ush" --image "$T/delta.bale" \
  --layer "$T/mid.bale" --base "$T/base.bale" --target /bin/sh \
  --include-path "$T/home/certs" --include-tar "$T/home/inc.tgz" >reg.out 2>reg.err || fail "user register: $(cat reg.err)"
[ -f "$T/home/.config/bale/apps/ush.yaml" ] || fail "no ush.yaml in the user's config"
[ "$(stat -c %u "$T/home/.config/bale/apps/ush.yaml")" = "$uid" ] || fail "ush.yaml is not the user's"
[ "$(readlink "$T/home/bin/ush")" = "$T/bale" ] || fail "the link is not to the user's bale: $(readlink "$T/home/bin/ush")"

out=$(as_test_user "$T/home/bin/ush" -c "cat /etc/layer /etc/base-only /etc/mid-only $T/home/certs/ca.pem /etc/from-tar; id -u")
[ "$out" = "$(printf 'delta\nbase\nmid\nuser-cert\nuser-tar\n0')" ] || fail "user launch: $out"
[ "$(printf 'a\nb\n' | as_test_user "$T/home/bin/ush" -c 'wc -l')" = 2 ] || fail "user pipe"
as_test_user "$T/home/bin/ush" -c 'exit 42' && rc=0 || rc=$?
[ "$rc" -eq 42 ] || fail "user app exit 42 came back as $rc"
as_test_user "$T/home/bin/ush" -c 'kill -TERM $$' && rc=0 || rc=$?
[ "$rc" -eq 143 ] || fail "user app killed by TERM: $rc"

# Resumed as the user: the instance in the user's namespace, joined by the next call.
as_test_user "$T/bale" app register --app "$T/home/bin/urs" --image "$T/delta.bale" \
  --base "$T/base.bale" --target /bin/sh --resume >/dev/null 2>reg.err || fail "register --resume: $(cat reg.err)"
at_exit "as_test_user $T/bale app stop urs -t 1"
as_test_user "$T/home/bin/urs" -c 'echo kept > /tmp/state' || fail "the user's first resumed call"
[ "$(as_test_user "$T/home/bin/urs" -c 'cat /tmp/state; id -u')" = "$(printf 'kept\n0')" ] ||
  fail "the user's second call did not join the instance"
as_test_user "$T/home/bin/urs" -c 'exit 42' && rc=0 || rc=$?
[ "$rc" -eq 42 ] || fail "the user's joined call: exit $rc, expected 42"
as_test_user "$T/bale" app stop urs >/dev/null || fail "the user's app stop"

# The user's apps are the user's: root's list does not show them, the user's does.
[ "$(as_test_user "$T/bale" app list --format json | python3 -c 'import json,sys; print([a["name"] for a in json.load(sys.stdin)])')" = "['urs', 'ush']" ] ||
  fail "the user's list: $(as_test_user "$T/bale" app list)"
"$BALE" app list --format json | grepq ush && fail "root's list shows the user's app"

# Never a file that is not bale's.
echo mine >"$T/home/bin/own"
chown "$user:" "$T/home/bin/own"
expect_fail 1 "exists and is not a bale app link" as_test_user "$T/bale" app register \
  --app "$T/home/bin/own" --image "$T/delta.bale" --force
as_test_user "$T/bale" app remove --app "$T/home/bin/ush" >/dev/null || fail "user remove"
[ ! -e "$T/home/bin/ush" ] && [ "$(cat "$T/home/bin/own")" = mine ] || fail "user remove"
