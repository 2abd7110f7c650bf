#!/bin/bash
# `bale run` as a real ordinary user the test creates: a user namespace in which the user is root
# and 1..65535 are its /etc/subuid and /etc/subgid range (newuidmap/newgidmap), so an image's
# owners (www-data 33, _apt 42) are theirs inside and subuid+N on the host. The user's own
# store and keys; same PID as what started it; the target's exit code; ephemeral writes;
# volumes written by container root belong to the user on the host; --read-only; ps. Without a
# range: a one-id map, one warning with the line to add, other owners become root.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need setpriv
need useradd
[ -u /usr/bin/newuidmap ] || skip "newuidmap is not installed setuid (package uidmap)"

user=bale-rl-$$
test_user "$user" 4000000

# The image, made and signed by root: files of three owners.
run_root root stat
mkdir -p root/srv/www root/srv/apt
chown 33:33 root/srv/www
chown 42:42 root/srv/apt
"$BALE" pack root -o img.bale 2>/dev/null
chmod 644 img.bale
mkdir vol
chown "$user:" vol

# as_user CMD...: CMD as the user, with a clean environment of its own (its store and keys).
as_user() {
  setpriv --reuid "$user" --regid "$user" --init-groups \
    env -i HOME="$T/home" PATH=/usr/bin:/bin ${BALE_STORE_AS:+BALE_STORE=$BALE_STORE_AS} "$@"
}
as_user "$T/bale" trust add "$T/config/id_ed25519.pub" --name test-root >/dev/null ||
  fail "the user could not trust the signer"

out=$(as_user "$T/bale" run "$T/img.bale" sh -c 'stat -c %u:%g /srv/www /srv/apt /; id -u') ||
  fail "rootless run failed: $out"
[ "$out" = "$(printf '33:33\n42:42\n0:0\n0')" ] || fail "owners inside the user namespace: $out"
store="$T/home/.local/share/bale"
hex=$(image_hex img.bale)
[ "$(stat -c %u:%g "$store/images/$hex/rootfs/srv/www")" = "4000032:4000032" ] ||
  fail "on the host www-data's files are not subuid+33: $(stat -c %u:%g "$store/images/$hex/rootfs/srv/www")"
[ "$(stat -c %u "$store/images/$hex/rootfs/bin/busybox")" = "$uid" ] ||
  fail "container root's files are not the user's on the host"

# Same PID: bale became the target; its exit code is the target's.
setpriv --reuid "$user" --regid "$user" --init-groups env -i HOME="$T/home" PATH=/usr/bin:/bin \
  "$T/bale" run "$T/img.bale" sh -c 'echo $$ > /vol-pid; cat /vol-pid; exit 7' >pid.out &
pid=$!
wait "$pid" && rc=0 || rc=$?
[ "$rc" -eq 7 ] || fail "the target's exit code 7 came back as $rc"
[ "$(cat pid.out)" = "$pid" ] || fail "the target's PID $(cat pid.out) is not the one started, $pid"
out=$(as_user "$T/bale" run "$T/img.bale" sh -c 'test -e /vol-pid && echo kept || echo gone')
[ "$out" = gone ] || fail "a write of one run was seen by the next: $out"

# A volume written by container root belongs to the user on the host.
as_user "$T/bale" run -v "$T/vol:/vol" "$T/img.bale" sh -c 'echo x > /vol/f' || fail "volume run failed"
[ "$(stat -c %u "$T/vol/f")" = "$uid" ] || fail "a volume file is owned by $(stat -c %u "$T/vol/f"), not $uid"
as_user "$T/bale" run --read-only "$T/img.bale" touch /x 2>err && fail "--read-only let the root be written"
expect_fail 127 "not found" as_user "$T/bale" run "$T/img.bale" no-such-command
expect_fail 125 "need a delegated cgroup v2" as_user "$T/bale" run --memory 64m "$T/img.bale" true
[ -z "$(ls -A "$store/tmp" 2>/dev/null)" ] || fail "the store's tmp has leftovers: $(ls "$store/tmp")"

# ps as the user: its records are its own.
setpriv --reuid "$user" --regid "$user" --init-groups env -i HOME="$T/home" PATH=/usr/bin:/bin \
  "$T/bale" run --name rl "$T/img.bale" sleep 30 &
rl=$!
at_exit "kill -9 $rl"
wait_for 10 sh -c "ls '$T/home/.local/state/bale/containers/$rl.json'" >/dev/null 2>&1 ||
  fail "no record in the user's state directory"
as_user "$T/bale" ps | grepq -E "^rl +.*img\.bale +$rl " || fail "ps as the user: $(as_user "$T/bale" ps)"
# exec as the user joins the container's user namespace too: root there, owners as inside.
out=$(as_user "$T/bale" exec rl sh -c 'id -u; stat -c %u:%g /srv/www; exit 3') && rc=0 || rc=$?
[ "$rc" -eq 3 ] && [ "$out" = "$(printf '0\n33:33')" ] || fail "exec as the user: rc $rc: $out"
kill "$rl"

# No range: a one-id map, the warning says what it costs and the line to add; other owners are root.
subid_line "$user"
out=$(BALE_STORE_AS="$T/home/one-id-store" as_user "$T/bale" run "$T/img.bale" stat -c %u:%g /srv/www 2>err) ||
  fail "one-id run failed: $(cat err)"
[ "$out" = 0:0 ] || fail "with one id, www-data's files should be root's: $out"
grep -q "warning: '$user' has no subordinate ids .*add to /etc/subuid and /etc/subgid (as root): $user:[0-9]*:65536" err ||
  fail "no warning with the line to add: $(cat err)"
exit 0
