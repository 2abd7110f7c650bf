#!/bin/bash
# A rebuild after a change in a late step squashes only what changed: the unchanged layers' part
# of the image is copied from the earlier image with the hash states recorded after it, and the
# result is bit-identical to squashing everything afresh (and to --no-cache). Without the
# earlier image (gc), it squashes from the start. A build on a base image that replaces nothing of
# it takes the base's part whole from a record kept beside the base (after the build cache was
# pruned, too), and writes the same tar.
. "$(dirname "$0")/lib.sh"
. "$BALE_SRC/tests/integration/build_lib.sh"
export SOURCE_DATE_EPOCH=1700000000

busybox_context ctx
head -c 3000000 /dev/urandom >ctx/big.bin        # several body members below the change
echo one >ctx/late.txt
cat >ctx/Dockerfile <<EOF
$BUSYBOX_STAGE
COPY big.bin /data/big.bin
RUN mkdir -p /etc/app && echo configured >/etc/app/conf && rm /bin/vi
COPY late.txt /srv/late.txt
RUN cat /srv/late.txt >/srv/seen
EOF
build -o 1.bale ctx
echo two >ctx/late.txt
build -o 2.bale ctx
grep -qE "wrote '2.bale': [0-9]+ entries, [0-9]+ bytes \\([0-9]+ of them from an earlier build" "$T/build.log" ||
  fail "the rebuild did not reuse the unchanged layers: $(tail -1 "$T/build.log")"
extract 2.bale r
[ "$(cat r/srv/seen)" = two ] || fail "the change is not in the image"
[ -e r/bin/vi ] && fail "a file deleted in a lower layer came back"
[ "$(cat r/etc/app/conf)" = configured ] || fail "a lower layer's file is missing"
gzip -t 2.bale || fail "the resumed image is not one valid gzip stream"
"$BALE" verify 2.bale >/dev/null 2>&1 || fail "the resumed image does not verify"

# The same build squashed from nothing: bit-identical.
rm -rf "$BALE_STORE/build/images" "$BALE_STORE/build/squash"
mkdir -p "$BALE_STORE/build/images" "$BALE_STORE/build/squash"
build -o 3.bale ctx
grep -q 'from an earlier build' "$T/build.log" && fail "nothing was recorded, yet something was reused"
cmp 2.bale 3.bale || fail "a resumed squash differs from a squash from nothing"
build -o 4.bale --no-cache ctx
cmp 3.bale 4.bale || fail "--no-cache gives another image"

# Nothing of the base replaced: the second build, after the cache is gone, resumes from the base.
unset SOURCE_DATE_EPOCH
make_busybox_root base        # no /etc/resolv.conf: the RUN below needs a mountpoint for it
make_rich_tree base
"$BALE" pack base -o ctx/base.bale 2>/dev/null || fail "pack of the base failed"
echo added >ctx/add.txt
# The RUN changes nothing: the /etc overlay copied up for its resolv.conf mountpoint must not
# count as a change of the base.
printf 'FROM ./base.bale\nCOPY add.txt /added.txt\nRUN true\n' >ctx/Dockerfile.add
build -f ctx/Dockerfile.add -o a1.bale ctx
rm -rf "$BALE_STORE/build"
build -f ctx/Dockerfile.add -o a2.bale ctx
grep -qE "\([0-9]+ of them from an earlier build" "$T/build.log" ||
  fail "the base's part was not taken from the record: $(tail -1 "$T/build.log")"
[ "$(gzip -dc a1.bale | sha256sum)" = "$(gzip -dc a2.bale | sha256sum)" ] ||
  fail "resuming from the base's record wrote another tar"
"$BALE" verify a2.bale >/dev/null 2>&1 || fail "the image resumed from the base's record does not verify"
extract a2.bale ra
[ "$(cat ra/added.txt)" = added ] && [ -e ra/srv/data/random.bin ] || fail "the resumed image lacks files"
exit 0
