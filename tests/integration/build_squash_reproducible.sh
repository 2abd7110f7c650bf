#!/bin/bash
# The output: the final stage squashed into one root filesystem that equals what the steps made
# (owners, modes, mtimes, symlinks, hardlinks, xattrs, long and UTF-8 names of the base kept;
# deleted files absent; no whiteout markers), and reproducible: with SOURCE_DATE_EPOCH, two
# builds in separate stores, and a --no-cache build, give bit-identical, identically signed files.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
need getfattr

make_busybox_root base
make_rich_tree base
setfattr -n user.note -v kept base/etc/hostname.conf
"$BALE" pack base -o ctx-base.bale 2>/dev/null || fail "pack of the base failed"
mkdir ctx
mv ctx-base.bale ctx/base.bale
cat >ctx/Dockerfile <<'EOF'
FROM ./base.bale
RUN rm -rf /usr/share/doc/dangling /var/empty && echo added >/srv/added && chown 7:8 /srv/added && \
    chmod 0604 /srv/added && ln /srv/added /srv/added-hard && touch -d @1600000000 /srv/added /srv /usr/share/doc /var
EOF
build -o img.bale ctx
# The base's chunks nothing was taken out of are its own compressed members, copied.
grep -qE "\([1-9][0-9]* compressed chunks taken from the base image as they were\)" "$T/build.log" ||
  fail "no chunk of the base image was reused: $(tail -2 "$T/build.log")"
gzip -t img.bale || fail "the image is not one valid gzip stream"
"$BALE" verify img.bale >/dev/null 2>&1 || fail "the image does not verify"
extract img.bale got
# The expected tree: the base with the same changes made directly.
cp -a base want
rm -rf want/usr/share/doc/dangling want/var/empty
echo added >want/srv/added
chown 7:8 want/srv/added
chmod 0604 want/srv/added
ln want/srv/added want/srv/added-hard
touch -d @1600000000 want/srv/added want/srv want/usr/share/doc want/var
same_tree want got
[ "$(getfattr --only-values -n user.note got/etc/hostname.conf 2>/dev/null)" = kept ] || fail "an xattr of the base was lost"
tar -tzf img.bale | grepq '\.wh\.' && fail "whiteout markers in the image"

export SOURCE_DATE_EPOCH=1700000000
busybox_context r
cat >r/Dockerfile <<EOF
$BUSYBOX_STAGE
RUN mkdir /data && echo hello >/data/greeting && ln -s greeting /data/link
COPY Dockerfile /
EOF
build -o a.bale r
BALE_STORE="$T/store-2" build -o b.bale r
build -o c.bale --no-cache r
cmp a.bale b.bale || fail "two builds in separate stores differ"
cmp a.bale c.bale || fail "a --no-cache build differs"
image_config a.bale
[ "$(json_get "$T/config.json" 'j["config"]["created"]')" = 2023-11-14T22:13:20Z ] ||
  fail "created is not SOURCE_DATE_EPOCH: $(json_get "$T/config.json" 'j["config"]["created"]')"
exit 0
