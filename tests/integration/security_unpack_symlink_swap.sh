#!/bin/bash
# A directory swapped for a symlink while bale unpacks an image must make the unpack fail (or
# go on inside the image's own tree), never make bale write or delete outside its store: not
# while it creates entries, and not while it removes the half-made tree after a failure.
#  1. The race: while `bale run` unpacks an image of about 200 MB (200 directories under a/),
#     a second process keeps replacing the directories of the partial tree in the store's tmp/
#     with symlinks to a sentinel directory (absolute and relative targets). Every run either
#     shows the image's file or fails cleanly (125); the sentinel never changes.
#  2. Static: a signed tar whose symlink 'a' points at the sentinel, followed by entries under
#     'a/', is refused or lands inside the image root; never written through.
# Nothing is left mounted.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
need python3

S="$T/sentinel"
mkdir -p "$S/sub/deeper"
echo original >"$S/keep"
echo deeper >"$S/sub/deeper/file"
for f in $(seq -f 'f%g' 0 49); do echo "$f" >"$S/$f"; echo "$f" >"$S/sub/$f"; done  # names the image uses
mkdir "$S/d0000"
before=$(tree_manifest "$S"; file_hashes "$S")
sentinel_same() { [ "$before" = "$(tree_manifest "$S"; file_hashes "$S")" ]; }

run_root root
python3 - root <<'PY'
import os, sys
z = b"\0" * 20000
for d in range(200):
    p = os.path.join(sys.argv[1], "a", "d%04d" % d)
    os.makedirs(p)
    for f in range(50):
        with open(os.path.join(p, "f%d" % f), "wb") as fh:
            fh.write(b"%d/%d\n" % (d, f) + z)
PY
"$BALE" pack root -o big.bale 2>/dev/null || fail "setup: pack big.bale failed"
rm -rf root

# The attacker: once a partial tree in tmp/ has a few dozen directories under a/, it keeps
# swapping every real directory it finds there for a symlink to the sentinel (absolute and
# relative targets; the directory itself moves aside, so bale may keep writing into it), children
# before parents, until the file "stop" appears. Swapping a/ makes the unpack fail, so bale's
# removal of the half-made tree races the swaps too.
python3 - "$BALE_STORE/tmp" "$S" <<'PY' &
import os, sys
tmp, sentinel = sys.argv[1], sys.argv[2]
rel = "../" * 40 + sentinel.lstrip("/")
n = 0
def walk(d, depth):
    global n
    try:
        entries = list(os.scandir(d))
    except OSError:
        return
    for e in entries:
        try:
            if not e.is_dir(follow_symlinks=False):
                continue
            if depth < 3:
                walk(e.path, depth + 1)
            n += 1
            os.rename(e.path, os.path.join(d, "m%d" % n))
            os.symlink((sentinel, rel, sentinel + "/sub")[n % 3], e.path)
        except OSError:
            pass
while not os.path.exists("stop"):
    try:
        parts = [os.path.join(tmp, p, "rootfs") for p in os.listdir(tmp)]
    except OSError:
        parts = []
    for r in parts:
        try:
            if len(os.listdir(os.path.join(r, "a"))) < 40:
                continue
        except OSError:
            pass
        walk(r, 0)
PY
attacker=$!
at_exit "touch $T/stop; kill $attacker"

end=$(( $(date +%s) + 20 ))
n=0 shown=0 refused=0
while [ "$(date +%s)" -lt "$end" ] && [ "$n" -lt 40 ]; do
  n=$((n + 1))
  "$BALE" store gc >/dev/null 2>&1 || true     # the next run is a first run again
  rc=0
  "$BALE" run big.bale cat /a/d0199/f49 >out 2>err </dev/null || rc=$?
  grep -qiE 'internal error|terminate|what\(\)|core dumped' err && fail "run $n crashed: $(cat err)"
  sentinel_same || fail "run $n (exit $rc) changed the sentinel while its tree was swapped: $(cat err)"
  if [ "$rc" -eq 0 ]; then
    [ "$(head -1 out)" = 199/49 ] || fail "run $n printed '$(head -c 40 out)'"
    shown=$((shown + 1))
  elif [ "$rc" -eq 125 ] && grep -q '^bale: ' err; then
    refused=$((refused + 1))
  else
    fail "run $n exited $rc: $(cat err)"
  fi
done
touch stop
wait "$attacker" || true
echo "race: $n runs, $shown ran, $refused refused" >&2
[ "$refused" -gt 0 ] || fail "no run was disturbed by the swaps: the race tested nothing"
"$BALE" store gc >/dev/null 2>&1 || true
sentinel_same || fail "the sentinel changed during the race"

# The static case: a symlink to the sentinel, then entries through it.
base='
add("bin", type=tarfile.DIRTYPE)
add("bin/busybox", open("/bin/busybox", "rb").read(), mode=0o755)
for a in ("sh", "cat", "ls", "test"):
    add("bin/" + a, type=tarfile.SYMTYPE, linkname="busybox")
'
k=0
for target in "$S" "../../../../../../../../../../../..$S" "$S/sub"; do
  k=$((k + 1))
  sign_tar "through$k.bale" "$base"'
add("a", type=tarfile.SYMTYPE, linkname="'"$target"'")
add("a/planted", b"planted\n")
add("a/deeper/file", b"overwritten\n")
add("a/keep", b"overwritten\n")'
  rc=0
  "$BALE" run "through$k.bale" sh -c 'cat /a/keep 2>/dev/null || echo none' >out 2>err || rc=$?
  grep -qiE 'internal error|terminate|what\(\)' err && fail "a -> $target: crashed: $(cat err)"
  sentinel_same || fail "a -> $target: an entry was written through the symlink into the sentinel"
  if [ "$rc" -eq 0 ]; then
    # Resolved in the image's root, as in a chroot: the file is the image's own.
    [ "$(cat out)" = overwritten ] || fail "a -> $target: ran, but /a/keep reads '$(cat out)'"
  else
    [ "$rc" -eq 125 ] && grep -q "^bale: .*'a/" err || fail "a -> $target: exit $rc: $(cat err)"
    [ "$(store_count images)" -eq 0 ] || fail "a -> $target: refused, yet unpacked: $(store_names images)"
  fi
done

sentinel_same || fail "the sentinel outside the store changed"
! grep -qF "$T/" /proc/self/mountinfo || fail "mounts left: $(grep -F "$T/" /proc/self/mountinfo)"
exit 0
