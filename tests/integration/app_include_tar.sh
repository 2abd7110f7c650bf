#!/bin/bash
# An app's --include-tar: each tarball (any compression) is unpacked into the store once, as a
# tree of its own keyed by the file's sha256, and stacked over the image as another overlay
# lower (later tarballs over earlier ones). A launch hashes nothing and copies nothing; a changed
# tarball is a new tree; a bad, escaping or missing tarball is a clear error and nothing is
# registered or started.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/run_lib.sh"
. "$BALE_SRC/tests/integration/app_lib.sh"
need strace
export BALE_STORE=$T/store
make_layer_images

mkdir -p t1/etc t1/opt/tool t2/etc
echo tar1 >t1/etc/layer
echo tar1 >t1/etc/tar1-only
printf '#!/bin/sh\necho tool-ran "$@"\n' >t1/opt/tool/run
chmod 755 t1/opt/tool/run
echo tar2 >t2/etc/layer
tar -C t1 -czf t1.tgz .
tar -C t2 -cJf t2.tar.xz .
register_sh inc --include-tar "$T/t1.tgz" --include-tar t2.tar.xz
grep -q "$T/t2.tar.xz" config/apps/inc.yaml || fail "a relative --include-tar was not kept absolute"

# Order: the second tarball over the first over the image over its layers.
out=$("$T/bin/inc" -c 'cat /etc/layer /etc/tar1-only /etc/delta-only /etc/base-only; /opt/tool/run x')
[ "$out" = "$(printf 'tar2\ntar1\ndelta\nbase\ntool-ran x')" ] || fail "include order: $out"

# Nothing copied at launch: the trees are the store's, stacked as lowers, named by the sha256.
t1_hex=$(sha256sum t1.tgz | cut -c1-64)
[ -d "store/images/$t1_hex/rootfs" ] || fail "no tree for t1.tgz under its sha256 in the store"
mounts=$("$T/bin/inc" -c 'cat /proc/self/mountinfo')
grep -q "images/$t1_hex/rootfs" <<<"$mounts" ||
  fail "t1.tgz's tree is not a lower of the app's overlay"
ls store/verified | grepq '^tar-' || fail "no record spares hashing the tarball again"
trees=$(ls store/images | wc -l)
strace -f -y -e trace=openat,read,pread64 -o trace.out "$T/bin/inc" -c true 2>/dev/null ||
  fail "launch under strace failed"
grep -q 'openat.*t1.tgz' trace.out || fail "the launch did not look at t1.tgz at all"
grep -E 'read(64)?\([0-9]+<[^>]*t1.tgz>' trace.out && fail "a warm launch read the tarball"
[ "$(ls store/images | wc -l)" = "$trees" ] || fail "a warm launch unpacked again"

# Writes stay ephemeral, and never reach the shared tree.
"$T/bin/inc" -c 'echo x > /etc/tar1-only' || fail "write over an included file"
[ "$(cat "store/images/$t1_hex/rootfs/etc/tar1-only")" = tar1 ] || fail "a write reached the include's tree"
[ "$("$T/bin/inc" -c 'cat /etc/tar1-only')" = tar1 ] || fail "a write outlived its call"

# A changed tarball is a new tree at the next launch.
echo tar1-new >t1/etc/tar1-only
tar -C t1 -czf t1.tgz.new . && mv t1.tgz.new t1.tgz
[ "$("$T/bin/inc" -c 'cat /etc/tar1-only')" = tar1-new ] || fail "a changed tarball was not taken"

# gc removes an unused tree; the next launch unpacks it again.
"$BALE" store gc >/dev/null || fail "store gc"
[ -d "store/images/$t1_hex" ] && fail "gc kept the old tarball's tree"
[ "$("$T/bin/inc" -c 'cat /etc/tar1-only')" = tar1-new ] || fail "launch after gc"

# Bad input: not a tarball, an entry that climbs out, a missing file.
echo "not a tar" >bad.tgz
expect_fail 1 "bad.tgz" "$BALE" app register --app "$T/bin/bad" --image "$T/delta.bale" \
  --target /bin/sh --include-tar "$T/bad.tgz"
[ ! -e bin/bad ] && [ ! -e config/apps/bad.yaml ] || fail "a bad tarball's app was registered"
python3 - <<'EOF'
import io, tarfile
with tarfile.open("escape.tar", "w") as t:
    data = b"out\n"
    info = tarfile.TarInfo("../escaped")
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
EOF
expect_fail 1 "escape.tar.*\.\." "$BALE" app register --app "$T/bin/esc" --image "$T/delta.bale" \
  --target /bin/sh --include-tar "$T/escape.tar"
[ ! -e bin/esc ] && [ ! -e escaped ] && [ ! -e store/escaped ] || fail "an escaping tarball left something"
expect_fail 1 "no-such.tgz" "$BALE" app register --app "$T/bin/none" --image "$T/delta.bale" \
  --target /bin/sh --include-tar "$T/no-such.tgz"
[ ! -e bin/none ] || fail "an app with a missing tarball was linked"
# Gone after registration: the launch fails before the target, 125, naming the tarball.
cp t2.tar.xz gone.tar.xz
register_sh gone --include-tar "$T/gone.tar.xz"
rm gone.tar.xz
expect_fail 125 "app 'gone': include tarball '$T/gone.tar.xz'" "$T/bin/gone" -c true
true
