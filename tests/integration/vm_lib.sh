# shellcheck shell=bash
# Helpers for the `bale run --vm` tests; sourced after lib.sh and run_lib.sh. The guest kernel
# is fetched once per machine by bale's own `bale vm kernel` into a shared store
# (/var/cache/bale-tests/vm-store) and linked into each test's store, so a test boots with the
# store's kernel exactly as a user's `bale run --vm` does.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "SKIP: vm_lib.sh holds helpers for the vm tests" >&2
  exit 77
fi
need qemu-system-x86_64
need mkfs.erofs
vm_shared=/var/cache/bale-tests/vm-store

# vm_kernel: the shared kernel (fetched on first use, under a lock), linked into $BALE_STORE.
vm_kernel() {
  mkdir -p "$vm_shared"
  if ! flock -w 600 "$vm_shared.lock" "$BALE" vm kernel --store "$vm_shared" >"$T/kernel.out" 2>&1; then
    grep -qiE 'apt|mirror|download|resolve' "$T/kernel.out" &&
      skip "the guest kernel could not be fetched (no Debian mirror?): $(tail -3 "$T/kernel.out")"
    fail "bale vm kernel failed: $(cat "$T/kernel.out")"
  fi
  mkdir -p "$BALE_STORE/vm"
  ln -sfn "$vm_shared/vm/kernels" "$BALE_STORE/vm/kernels"
  cp "$vm_shared/vm/kernel" "$BALE_STORE/vm/kernel"
  VM_KVER=$(head -1 "$vm_shared/vm/kernel")
}

# vm_image OUT: a signed busybox image for the VM tests: a user app (1000) and a group.
vm_image() {
  run_root "$T/vmroot" stty wget ln
  echo "app:x:1000:1000:app:/home/app:/bin/sh" >>"$T/vmroot/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\nstaff:x:50:app\n' >"$T/vmroot/etc/group"
  mkdir -p "$T/vmroot/home/app" "$T/vmroot/srv"
  chown 1000:1000 "$T/vmroot/srv"
  "$BALE" pack "$T/vmroot" -o "$1" -e IMG=yes -w /srv >/dev/null
}

# qemu_of_test: the PIDs of QEMU processes that boot from this test's store ("" when none).
qemu_of_test() {
  pgrep -f "qemu-system-x86_64.*$BALE_STORE" || true
}

no_qemu_of_test() { [ -z "$(qemu_of_test)" ]; }

# vm_clean: no QEMU of this test, and nothing left in the store's tmp/.
vm_clean() {
  wait_for 10 no_qemu_of_test || fail "a QEMU outlived bale: $(qemu_of_test)"
  [ "$(store_count tmp)" -eq 0 ] || fail "bale left files in $BALE_STORE/tmp: $(store_names tmp)"
}
