#!/usr/bin/env bash
# `bale run` start-up beside the kernel's floor and its peers, one script, printing ratios:
#   warm bale run (image unpacked)  vs  shared/bench/start-floor, unshare+chroot, ch-run, bwrap,
#                                        crun, podman run --rm --network host
#   warm start of a Debian image   vs  warm start of the busybox image
#   first run of a Debian image    vs  tar -xzf of the same file into a tmpfs
#   bale exec NAME /bin/true        vs  nsenter -m -r into the same container (the floor)
#   rootless bale run (as throwaway users: one with a subuid range, one without)
#                                   vs  root bale run, bwrap --unshare-user, the helpers' share
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

. bench/lib.sh
row() { printf '%-52s %9s ms  %6sx floor\n' "$1" "$2" "$(ratio "$2" "$floor")"; }
export USER=${USER:-root}  # ch-run refuses to start without it

machine

# The busybox image and its unpacked tree (the lower dir every tool uses).
mkdir -p "$w/bb/bin" "$w/bb/etc" "$w/bb/dev" "$w/bb/proc" "$w/bb/sys" "$w/bb/tmp" "$w/bb/run"
cp /bin/busybox "$w/bb/bin/"
for a in sh true sleep; do ln -s busybox "$w/bb/bin/$a"; done
echo "root:x:0:0:root:/root:/bin/sh" > "$w/bb/etc/passwd"
"$bale" pack "$w/bb" -o "$w/bb.bale" 2>/dev/null
"$bale" run "$w/bb.bale" /bin/true
root=$(ls -d "$w"/store/images/*/rootfs)
cc -O2 -o "$w/start-floor" "$src/../shared/bench/start-floor.c" 2>/dev/null ||
  cc -O2 -o "$w/start-floor" /work/shared/bench/start-floor.c
mkdir -p "$w/stage"

cc -O2 -o "$w/alternate" "$src/bench/alternate.c"

# OCI runtimes get one prepared bundle (host network). The spec's rlimits are dropped: this
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
fi
podman_img=""
command -v podman >/dev/null && podman_img=$(podman import -q "$w/bb.bale" bale-bench-bb 2>/dev/null || true)

# Every contender that works here, timed in interleaved rounds (bench/alternate.c). The slow
# ones (tens of ms, with cgroup and namespace work of their own) run in a round of their own
# with the floor, so their aftermath does not land on the fast ones' timings.
names=() cmds=() slow_names=() slow_cmds=()
add() {  # add NAME CMD...: keep it if it runs here, else say why not
  local name=$1 err; shift
  if err=$("$@" 2>&1 >/dev/null); then
    names+=("$name"); cmds+=("$(printf '%q ' "$@")")
  else
    printf '%-52s %s\n' "$name" "cannot run here: $(echo "$err" | tail -1)"
  fi
}
add_slow() {
  local n=${#names[@]}
  add "$@"
  if [ ${#names[@]} -gt "$n" ]; then
    slow_names+=("${names[-1]}"); slow_cmds+=("${cmds[-1]}")
    unset 'names[-1]' 'cmds[-1]'
  fi
}
rounds() {  # rounds CMD...: alternate's output for these quoted commands
  local args=() c
  for c in "$@"; do [ ${#args[@]} -gt 0 ] && args+=(";;"); eval "args+=($c)"; done
  "$w/alternate" "$runs" "${args[@]}"
}
add "host /bin/true" /bin/true
add "start-floor (overlay + /proc /dev /sys)" "$w/start-floor" "$root" "$w/stage" /bin/true
add "bale run IMAGE /bin/true" "$bale" run "$w/bb.bale" /bin/true
add "unshare -m chroot ROOT /bin/true" unshare -m chroot "$root" /bin/true
command -v ch-run >/dev/null && add "ch-run ROOT -- /bin/true" ch-run "$root" -- /bin/true
command -v bwrap >/dev/null &&
  add "bwrap --bind ROOT / --proc /proc --dev /dev" bwrap --bind "$root" / --proc /proc --dev /dev /bin/true
for rt in crun runc; do
  command -v "$rt" >/dev/null && [ -f "$w/bundle/config.json" ] &&
    add_slow "$rt run (prepared bundle, host network)" sh -c "cd '$w/bundle' && exec $rt run bench-\$\$"
done
[ -n "$podman_img" ] &&
  add_slow "podman run --rm --network host" podman run --rm --network host "$podman_img" /bin/true

echo
echo "== warm start, busybox, /bin/true, median of $runs interleaved rounds =="
mapfile -t results < <(rounds "${cmds[@]}")
floor=${results[1]%% *}  # start-floor is the second contender
for i in "${!names[@]}"; do
  ms=${results[$i]%% *}
  row "${names[$i]}" "$ms"
  [ "${names[$i]}" = "bale run IMAGE /bin/true" ] && bale_ms=$ms
done
if [ ${#slow_names[@]} -gt 0 ]; then
  fast_floor=$floor
  mapfile -t results < <(rounds "${cmds[1]}" "${slow_cmds[@]}")
  floor=${results[0]%% *}
  for i in "${!slow_names[@]}"; do
    ms=${results[$((i + 1))]%% *}
    row "${slow_names[$i]} (own round)" "$ms"
    [ "${slow_names[$i]}" = "podman run --rm --network host" ] && podman_ms=$ms
  done
  floor=$fast_floor
fi
echo "ratio bale/start-floor: $(ratio "$bale_ms" "$floor")   (target <= 1.30)"
if [ -n "${podman_ms:-}" ]; then
  echo "ratio bale/podman: $(ratio "$bale_ms" "$podman_ms")   (target <= 0.03)"
else
  echo "podman cannot start containers here; its reference figure in shared/bench/README.md is" \
       "204 ms against 2.2 ms for start-floor (93x): bale at $(ratio "$bale_ms" "$floor")x floor is" \
       "$(awk -v r="$(ratio "$bale_ms" "$floor")" 'BEGIN {printf "%.3f", r / 93}')x podman by that scale"
fi

# bale exec into a running container, beside nsenter doing the same joins (mount namespace and
# root) with nothing else: no record lookup, no environment or user from the target.
echo
echo "== exec into a running container, /bin/true, median of $runs interleaved rounds =="
export BALE_RUN_DIR=$w/run
"$bale" run --name bench-exec "$w/bb.bale" sh -c 'while :; do sleep 1; done' &
exec_pid=$!
for _ in $(seq 100); do [ -e "$BALE_RUN_DIR/$exec_pid.json" ] && break; sleep 0.05; done
mapfile -t r < <("$w/alternate" "$runs" "$bale" exec bench-exec /bin/true ";;" \
  nsenter -t "$exec_pid" -m -r /bin/true)
kill "$exec_pid"; wait "$exec_pid" 2>/dev/null || true
printf '%-52s %9s ms\n' "bale exec NAME /bin/true" "${r[0]%% *}" \
  "nsenter -t PID -m -r /bin/true" "${r[1]%% *}"
echo "ratio bale exec/nsenter: $(ratio "${r[0]%% *}" "${r[1]%% *}")   (target <= 1.50)"
echo "(docker exec and podman exec: no container starts here, see the note above)"

# Rootless: the same image as ordinary users made for the run, one with a subordinate id range
# (newuidmap/newgidmap map 1..65535), one without (a one-id map, as bwrap --unshare-user has).
echo
echo "== rootless warm start, busybox, /bin/true, median of $runs interleaved rounds =="
if command -v setpriv >/dev/null && [ -u /usr/bin/newuidmap ]; then
  rl_full=bale-bench-f$$ rl_one=bale-bench-o$$
  cp /etc/subuid "$w/subuid.orig"; cp /etc/subgid "$w/subgid.orig"
  for u in "$rl_full" "$rl_one"; do useradd -M -d "$w/home-$u" "$u"; mkdir -p "$w/home-$u"; chown "$u:" "$w/home-$u"; done
  rl_cleanup() {
    userdel "$rl_full" 2>/dev/null; userdel "$rl_one" 2>/dev/null
    cp "$w/subuid.orig" /etc/subuid; cp "$w/subgid.orig" /etc/subgid
  }
  trap 'rl_cleanup; cleanup' EXIT
  sed -i "/^bale-bench-/d" /etc/subuid /etc/subgid
  echo "$rl_full:5000000:65536" >>/etc/subuid; echo "$rl_full:5000000:65536" >>/etc/subgid
  chmod 755 "$w"; cp "$bale" "$w/bale"; chmod 755 "$w/bale"; chmod 644 "$w/bb.bale"
  as() { local u=$1; shift; echo setpriv --reuid "$u" --regid "$u" --init-groups env -i HOME="$w/home-$u" PATH=/usr/bin:/bin "$@"; }
  for u in "$rl_full" "$rl_one"; do
    $(as "$u" "$w/bale" trust add "$w/config/id_ed25519.pub" --name bench) >/dev/null
    $(as "$u" "$w/bale" run "$w/bb.bale" /bin/true) 2>/dev/null  # unpacked once, warm from here
  done
  # shellcheck disable=SC2046  # the words of `as` on purpose
  rl_args=("$bale" run "$w/bb.bale" /bin/true ";;" $(as "$rl_full" "$w/bale" run "$w/bb.bale" /bin/true)
           ";;" $(as "$rl_one" "$w/bale" run "$w/bb.bale" /bin/true) ";;" $(as "$rl_one" /bin/true)
           ";;" /bin/true)
  has_bwrap=0
  # bwrap gets the same tree where the user may read it (the store is root's, mode 0700), and
  # must start there once, or its figure would be that of an error.
  # shellcheck disable=SC2046
  if command -v bwrap >/dev/null &&
     $(as "$rl_one" bwrap --unshare-user --bind "$w/bb" / --proc /proc --dev /dev /bin/true); then
    has_bwrap=1
    # shellcheck disable=SC2046
    rl_args+=(";;" $(as "$rl_one" bwrap --unshare-user --bind "$w/bb" / --proc /proc --dev /dev /bin/true))
  fi
  mapfile -t r < <("$w/alternate" "$runs" "${rl_args[@]}" 2>/dev/null)
  rl_root=${r[0]%% *} rl_floor=${r[3]%% *} rl_true=${r[4]%% *}
  # What setpriv and env cost to start the user's command is taken off every as-user figure.
  own() { awk -v t="$1" -v f="$rl_floor" -v h="$rl_true" 'BEGIN {printf "%.3f", t - f + h}'; }
  rl_f=$(own "${r[1]%% *}") rl_o=$(own "${r[2]%% *}")
  printf '%-52s %9s ms\n' "root bale run IMAGE /bin/true" "$rl_root" \
    "rootless bale run, subuid range (newuidmap)" "$rl_f" \
    "rootless bale run, one-id map" "$rl_o" \
    "(setpriv + env launching /bin/true as the user)" "$rl_floor"
  echo "ratio rootless (subuid range)/root: $(ratio "$rl_f" "$rl_root")   (target <= 2.00)"
  echo "newuidmap + newgidmap (run at once) share of the rootless start:" \
       "$(awk -v f="$rl_f" -v o="$rl_o" 'BEGIN {printf "%.0f%%", 100 * (f - o) / f}')"
  if [ "$has_bwrap" = 1 ]; then
    bw=$(own "${r[5]%% *}")
    printf '%-52s %9s ms\n' "bwrap --unshare-user --bind ROOT / --proc --dev" "$bw"
    echo "ratio rootless one-id bale/bwrap --unshare-user: $(ratio "$rl_o" "$bw")   (target < 1.00)"
  else
    echo "(bwrap is not installed: scripts/setup --bench installs it)"
  fi
  rl_cleanup
  trap cleanup EXIT
else
  echo "(setpriv or a setuid newuidmap is missing: no rootless figures)"
fi

deb=/var/cache/bale-tests/debian-bookworm
if [ -d "$deb" ]; then
  echo
  echo "== Debian bookworm minbase image =="
  "$bale" pack "$deb" -o "$w/deb.bale" 2>/dev/null
  "$bale" run "$w/deb.bale" /bin/true
  deb_root=$(ls -d "$w"/store/images/*/rootfs | grep -v "^$root$")
  mapfile -t r < <("$w/alternate" "$runs" "$bale" run "$w/bb.bale" /bin/true ";;" \
    "$bale" run "$w/deb.bale" /bin/true ";;" "$w/start-floor" "$root" "$w/stage" /bin/true ";;" \
    "$w/start-floor" "$deb_root" "$w/stage" /bin/true)
  bb_ms=${r[0]%% *} deb_ms=${r[1]%% *} bb_floor=${r[2]%% *} deb_floor=${r[3]%% *}
  printf '%-52s %9s ms\n' "warm bale run debian /bin/true" "$deb_ms" \
    "warm bale run busybox /bin/true" "$bb_ms" \
    "start-floor debian /bin/true" "$deb_floor" "start-floor busybox /bin/true" "$bb_floor"
  echo "ratio debian/busybox warm: $(ratio "$deb_ms" "$bb_ms")   (target <= 1.20)"
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
