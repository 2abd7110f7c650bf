#!/bin/bash
# Packing a tree into a file inside that same tree leaves the image being written out of the
# image (as GNU tar does with "file is the archive; not dumped"): no temp file, no partial self.
. "$(dirname "$0")/lib.sh"

make_busybox_root root
head -c 3000000 /dev/urandom >root/aaa-big     # sorts before the output, so writing has begun
mkdir root/out
"$BALE" pack root -o root/out/img.bale 2>err || fail "pack into the tree failed: $(cat err)"
"$BALE" verify root/out/img.bale >/dev/null || fail "the image does not verify"
tar -tzf root/out/img.bale >list
grep -q -e 'tmp-' -e 'img\.bale' list && fail "the image holds its own output: $(grep -e 'tmp-' -e 'img\.bale' list)"
grep -qx 'out/' list || fail "the output's directory is missing from the image"
no_temp_files root/out
exit 0
