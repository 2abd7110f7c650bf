#!/bin/bash
# Layers merged without a tree (image/layer_merge.h) give the very tree that applying them into
# a directory gives: whiteouts, opaque directories, replacements, a directory listed by two
# layers (the upper one's mode, its place before what it holds), long names, hardlinks within
# and across layers. SOURCE_DATE_EPOCH makes `bale import` take the tree, so the two are
# compared with mtimes left out. A layer with a path through a lower layer's symlink takes the
# tree too, and still lands inside the image.
. "$(dirname "$0")/lib.sh"
need python3

long=$(printf 'n%.0s' $(seq 150))
cat >spec.json <<EOF2
{
  "config": {"Cmd": ["/bin/true"]},
  "layers": [
    [
      {"name": "d/", "type": "dir", "mode": 493},
      {"name": "d/keep", "data": "kept"},
      {"name": "d/gone", "data": "whited out"},
      {"name": "d/$long/", "type": "dir"},
      {"name": "d/$long/file-with-a-long-path", "data": "deep"},
      {"name": "o/", "type": "dir"},
      {"name": "o/old", "data": "lower"},
      {"name": "f", "data": "version 1"},
      {"name": "t", "data": "a target"},
      {"name": "h1", "type": "hardlink", "target": "t"},
      {"name": "dir-to-file/", "type": "dir"},
      {"name": "dir-to-file/child", "data": "below"}
    ],
    [
      {"name": "d/", "type": "dir", "mode": 448, "uid": 7, "gid": 8},
      {"name": "d/.wh.gone", "data": ""},
      {"name": "o/.wh..wh..opq", "data": ""},
      {"name": "o/new", "data": "upper"},
      {"name": "f", "data": "version 2"},
      {"name": "h2", "type": "hardlink", "target": "./t"},
      {"name": "dir-to-file", "data": "now a file"}
    ]
  ]
}
EOF2
make_archive spec.json layers.tar
"$BALE" import layers.tar -o merged.bale 2>merged.err || fail "import failed: $(cat merged.err)"
SOURCE_DATE_EPOCH=1700000000 "$BALE" import layers.tar -o tree.bale 2>tree.err ||
  fail "import through a tree failed: $(cat tree.err)"

# listing DIR: every path with its type, mode, owners, size, link target and inode count.
listing() { (cd "$1" && find . -mindepth 1 -printf '%p %y %m %U:%G %s %l %n\n' | sort); }
for x in merged tree; do
  mkdir "$x"
  tar -xpf "$x.bale" -C "$x" || fail "tar cannot extract $x.bale"
done
listing merged >merged.list
listing tree >tree.list
diff tree.list merged.list || fail "the merged layers are not the tree the layers make"
diff -r --no-dereference tree merged || fail "the merged layers' contents differ from the tree's"
grep -q "^./d d 700 7:8 " merged.list || fail "d/ does not have the upper layer's mode and owners: $(grep '^./d ' merged.list)"
[ "$(cat merged/t merged/h1 merged/h2)" = "a targeta targeta target" ] || fail "hardlinks lost their content"
[ "$(stat -c %i merged/t)" = "$(stat -c %i merged/h2)" ] || fail "h2 is not a hardlink of t"
[ ! -e merged/o/old ] && [ ! -e merged/d/gone ] || fail "whited-out files survived"
# Each directory comes before what it holds.
tar -tf merged.bale >order
awk '{ name = $0; sub(/\/$/, "", name); n = split(name, p, "/"); d = ""; for (i = 1; i < n; i++) { d = d p[i] "/"; if (!(d in seen)) { print "before its directory: " $0; bad = 1 } } seen[$0] = 1 } END { exit bad }' order ||
  fail "an entry comes before its directory: $(cat order)"
"$BALE" verify merged.bale >/dev/null 2>&1 || fail "the merged image does not verify"

# A path through a lower layer's symlink: the tree decides, inside the image.
cat >link.json <<'EOF2'
{"config": {}, "layers": [
  [{"name": "etc/", "type": "dir"}, {"name": "evil", "type": "symlink", "target": "/etc"}],
  [{"name": "evil/pwned", "data": "inside"}]]}
EOF2
make_archive link.json link.tar
"$BALE" import link.tar -o link.bale 2>link.err || fail "import of a path through a symlink failed: $(cat link.err)"
tar -tf link.bale | grepq -x 'etc/pwned' || fail "the file through the symlink is not etc/pwned: $(tar -tf link.bale)"
