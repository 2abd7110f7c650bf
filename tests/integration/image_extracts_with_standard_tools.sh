#!/bin/bash
# An image is an ordinary tar.gz: GNU tar, bsdtar, busybox tar, Python's tarfile, 7-Zip and gzip
# read it without a word on stderr, and each extracts a tree equal to the one packed.
. "$(dirname "$0")/lib.sh"
need bsdtar; need busybox; need python3; need 7z; need gzip

make_busybox_root root
make_rich_tree root
find root -exec touch -h -d @1600000000 {} +
"$BALE" pack root -o img.bale 2>/dev/null

expect_silent gzip -t img.bale
expect_silent tar -tzf img.bale
tar -tzf img.bale >list
grep -qx 'bin/busybox' list || fail "tar -t does not list bin/busybox: $(head list)"
[ "$(wc -l <list)" -eq "$(find root -mindepth 1 | wc -l)" ] ||
  fail "tar -t lists $(wc -l <list) entries, the tree has $(find root -mindepth 1 | wc -l)"

mkdir gnu gnu-i bsd bb py 7z
expect_silent tar -xzf img.bale -C gnu
same_tree root gnu
# --ignore-zeros reads on past the tar's end into the trailer members: they inflate to nothing.
expect_silent tar -i -xzf img.bale -C gnu-i
same_tree root gnu-i

expect_silent bsdtar -xpf img.bale -C bsd
same_tree root bsd

expect_silent busybox tar -xzf img.bale -C bb
# busybox tar sets a directory's time before filling it and leaves symlinks owned by root, so
# directories are compared without times and symlinks without owners.
loose_manifest() { tree_manifest "$1" | sed -E 's/^(.*) d ([0-7]+ [0-9]+:[0-9]+) .*/\1 d \2/; s/ l [0-9]+:[0-9]+ -> / l -> /'; }
diff <(loose_manifest root) <(loose_manifest bb) >bb.diff ||
  fail "busybox tar extracted a different tree: $(head -20 bb.diff)"
diff <(file_hashes root) <(file_hashes bb) >/dev/null || fail "busybox tar extracted other contents"

expect_silent python3 - img.bale py <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as t:
    kw = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
    t.extractall(sys.argv[2], numeric_owner=True, **kw)
PY
same_tree root py

7z x -so -tgzip img.bale 2>7z.err | tar -x -C 7z 2>>7z.err ||
  fail "7z x -so | tar x failed: $(cat 7z.err)"
grep -qiE 'error|warning' 7z.err && fail "7z or tar complained: $(cat 7z.err)"
same_tree root 7z

# The image inflates to exactly the tar its trailer describes.
"$BALE" inspect --json img.bale >info.json
[ "$(gzip -dc img.bale | wc -c)" -eq "$(json_get info.json 'j["tar_size"]')" ] ||
  fail "gzip -dc gives $(gzip -dc img.bale | wc -c) bytes, inspect says tar_size $(json_get info.json 'j["tar_size"]')"
exit 0
