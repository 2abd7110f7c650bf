#!/bin/bash
# `bale run --vm` as an ordinary user (a real one, made here): the image verified with the
# user's trust and unpacked into the user's store, the guest kernel used from a store the user
# may only read (root's, linked in), the initramfs and erofs made in the user's own store, QEMU
# run in the user's namespace; exit status, stdin and stdout as for root, and nothing of the
# user's left in tmp/ or running afterwards.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/vm_lib.sh"
need setpriv
need useradd
[ -u /usr/bin/newuidmap ] || skip "newuidmap is not installed setuid (package uidmap)"
vm_kernel
vm_image img.bale
chmod 644 img.bale
user=bale-vm-$$
test_user "$user" 4700000
ustore="$T/home/.local/share/bale"
mkdir -p "$ustore/vm"
ln -s "$vm_shared/vm/kernels" "$ustore/vm/kernels"  # root's: readable, not writable, by the user
cp "$vm_shared/vm/kernel" "$ustore/vm/kernel"
chown -R "$user:" "$T/home/.local"
as_test_user "$T/bale" trust add "$T/config/id_ed25519.pub" --name test-root >/dev/null ||
  fail "the user could not trust the signer"

user_qemu() { pgrep -u "$user" -f qemu-system-x86_64 || true; }
no_user_qemu() { [ -z "$(user_qemu)" ]; }

rc=0
printf 'one\ntwo\n' | as_test_user "$T/bale" run --vm "$T/img.bale" sh -c 'wc -l; id -u; echo w >/srv/w && cat /srv/w; exit 9' \
  >out 2>err || rc=$?
[ "$rc" -eq 9 ] || fail "the user's VM exited $rc, expected 9; stderr: $(cat err)"
[ "$(cat out)" = "$(printf '2\n0\nw')" ] || fail "stdout: $(cat out); stderr: $(cat err)"
[ "$(find "$ustore/images" -name rootfs.erofs -user "$user" | wc -l)" -eq 1 ] || fail "no erofs image of the user's in its store"
[ "$(find "$ustore/vm/initramfs" -type f -user "$user" | wc -l)" -ge 1 ] || fail "no initramfs of the user's in its store"
wait_for 10 no_user_qemu || fail "a QEMU of the user outlived bale: $(user_qemu)"
[ -z "$(find "$ustore/tmp" -mindepth 1 2>/dev/null)" ] || fail "bale left files in the user's tmp/: $(ls "$ustore/tmp")"
