#!/bin/bash
# Project commands as a real ordinary user: the container is an image file in the project
# (built and signed by root), run in the user's own user namespace and store, the project at
# /work, writable, files written there owned by the user; exit codes come back; a container
# with a Dockerfile is built by the user, in its namespace, into its store, once.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/project_lib.sh"
need setpriv
need useradd
[ -u /usr/bin/newuidmap ] || skip "newuidmap is not installed setuid (package uidmap)"
user=bale-pj-$$
test_user "$user" 4400000
unset BALE_STORE   # the user's own store, under its home

busybox_project
"$BALE" build -q -o "$P/bb.bale" "$P" >/dev/null 2>build.err || fail "root's build failed: $(cat build.err)"
cat >"$P/bale.yaml" <<'Y'
containers:
  bb:
    image: ./bb.bale
  needs-build:
    dockerfile: Dockerfile
commands:
  hello:
    container: bb
    run: [sh, -c, 'echo "uid=$(id -u) pwd=$(pwd)"; echo x >/work/sub/written; exit 6']
  build-me:
    container: needs-build
    run: [true]
Y
mkdir -p "$P/sub"
chown -R "$user:" "$P"
as_user() {
  setpriv --reuid "$user" --regid "$user" --init-groups \
    env -i HOME="$T/home" PATH=/usr/bin:/bin BALE_CONFIG_DIR="$T/home/cfg" "$@"
}
as_user "$T/bale" trust add "$T/config/id_ed25519.pub" --name test-root >/dev/null ||
  fail "the user could not trust root's key"
out=$(cd "$P/sub" && as_user "$T/bale" hello 2>err) && rc=0 || rc=$?
[ "$rc" -eq 6 ] || fail "rootless project command exited $rc, not 6: $out $(cat err)"
[ "$out" = "uid=0 pwd=/work/sub" ] || fail "inside: $out"
[ "$(stat -c %u "$P/sub/written")" = "$uid" ] || fail "a file written to /work is not the user's"
ls -d "$T/home/.local/share/bale/images" >/dev/null || fail "the user's own store was not used"
(cd "$P" && as_user "$T/bale" build-me) >/dev/null 2>err || fail "a container to build, as a user: $(cat err)"
grep -q "RUN" err || fail "the user's build showed no steps: $(cat err)"
[ -n "$(find "$T/home/.local/share/bale/build" -mindepth 1 -print -quit)" ] || fail "the build cache is not the user's"
(cd "$P" && as_user "$T/bale" build-me) >/dev/null 2>err || fail "the second call failed: $(cat err)"
grep -q "RUN" err && fail "the second call built again: $(cat err)"
echo ok
