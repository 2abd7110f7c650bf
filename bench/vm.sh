#!/usr/bin/env bash
# `bale run --vm IMAGE /bin/true` beside its floor, one script, printing ratios and phases:
#   floor: a bare `qemu-system-x86_64 -M microvm` boot of the same kernel, same machine
#          options and command line, with an initramfs whose init (a static C program) reboots
#          at once, which with -no-reboot ends QEMU
#   bale run --vm, warm (kernel, erofs and initramfs cached), and its phases as bale reports
#          them (BALE_VM_TIMES=1): QEMU start, kernel to init, modules, mounts, app start,
#          app run, shutdown
#   the first run of an image (erofs built) against a warm one
#   a warm run with --scratch-size 1g (the ext4 disk made, mkfs.ext4, per run), and a call of
#   an app registered with --vm (bale app register --vm), both against the floor
# Median of RUNS (default 5: under TCG a boot takes seconds). Accelerator: ACCEL (default auto).
# usage: bench/vm.sh [RUNS]   (as root; after scripts/setup --bench)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
runs=${1:-5}
accel=${ACCEL:-auto}
bale=$src/build/bale
w=$(mktemp -d /var/tmp/bale-bench-vm.XXXXXX)
trap 'rm -rf "$w"' EXIT
export BALE_CONFIG_DIR=$w/config BALE_STORE=$w/store

median_ms() {
  local t=() s e
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 </dev/null || true; e=$(date +%s%N)
    t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

kvm=no
[ -e /dev/kvm ] && kvm="present"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r), /dev/kvm: $kvm, --accel $accel"

# The kernel: the shared test store's if there is one (no second download), else fetched.
if [ -f /var/cache/bale-tests/vm-store/vm/kernel ]; then
  mkdir -p "$BALE_STORE/vm"
  ln -s /var/cache/bale-tests/vm-store/vm/kernels "$BALE_STORE/vm/kernels"
  cp /var/cache/bale-tests/vm-store/vm/kernel "$BALE_STORE/vm/kernel"
fi
"$bale" vm kernel >"$w/kernel.txt"
kimage=$(awk '$1 == "kernel" {print $2}' "$w/kernel.txt")
echo "guest kernel: $(awk '$1 == "package" {print $2, $3}' "$w/kernel.txt")"

mkdir -p "$w/bb/bin" "$w/bb/etc"
cp /bin/busybox "$w/bb/bin/"
for a in sh true; do ln -s busybox "$w/bb/bin/$a"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$w/bb/etc/passwd"
"$bale" pack "$w/bb" -o "$w/bb.bale" 2>/dev/null
cp -r "$w/bb" "$w/bb2" && echo second >"$w/bb2/etc/second"
"$bale" pack "$w/bb2" -o "$w/bb2.bale" 2>/dev/null

# First run (erofs and initramfs built) and its phases.
first=$( { s=$(date +%s%N); "$bale" run --vm --accel "$accel" "$w/bb.bale" /bin/true </dev/null >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); } )
first=$(awk -v u="$first" 'BEGIN {printf "%.1f", u / 1000}')

# The floor: same kernel, same machine, an init that reboots at once.
cat >"$w/off.c" <<'C'
#include <sys/reboot.h>
#include <unistd.h>
int main(void) { reboot(RB_AUTOBOOT); for (;;) pause(); }
C
cc -O2 -static -o "$w/off" "$w/off.c"
python3 - "$w/off" "$w/floor.cpio" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
out = bytearray()
def ent(name, mode, body=b"", rmaj=0, rmin=0, ino=[1]):
    h = b"070701" + b"".join(b"%08X" % v for v in
        [ino[0], mode, 0, 0, 1, 0, len(body), 0, 0, rmaj, rmin, len(name) + 1, 0])
    ino[0] += 1
    out.extend(h + name.encode() + b"\0"); out.extend(b"\0" * (-len(out) % 4))
    out.extend(body); out.extend(b"\0" * (-len(out) % 4))
ent("dev", 0o40755); ent("dev/console", 0o20600, b"", 5, 1); ent("init", 0o100755, data)
ent("TRAILER!!!", 0)
open(sys.argv[2], "wb").write(out)
PY
# The accelerator bale chose (its fallback line says when it is TCG).
if "$bale" run --vm --accel "$accel" "$w/bb.bale" /bin/true 2>&1 </dev/null | grep -q "TCG"; then
  qaccel=tcg; cpu=max; extra=" tsc_early_khz=$(awk -F: '/cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)"
elif [ "$accel" = tcg ]; then
  qaccel=tcg; cpu=max; extra=" tsc_early_khz=$(awk -F: '/cpu MHz/ {printf "%d", $2 * 1000; exit}' /proc/cpuinfo)"
else
  qaccel=kvm; cpu=host; extra=""
fi
floor=$(median_ms qemu-system-x86_64 -M microvm -nodefaults -no-user-config -nographic -no-reboot \
  -accel "$qaccel" -cpu "$cpu" -m 512M -smp 1 -kernel "$kimage" -initrd "$w/floor.cpio" \
  -append "console=ttyS0 quiet panic=-1 reboot=t rdinit=/init$extra" -serial null)
warm=$(median_ms "$bale" run --vm --accel "$accel" "$w/bb.bale" /bin/true)
scratch=$(median_ms "$bale" run --vm --accel "$accel" --scratch-size 1g "$w/bb.bale" /bin/true)
mkdir -p "$w/bin"
"$bale" app register --vm --app "$w/bin/vtrue" --image "$w/bb.bale" --target /bin/true >/dev/null
app=$(median_ms "$w/bin/vtrue")

printf '%-58s %9s ms  %6sx floor\n' "floor: bare microvm boot, init reboots at once ($qaccel)" "$floor" 1.00
printf '%-58s %9s ms  %6sx floor\n' "bale run --vm IMAGE /bin/true, warm" "$warm" "$(ratio "$warm" "$floor")"
printf '%-58s %9s ms  %6sx floor\n' "bale run --vm, first run of the image (erofs built)" "$first" "$(ratio "$first" "$floor")"
printf '%-58s %9s ms  %6sx floor\n' "bale run --vm --scratch-size 1g, warm (mkfs.ext4 per run)" "$scratch" "$(ratio "$scratch" "$floor")"
printf '%-58s %9s ms  %6sx floor\n' "an app of bale app register --vm, warm" "$app" "$(ratio "$app" "$floor")"

# Phases of warm runs, each the median over RUNS.
for _ in $(seq "$runs"); do
  BALE_VM_TIMES=1 "$bale" run --vm --accel "$accel" "$w/bb.bale" /bin/true 2>&1 >/dev/null </dev/null |
    grep '^bale-vm-times:' || true
done >"$w/times.txt"
echo "phases of a warm run (median of $runs, ms):"
for k in qemu_start kernel_to_init modules mounts app_start app_run shutdown total; do
  v=$(grep -o "${k}_ms=[0-9.]*" "$w/times.txt" | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '  %-16s %9s\n' "$k" "$v"
done
grep -q 'erofs_built=0 initramfs_built=0' "$w/times.txt" && echo "warm runs: no erofs rebuild, no initramfs rebuild"
true
