#!/usr/bin/env bash
# `bale run` start-up beside the kernel's floor and its peers, one script, printing ratios:
#   warm bale run (image unpacked)  vs  shared/bench/start-floor, unshare+chroot, ch-run, bwrap,
#                                        crun, podman run --rm --network host
#   warm start of a Debian image   vs  warm start of the busybox image
#   first run of a Debian image    vs  tar -xzf of the same file into a tmpfs
# Same busybox root filesystem for every tool, /bin/true, median of RUNS (default 100).
# usage: bench/run.sh [RUNS]   (as root; after scripts/setup --bench)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
runs=${1:-100}
bale=$src/build/bale
w=$(mktemp -d /var/tmp/bale-bench-run.XXXXXX)
cleanup() {
  umount -R "$w/tmpfs" 2>/dev/null || true
  [ -n "${podman_img:-}" ] && podman rmi -f "$podman_img" >/dev/null 2>&1 || true
  rm -rf "$w"
}
trap cleanup EXIT
export BALE_CONFIG_DIR=$w/config BALE_STORE=$w/store

# median_ms CMD...: the median wall time of RUNS runs after warm-up. hyperfine -N runs the
# command directly (no shell, no timer process), which matters at this scale.
median_ms() {
  if command -v hyperfine >/dev/null && [ "$(type -t "$1")" = file ]; then
    local q=() a
    for a in "$@"; do q+=("$(printf '%q' "$a")"); done
    hyperfine -N -i --warmup 5 --runs "$runs" --export-json "$w/h.json" "${q[*]}" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$w/h.json"
    return
  fi
  local t=() s e
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
row() { printf '%-52s %9s ms  %6sx floor\n' "$1" "$2" "$(ratio "$2" "$floor")"; }
# timed NAME CMD...: a row for CMD, or why it cannot run here (a failing command is not timed).
timed() {
  local name=$1 err; shift
  if err=$("$@" 2>&1 >/dev/null); then
    row "$name" "$(median_ms "$@")"
  else
    printf '%-52s %s\n' "$name" "fails here: $(echo "$err" | tail -1)"
  fi
}
export USER=${USER:-root}  # ch-run refuses to start without it

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"

# The busybox image and its unpacked tree (the lower dir every tool uses).
mkdir -p "$w/bb/bin" "$w/bb/etc"
cp /bin/busybox "$w/bb/bin/"
for a in sh true; do ln -s busybox "$w/bb/bin/$a"; done
echo "root:x:0:0:root:/root:/bin/sh" > "$w/bb/etc/passwd"
"$bale" pack "$w/bb" -o "$w/bb.bale" 2>/dev/null
"$bale" run "$w/bb.bale" /bin/true
root=$(ls -d "$w"/store/images/*/rootfs)
cc -O2 -o "$w/start-floor" "$src/../shared/bench/start-floor.c" 2>/dev/null ||
  cc -O2 -o "$w/start-floor" /work/shared/bench/start-floor.c
mkdir -p "$w/stage"

echo
echo "== warm start, busybox, /bin/true, median of $runs =="
host=$(median_ms /bin/true)
floor=$(median_ms "$w/start-floor" "$root" "$w/stage" /bin/true)
bale_ms=$(median_ms "$bale" run "$w/bb.bale" /bin/true)
row "host /bin/true" "$host"
row "start-floor (overlay + /proc /dev /sys)" "$floor"
row "bale run IMAGE /bin/true" "$bale_ms"
timed "unshare -m chroot ROOT /bin/true" unshare -m chroot "$root" /bin/true
command -v ch-run >/dev/null && timed "ch-run ROOT -- /bin/true" ch-run "$root" -- /bin/true
command -v bwrap >/dev/null &&
  timed "bwrap --bind ROOT / --proc /proc --dev /dev" bwrap --bind "$root" / --proc /proc --dev /dev /bin/true
# OCI runtimes on one prepared bundle (host network). The spec's rlimits are dropped: this
# sandbox refuses setrlimit, which every OCI runtime would otherwise call.
mkdir -p "$w/bundle"
(cd "$w/bundle" && { crun spec || runc spec; } >/dev/null 2>&1) || true
if [ -f "$w/bundle/config.json" ]; then
  python3 - "$w/bundle/config.json" "$root" <<'PY'
import json, sys
p, root = sys.argv[1], sys.argv[2]
c = json.load(open(p))
c["root"] = {"path": root, "readonly": True}
c["process"]["args"] = ["/bin/true"]; c["process"]["terminal"] = False
c["process"].pop("rlimits", None)
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
json.dump(c, open(p, "w"))
PY
  for rt in crun runc; do
    command -v "$rt" >/dev/null || continue
    if err=$(cd "$w/bundle" && "$rt" run "probe-$rt" 2>&1); then
      row "$rt run (prepared bundle, host network)" \
        "$(median_ms sh -c "cd '$w/bundle' && $rt run bench-\$\$")"
    else
      printf '%-52s %s\n' "$rt run" "cannot start a container here: $(echo "$err" | tail -1)"
    fi
  done
fi
podman_ms=""
if command -v podman >/dev/null && podman_img=$(podman import -q "$w/bb.bale" bale-bench-bb 2>/dev/null); then
  if err=$(podman run --rm --network host "$podman_img" /bin/true 2>&1); then
    podman_ms=$(median_ms podman run --rm --network host "$podman_img" /bin/true)
    row "podman run --rm --network host" "$podman_ms"
  else
    printf '%-52s %s\n' "podman run" "cannot start a container here: $(echo "$err" | tail -1)"
  fi
fi
echo "ratio bale/start-floor: $(ratio "$bale_ms" "$floor")   (target <= 1.30)"
[ -n "$podman_ms" ] && echo "ratio bale/podman: $(ratio "$bale_ms" "$podman_ms")   (target <= 0.03)"

deb=/var/cache/bale-tests/debian-bookworm
if [ -d "$deb" ]; then
  echo
  echo "== Debian bookworm minbase image =="
  "$bale" pack "$deb" -o "$w/deb.bale" 2>/dev/null
  "$bale" run "$w/deb.bale" /bin/true
  deb_root=$(ls -d "$w"/store/images/*/rootfs | grep -v "^$root$")
  deb_ms=$(median_ms "$bale" run "$w/deb.bale" /bin/true)
  deb_floor=$(median_ms "$w/start-floor" "$deb_root" "$w/stage" /bin/true)
  printf '%-52s %9s ms\n' "warm bale run debian /bin/true" "$deb_ms" \
    "warm bale run busybox /bin/true" "$bale_ms" \
    "start-floor debian /bin/true (dynamic: ld.so + libc)" "$deb_floor"
  echo "ratio debian/busybox warm: $(ratio "$deb_ms" "$bale_ms")   (target <= 1.20)"
  echo "bale's own cost over the floor: busybox $(awk -v a="$bale_ms" -v b="$floor" 'BEGIN {printf "%.2f", a-b}') ms," \
       "debian $(awk -v a="$deb_ms" -v b="$deb_floor" 'BEGIN {printf "%.2f", a-b}') ms" \
       "(ratio $(ratio "$(awk -v a="$deb_ms" -v b="$deb_floor" 'BEGIN {print a-b}')" "$(awk -v a="$bale_ms" -v b="$floor" 'BEGIN {print a-b}')"))"
  mkdir -p "$w/tmpfs" && mount -t tmpfs tmpfs "$w/tmpfs"
  # Both on the same tmpfs: the store for bale, the target directory for tar.
  first() {
    rm -rf "$w/tmpfs/store"
    BALE_STORE=$w/tmpfs/store "$bale" run "$w/deb.bale" /bin/true
  }
  untar() { rm -rf "$w/tmpfs/x"; mkdir "$w/tmpfs/x"; tar -xzf "$w/deb.bale" -C "$w/tmpfs/x"; }
  sync; echo 3 > /proc/sys/vm/drop_caches; cat "$w/deb.bale" > /dev/null
  runs=5
  first_ms=$(median_ms first)
  tar_ms=$(median_ms untar)
  printf '%-52s %9s ms\n' "first bale run (verify + unpack + start)" "$first_ms" "tar -xzf into tmpfs" "$tar_ms"
  echo "ratio first run/tar -xzf: $(ratio "$first_ms" "$tar_ms")   (target <= 0.70)"
else
  echo "(no Debian tree at $deb: run tests/integration/debian_image.sh once to make it)"
fi
