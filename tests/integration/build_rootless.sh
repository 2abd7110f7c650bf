#!/bin/bash
# `bale build` as a real ordinary user the test creates: every RUN step runs in the user's
# namespace (root there, its subordinate ids for the rest) plus a PID namespace of its own. The
# overlay of the step keeps its whiteouts and opaque directories (user.overlay.* xattrs: real
# root's trusted.* are not the user's to write), a file given to uid 33 is 33 in the image and
# subuid+32 on the host, the cache works, the result is the user's file, and gc as the user
# removes trees of other owners. With no subordinate range: one warning before the first step
# with the line to add and what fails, a RUN as root still works, a chown to another id fails.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
need setpriv
need useradd
[ -u /usr/bin/newuidmap ] || skip "newuidmap is not installed setuid (package uidmap)"
unset BALE_STORE  # the user's own, under its home

test_user "bale-bl-$$" 4100000
busybox_context "$T/home/ctx"
cat >"$T/home/ctx/Dockerfile" <<DOCKERFILE
$BUSYBOX_STAGE
RUN mkdir -p /etc/d/old && echo a >/etc/d/a && echo 'www-data:x:33:33::/:/bin/sh' >>/etc/passwd
# A whiteout and an opaque directory: /etc/d is made anew, its old files must not come back.
RUN rm -rf /etc/d && mkdir /etc/d && echo b >/etc/d/b && chown 33:33 /etc/d/b
# PID 1 of its own namespace is the step's init, and the command runs as root there.
RUN echo "\$\$ \$(id -u)" >/pid && test -r /proc/self/status && test -d /sys/kernel
RUN --network=none grep -q lo /proc/net/dev && test -d /sys/class/net/lo
CMD ["cat", "/pid"]
DOCKERFILE
chown -R "$test_user_name:" "$T/home/ctx"

as_test_user "$T/bale" build -t rl -o "$T/home/rl.bale" ctx >out 2>err || fail "rootless build failed: $(tail -20 err)"
grep -q warning err && fail "a user with a subordinate range was warned: $(cat err)"
[ "$(stat -c %u "$T/home/rl.bale")" = "$uid" ] || fail "the image file is not the user's"
extract "$T/home/rl.bale" r
[ -e r/etc/d/a ] || [ -e r/etc/d/old ] && fail "the opaque /etc/d let the old files through: $(ls r/etc/d)"
[ "$(cat r/etc/d/b)" = b ] || fail "the new /etc/d/b is missing"
[ "$(stat -c %u:%g r/etc/d/b)" = 33:33 ] || fail "a file given to 33 is $(stat -c %u:%g r/etc/d/b) in the image"
[ "$(cat r/pid)" = "2 0" ] || fail "the RUN command was not PID 2 and root of its namespaces: $(cat r/pid)"
tar -tvzf "$T/home/rl.bale" --xattrs 2>/dev/null | grepq overlay && fail "overlay xattrs got into the image"
getfattr -d -m - -R r 2>/dev/null | grepq overlay && fail "overlay xattrs got into the image"
store=$T/home/.local/share/bale
found=$(find "$store/build" -path '*/etc/d/b' -print -quit)
[ -n "$found" ] && [ "$(stat -c %u "$found")" = 4100032 ] ||
  fail "on the host uid 33 is not subuid+32: $found $(stat -c %u "$found" 2>/dev/null)"
out=$(as_test_user "$T/bale" run rl) || fail "the rootless build does not run as the user"
[ "$out" = "2 0" ] || fail "the image ran as: $out"

# The cache: the same build again runs no step.
as_test_user "$T/bale" build -t rl ctx >out 2>err || fail "rebuild failed: $(tail err)"
grep -qE '^\[[0-9]/[0-9]\] RUN .*DONE' err && fail "the rebuild ran a step again: $(cat err)"
grep -c CACHED err | grepq -x 6 || fail "the rebuild did not take 6 steps from the cache: $(cat err)"

# gc as the user removes what belongs to its subordinate ids (a plain rm could not).
as_test_user "$T/bale" rmi rl >/dev/null || fail "rmi failed"
as_test_user "$T/bale" store gc --all >out 2>err || fail "gc as the user failed: $(cat err)"
[ -z "$(find "$store/build" "$store/images" -mindepth 2 -print -quit 2>/dev/null)" ] ||
  fail "gc --all left: $(find "$store/build" "$store/images" -mindepth 2 | head -5)"

# No range: the warning comes before the first step and names what fails.
subid_line "$test_user_name"
AS_ENV="BALE_STORE=$T/home/one-id" as_test_user "$T/bale" build -o "$T/home/one.bale" ctx >out 2>err &&
  fail "a chown to 33 succeeded with one id"
warn=$(grep -n "warning: .*no subordinate ids" err | cut -d: -f1)
first=$(grep -n '^\[1/' err | head -1 | cut -d: -f1)
[ -n "$warn" ] && [ -n "$first" ] && [ "$warn" -lt "$first" ] || fail "no warning before the first step: $(cat err)"
grep -q "add to /etc/subuid and /etc/subgid (as root): $test_user_name:[0-9]*:65536" err || fail "no line to add: $(cat err)"
grep -q "warning: .*RUN steps run as root only: .*chown" err || fail "the warning does not say what fails: $(cat err)"
grep -q "chown: /etc/d/b: Invalid argument" err || fail "the failing step's message: $(cat err)"
[ -e "$T/home/one.bale" ] && fail "a failed build left its output"
# What needs no other id still works.
printf '%s\nRUN echo ok >/ok\n' "$BUSYBOX_STAGE" >"$T/home/ctx/Dockerfile"
AS_ENV="BALE_STORE=$T/home/one-id" as_test_user "$T/bale" build -o "$T/home/one.bale" ctx >out 2>err ||
  fail "a one-id build of root's files failed: $(cat err)"
exit 0
