#!/bin/bash
# `bale run --vm`: the image in a microVM of its own kernel. Exit status exact (0, 42, 127 for a
# missing target, 143 when TERM kills the app), stdout and stderr separate with 1 MB each way
# and 1 MB of stdin, the image config and -e/-w/-u, writes that vanish with the VM, signals
# forwarded, the TCG fallback said, an untrusted image refused before any VM, and QEMU and
# every temporary file gone after each run, also after kill -9 of bale. --read-only and
# --tmpfs in the guest, --scratch-size (an ext4 disk that takes more than the guest's memory,
# an unnamed file gone with the VM), a boot cut off by --boot-timeout (125, the guest's log),
# and the options a VM refuses, with why. A slow tier under TCG: the checks share few boots.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/vm_lib.sh"
need mkfs.ext4  # --scratch-size
vm_kernel
vm_image img.bale

# Untrusted: refused before any VM starts (and before any erofs is made).
mkdir other && BALE_CONFIG_DIR="$T/other" "$BALE" pack "$T/vmroot" -o untrusted.bale >/dev/null
expect_fail 125 'signer not trusted' "$BALE" run --vm untrusted.bale true
[ -z "$(qemu_of_test)" ] || fail "a QEMU started for an untrusted image"

# Volumes are directories, copied in: a file is refused before any VM.
mkdir -p vol/sub && echo from-host >vol/sub/file
mkdir -p rw/gone-dir && echo old >rw/keep && echo x >rw/gone && echo y >rw/gone-dir/f
expect_fail 2 'a volume is a directory' "$BALE" run --vm -v "$T/rw/keep:/k" img.bale true
[ -z "$(qemu_of_test)" ] || fail "a QEMU started for a refused volume"

# Refused before any VM, each naming the option.
expect_fail 2 "--scratch-size '1m': at least 16m" "$BALE" run --vm --scratch-size 1m img.bale true
expect_fail 2 "--boot-timeout: seconds, more than 0" "$BALE" run --vm --boot-timeout 0 img.bale true
expect_fail 2 "--tmpfs 'rel': an absolute path inside the guest" "$BALE" run --vm --tmpfs rel img.bale true
expect_fail 2 "--name with --vm: bale ps, exec and stop reach a container through its processes" \
  "$BALE" run --vm --name x img.bale true
expect_fail 2 "--pids with --vm: the guest has a kernel of its own" "$BALE" run --vm --pids 10 img.bale true
[ -z "$(qemu_of_test)" ] || fail "a QEMU started for a refused option"

# Boot 1: config, -e -w -u, stdout/stderr apart, a write, a read-only volume, a rw volume whose
# changes (new, changed, removed, a symlink, a directory, 2 MB in chunks) come back, exit 42.
chown -R 1000:1000 rw
rc=0
BALE_VM_TIMES=1 "$BALE" run --vm -e FOO=bar -u app -v "$T/vol:/data:ro" -v "$T/rw:/out" img.bale sh -c \
  'echo "out $IMG $FOO $(id -u):$(id -g):$(id -G) $(pwd) $HOME"; echo err >&2; echo w >/srv/written; cat /srv/written >&2;
   cat /data/sub/file >&2; echo x >/data/new 2>/dev/null || echo vol-ro >&2;
   cd /out && echo new >new && echo changed >keep && rm gone && rm -r gone-dir && mkdir -p d/e && echo deep >d/e/f &&
   ln -s keep link && head -c 2000000 /dev/urandom >big && sha256sum big >&2; exit 42' \
  >out1 2>err1 </dev/null || rc=$?
[ "$rc" -eq 42 ] || fail "exit status $rc, expected 42; stderr: $(cat err1)"
[ "$(cat out1)" = "out yes bar 1000:1000:1000 50 /srv /home/app" ] || fail "stdout: $(cat out1)"
grep -qx err err1 || fail "stderr lacks the app's line: $(cat err1)"
grep -qx w err1 || fail "the app could not write in its root: $(cat err1)"
grep -qx from-host err1 || fail "the volume's file is not in the guest: $(cat err1)"
grep -qx vol-ro err1 || fail "the read-only volume took a write: $(cat err1)"
[ "$(cat rw/new)" = new ] && [ "$(cat rw/keep)" = changed ] && [ "$(cat rw/d/e/f)" = deep ] ||
  fail "the rw volume's changes did not come back: $(ls -lR rw) $(cat err1)"
[ ! -e rw/gone ] && [ ! -e rw/gone-dir ] || fail "removed entries of the rw volume are still there: $(ls -lR rw)"
[ "$(readlink rw/link)" = keep ] || fail "the symlink did not come back: $(ls -l rw)"
grep -q "$(sha256sum rw/big | cut -d' ' -f1)" err1 || fail "the 2 MB file came back changed: $(ls -l rw/big)"
[ "$(stat -c %u rw/new)" = 1000 ] || fail "the new file's owner is not the app's: $(stat -c %u rw/new)"
grep -q 'erofs_built=1 initramfs_built=1' err1 || fail "the first run did not build erofs and initramfs: $(cat err1)"
grep -q out err1 && fail "stdout leaked into stderr: $(cat err1)"
vm_clean

# Boot 2: 1 MB in through stdin and back out, 1 MB on stderr; the earlier write vanished; the
# --kernel/--modules path; exit 0.
head -c 1000000 /dev/urandom >in.bin
m="$vm_shared/vm/kernels/$VM_KVER"
"$BALE" run --vm --accel tcg --kernel "$m/boot/vmlinuz-$VM_KVER" --modules "$m/lib/modules/$VM_KVER" img.bale sh -c \
  'test ! -e /srv/written || echo still-there >&2; cat; head -c 1000000 /dev/zero | tr "\0" e >&2' \
  <in.bin >out2 2>err2 || fail "the 1 MB run failed: $(tail -c 2000 err2)"
cmp -s in.bin out2 || fail "stdout is not stdin ($(wc -c <out2) bytes)"
[ "$(grep -c still-there err2 || true)" -eq 0 ] || fail "a write of the last VM survived"
[ "$(tr -d e <err2 | wc -c)" -eq 0 ] && [ "$(wc -c <err2)" -eq 1000000 ] ||
  fail "stderr is not the app's 1 MB: $(tr -d e <err2 | head -c 500)"
vm_clean

# Boot 3: no usable KVM (hidden) -> TCG, and said; a missing target is 127.
rc=0
unshare -m sh -c 'mount --bind /dev/null /dev/kvm 2>/dev/null || true; exec "$0" run --vm --accel auto img.bale no-such-cmd' "$BALE" \
  >out3 2>err3 </dev/null || rc=$?
[ "$rc" -eq 127 ] || fail "a missing target: exit $rc, expected 127; stderr: $(cat err3)"
grep -q "falling back to TCG" err3 || fail "no word of the TCG fallback: $(cat err3)"
grep -q "'no-such-cmd': executable file not found in PATH" err3 || fail "no message for the missing target: $(cat err3)"
vm_clean

# A boot with no ready message within --boot-timeout is ended: 125 and the guest's log. (A TCG
# boot takes seconds; 0.3 s is QEMU's start and the first kernel lines.)
rc=0
"$BALE" run --vm --accel tcg --boot-timeout 0.3 img.bale true >out0 2>err0 </dev/null || rc=$?
[ "$rc" -eq 125 ] || fail "a boot past --boot-timeout: exit $rc, expected 125; stderr: $(cat err0)"
grep -q 'the VM gave no ready message within 0.3 s (--boot-timeout)' err0 || fail "no word of the boot timeout: $(cat err0)"
vm_clean

# Boot 4: --read-only (the root takes no write; /tmp and /run are fresh tmpfs) and --tmpfs with
# its size; INT and HUP forwarded (the app's traps run), then TERM kills the app: 143.
BALE_VM_TIMES=1 "$BALE" run --vm --read-only --tmpfs /cache:size=1m img.bale sh -c \
  'touch /srv/x 2>/dev/null && echo rw-root; echo t >/tmp/t && echo r >/run/r && echo c >/cache/c && echo tmpfs-ok;
   head -c 2000000 /dev/zero >/cache/big 2>/dev/null || echo cache-full; grep -q " / overlay ro" /proc/mounts && echo root-ro;
   trap "echo got-int" INT; trap "echo got-hup" HUP; echo started; while :; do sleep 0.1; done' \
  >out4 2>err4 </dev/null &
pid=$!
wait_for 120 grep -q started out4 || fail "the app did not start: $(cat err4)"
kill -INT "$pid"
wait_for 30 grep -q got-int out4 || fail "INT did not reach the app: $(cat out4 err4)"
kill -HUP "$pid"
wait_for 30 grep -q got-hup out4 || fail "HUP did not reach the app: $(cat out4 err4)"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 143 ] || fail "killed by TERM: exit $rc, expected 143; stderr: $(cat err4)"
grep -qx rw-root out4 && fail "--read-only: the root took a write: $(cat out4)"
grep -qx tmpfs-ok out4 || fail "--read-only: /tmp, /run or the --tmpfs is not writable: $(cat out4 err4)"
grep -qx cache-full out4 || fail "--tmpfs /cache:size=1m took 2 MB: $(cat out4)"
grep -qx root-ro out4 || fail "--read-only: / is not a read-only overlay: $(cat out4)"
# A later run of the same image: erofs and initramfs from the cache.
grep -q 'erofs_built=0 initramfs_built=0' err4 || fail "a second run rebuilt erofs or initramfs: $(cat err4)"
vm_clean

# Boot 5: --network user reaches the host (10.0.2.2 is its loopback); --scratch-size: the root's
# writes on an ext4 disk, 80 MB where a 96 MB guest's tmpfs holds 48; then kill -9 of bale:
# QEMU dies with it (PR_SET_PDEATHSIG), and the disk, an unnamed file, with both.
serve_http "$T/vol" sub/file
"$BALE" run --vm --network user --memory 96m --scratch-size 200m img.bale sh -c \
  "wget -qO- http://10.0.2.2:$HTTP_PORT/sub/file; df -k / | tail -1; head -c 80000000 /dev/zero >/srv/big && ls -l /srv/big;
   echo started; exec sleep 600" >out5 2>err5 </dev/null &
pid=$!
wait_for 120 grep -q started out5 || fail "the app did not start: $(cat out5 err5)"
[ -n "$(qemu_of_test)" ] || fail "no QEMU while the app runs"
grep -qx from-host out5 || fail "no HTTP from the host over --network user: $(cat out5 err5)"
grep -q ' 80000000 ' out5 || fail "--scratch-size: 80 MB did not fit: $(cat out5 err5)"
size_k=$(awk '$1 == "overlay" {print $2}' out5)
[ -n "$size_k" ] && [ "$size_k" -gt 150000 ] && [ "$size_k" -lt 210000 ] || fail "df / in the guest is not the 200 MB disk: $(cat out5)"
qemu_fds() { for q in $(qemu_of_test); do ls -l "/proc/$q/fd/" 2>/dev/null || true; done; }
qemu_fds | grepq -F "$BALE_STORE/tmp/#" ||
  { kill -KILL "$pid"; fail "QEMU holds no unnamed scratch file of the store: $(qemu_fds)"; }
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
vm_clean

[ "$(find "$BALE_STORE/images" -name rootfs.erofs | wc -l)" -eq 1 ] || fail "not one erofs image in the store"
