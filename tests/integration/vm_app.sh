#!/bin/bash
# `bale app register --vm`: a host app that runs in a microVM. What a VM cannot carry out
# (--base, --layer, --include-tar, --resume, --bind-cwd, an include path that is a file) is
# refused at registration with the option named and nothing left; a drop-in that adds one is
# refused at launch (125). One boot: the app's stdin, stdout, stderr and exit status pass
# through as for `bale run --vm`, with the app's env (%VAR from the caller), workdir and an
# include path copied in read-only; the erofs image was made at registration.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/vm_lib.sh"
. "$BALE_SRC/tests/integration/app_lib.sh"
vm_kernel
vm_image img.bale
mkdir -p certs && echo host-cert >certs/ca.pem
echo x >lonely.pem

reg() { "$BALE" app register --vm --app "$T/bin/vsh" --image "$T/img.bale" --target /bin/sh "$@"; }
nothing_left() {
  [ ! -e "$T/bin/vsh" ] && [ ! -L "$T/bin/vsh" ] || fail "a refused registration left the link"
  [ ! -e "$BALE_CONFIG_DIR/apps/vsh.yaml" ] || fail "a refused registration left vsh.yaml"
}
expect_fail 2 "app 'vsh': --layer with --vm: the microVM boots one image's tree" reg --layer "$T/img.bale"
nothing_left
expect_fail 2 "app 'vsh': --base with --vm" reg --base "$T/img.bale"
expect_fail 2 "app 'vsh': --include-tar with --vm" reg --include-tar "$T/img.bale"
expect_fail 2 "app 'vsh': --resume with --vm" reg --resume
expect_fail 2 "app 'vsh': --bind-cwd with --vm" reg --bind-cwd
expect_fail 2 "app 'vsh': --include-path '$T/lonely.pem' with --vm: a directory" reg --include-path "$T/lonely.pem"
nothing_left
[ -z "$(find "$BALE_STORE/images" -name rootfs.erofs)" ] || fail "a refused registration made an erofs image"

reg --include-path "$T/certs" --env "WHO=%CALLER" --workdir /home >reg.out 2>reg.err ||
  fail "register --vm: $(cat reg.err)"
grepq 'a microVM' <reg.out || fail "register does not say the app is a microVM's: $(cat reg.out)"
grep -qx 'engine: "vm"' "$BALE_CONFIG_DIR/apps/vsh.yaml" || fail "vsh.yaml: $(cat "$BALE_CONFIG_DIR/apps/vsh.yaml")"
[ "$(find "$BALE_STORE/images" -name rootfs.erofs | wc -l)" -eq 1 ] || fail "register --vm did not make the erofs image"

# A drop-in that stacks a layer: refused at launch, before any VM.
mkdir -p "$BALE_CONFIG_DIR/apps/vsh.d"
printf 'layers:\n  - "%s"\n' "$T/img.bale" >"$BALE_CONFIG_DIR/apps/vsh.d/10-layer.yaml"
expect_fail 125 "app 'vsh': --layer with --vm" "$T/bin/vsh" -c true
[ -z "$(qemu_of_test)" ] || fail "a QEMU started for a refused app"
rm -r "$BALE_CONFIG_DIR/apps/vsh.d"

# The boot: stdin in, stdout and stderr apart, env, workdir, the include path read-only, exit 7.
rc=0
printf 'a\nb\nc\n' | CALLER=me BALE_VM_TIMES=1 "$T/bin/vsh" -c \
  'wc -l; echo "$WHO $(pwd)"; cat '"$T"'/certs/ca.pem >&2; echo x >'"$T"'/certs/new 2>/dev/null || echo inc-ro >&2; exit 7' \
  >out 2>err || rc=$?
[ "$rc" -eq 7 ] || fail "the VM app exited $rc, expected 7; stderr: $(cat err)"
[ "$(cat out)" = "$(printf '3\nme /home')" ] || fail "stdout: $(cat out); stderr: $(cat err)"
grep -qx host-cert err || fail "the include path is not in the guest: $(cat err)"
grep -qx inc-ro err || fail "the include path took a write: $(cat err)"
grep -q 'erofs_built=0' err || fail "the first call built the erofs image again: $(cat err)"
grep -qx 3 err && fail "stdout leaked into stderr: $(cat err)"
vm_clean
"$BALE" app remove --app "$T/bin/vsh" >/dev/null || fail "remove"
