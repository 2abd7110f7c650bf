#!/bin/bash
# The container's file system: an overlay whose writes vanish with the container and never reach
# the unpacked image; the usual /proc, /dev, /dev/shm and host /etc files, the image's /tmp; --read-only; -v binds
# (read-write and :ro, directories and files); --tmpfs; and a missing -v host path refused
# without creating anything.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"

run_root root sed
echo original >root/etc/motd
"$BALE" pack root -o img.bale 2>/dev/null
hex=$(image_hex img.bale)

# inside CMD...: run CMD in the image (extra bale options first, before "--"), stdout to $T/out.
inside() {
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  "$BALE" run "${opts[@]}" img.bale "$@" >"$T/out" 2>"$T/err" ||
    fail "'bale run ${opts[*]} img.bale $*' exited $?: $(cat "$T/err")"
}

inside -- true
rootfs=$BALE_STORE/images/$hex/rootfs
[ -d "$rootfs" ] || fail "the image was not unpacked into '$rootfs'"
tree_manifest "$rootfs" >before.manifest
file_hashes "$rootfs" >before.hashes

# Writes, removals and mount points live in the overlay's upper layer and die with it.
inside -v "$T:/mnt/host" -- sh -c 'echo changed >/etc/motd; echo new >/new-file; rm /bin/false;
  mkdir -p /var/x; touch /var/x/y; cat /etc/motd'
[ "$(cat out)" = changed ] || fail "a write inside the container did not read back: $(cat out)"
inside -- sh -c 'cat /etc/motd; ls /new-file /var/x /mnt/host 2>&1; test -e /bin/false && echo has-false'
grep -qx original out || fail "the second run sees the first one's write: $(cat out)"
grep -qx has-false out || fail "the second run misses /bin/false, removed by the first"
grep -q '/new-file' out && grep -q '/var/x' out && grep -q '/mnt/host' out ||
  fail "the second run did not report missing files: $(cat out)"
grep -qE '^(/new-file|/var/x|/mnt/host)$' out && fail "the second run sees the first one's files: $(cat out)"
tree_manifest "$rootfs" | diff before.manifest - >/dev/null ||
  fail "the unpacked image changed: $(tree_manifest "$rootfs" | diff before.manifest - | head)"
file_hashes "$rootfs" | diff before.hashes - >/dev/null || fail "a file of the unpacked image changed"

# The kernel's views and the host's resolver files.
inside -- cat /proc/mounts
grep -qE '^proc /proc proc ' out || fail "/proc is not a proc mount: $(cat out)"
grep -qE '^tmpfs /dev/shm tmpfs ' out || fail "/dev/shm is not a tmpfs: $(cat out)"
# /tmp and /run are the image's own, in the writable layer (as docker has them), no mount.
grep -qE ' /(tmp|run) ' out && fail "/tmp or /run is a mount of its own: $(cat out)"
grep -qE '^overlay / overlay ' out || fail "/ is not an overlay: $(cat out)"
inside -- sh -c 'echo $$; sed -n "s/^Pid:[[:space:]]*//p" /proc/$$/status; stat -c "%a %F" /tmp; stat -c "%t:%T %F" /dev/null;
  echo gone >/dev/null; head -c 4 /dev/zero | wc -c'
mapfile -t lines <out
[ "${lines[0]}" = "${lines[1]}" ] || fail "/proc/\$\$/status names PID '${lines[1]}' for ${lines[0]}: not this PID namespace's proc"
[ "${lines[2]}" = "1777 directory" ] || fail "/tmp is '${lines[2]}', expected mode 1777"
[ "${lines[3]}" = "1:3 character special file" ] || fail "/dev/null is '${lines[3]}'"
[ "${lines[4]}" = 4 ] || fail "/dev/zero gave ${lines[4]} bytes for 4"
# The host's name service files: the container sees their content, and whatever it does to its
# own copy (or bind) neither reaches the host nor outlives the container.
for f in /etc/resolv.conf /etc/hosts /etc/hostname; do
  [ -e "$f" ] || continue
  cp "$f" host-copy
  inside -- cat "$f"
  cmp -s out "$f" || fail "$f in the container differs from the host's"
  "$BALE" run img.bale sh -c "echo appended >>$f; rm -f $f" >/dev/null 2>&1 || true
  cmp -s host-copy "$f" || fail "the container changed the host's $f"
  inside -- cat "$f"
  cmp -s out "$f" || fail "a change to $f in one container shows in the next"
done

# An image whose resolv.conf and hosts are symlinks (systemd-resolved's stub, a dangling one)
# and with a hostname of its own still gets the host's files; its tree in the store keeps them.
run_root links
ln -s ../run/systemd/resolve/stub-resolv.conf links/etc/resolv.conf
ln -s /nonexistent/hosts links/etc/hosts
echo image-hostname >links/etc/hostname
"$BALE" pack links -o links.bale 2>/dev/null
for f in /etc/resolv.conf /etc/hosts /etc/hostname; do
  [ -e "$f" ] || continue
  "$BALE" run links.bale cat "$f" >out 2>err || fail "links.bale: cat $f failed: $(cat err)"
  cmp -s out "$f" || fail "links.bale: $f in the container differs from the host's: $(cat out)"
done
links_root=$BALE_STORE/images/$(image_hex links.bale)/rootfs
[ "$(readlink "$links_root/etc/resolv.conf")" = ../run/systemd/resolve/stub-resolv.conf ] &&
  [ "$(cat "$links_root/etc/hostname")" = image-hostname ] || fail "running links.bale changed its unpacked tree"

# --read-only: / refuses writes, /tmp (and other tmpfs) still take them.
inside --read-only -- sh -c 'touch /x 2>/dev/null && echo root-writable; touch /etc/motd 2>/dev/null && echo etc-writable;
  echo t >/tmp/t && cat /tmp/t'
[ "$(cat out)" = t ] || fail "--read-only: expected only /tmp writable, got: $(cat out)"

# -v: read-write binds show writes on the host; :ro refuses them; a file can be bound too.
mkdir vol rovol
echo from-host >vol/in
echo ro-content >rovol/f
echo single >one-file
inside -v "$T/vol:/data" -v "$T/rovol:/ro:ro" -v "$T/one-file:/etc/one" -- \
  sh -c 'cat /data/in /ro/f /etc/one; echo from-container >/data/out; echo x >/ro/g 2>/dev/null && echo ro-writable; exit 0'
[ "$(cat out)" = "from-host
ro-content
single" ] || fail "-v binds read back: $(cat out)"
[ "$(cat vol/out 2>/dev/null)" = from-container ] || fail "a write to the rw bind did not reach the host"
[ -e rovol/g ] && fail "a write to the :ro bind reached the host"
inside -v "$T/vol:/data:ro" -- sh -c 'touch /data/z 2>/dev/null && echo writable; exit 0'
[ -s out ] && fail "-v HOST:CONTAINER:ro is writable"
[ -e vol/z ] && fail "a write to a :ro bind reached the host"
inside -v "$T/vol:/data:rw" -- touch /data/rw-mode
[ -e vol/rw-mode ] || fail "-v HOST:CONTAINER:rw did not write through"

# --tmpfs, with a size that is enforced.
inside --tmpfs /scratch:size=1m -- sh -c 'grep " /scratch " /proc/mounts; echo x >/scratch/a && cat /scratch/a;
  dd if=/dev/zero of=/scratch/big bs=1k count=2048 2>/dev/null && echo fit; exit 0'
grep -qE '^tmpfs /scratch tmpfs .*size=1024k' out || fail "--tmpfs /scratch:size=1m mounted as: $(cat out)"
grep -qx x out || fail "--tmpfs /scratch is not writable: $(cat out)"
grep -qx fit out && fail "--tmpfs size=1m took 2 MiB"
inside --tmpfs /var/cache/deep -- sh -c 'touch /var/cache/deep/f && stat -c %a /var/cache/deep'
[ "$(cat out)" = 1777 ] || fail "--tmpfs without options: mode $(cat out)"

# A missing host path: refused before the target starts, naming it, creating nothing.
expect_fail 125 "$(re_escape "$T/no-such-dir")" "$BALE" run -v "$T/no-such-dir:/data" img.bale true
[ -e no-such-dir ] && fail "a missing -v host path was created on the host"
expect_fail 125 "$(re_escape "$T/missing/deeper")" "$BALE" run -v "$T/missing/deeper:/d:ro" img.bale true
[ -e missing ] && fail "the parent of a missing -v host path was created on the host"

tree_manifest "$rootfs" | diff before.manifest - >/dev/null || fail "the unpacked image changed"
[ "$(store_count tmp)" -eq 0 ] || fail "left in the store's tmp: $(store_names tmp)"
exit 0
